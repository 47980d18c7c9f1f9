package store

import (
	"fmt"
	"testing"

	"github.com/amt-mv/amt/api"
)

// fillStore loads n realistic cases in feed pages of 1000.
func fillStore(b *testing.B, n int) *Store {
	b.Helper()
	s := openTest(b, b.TempDir())
	page := make([]api.Case, 0, 1000)
	for i := 0; i < n; i++ {
		page = append(page, mkCase(i, fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28), 1))
		if len(page) == cap(page) || i == n-1 {
			if err := s.ApplyChanges(upsert(page...), fmt.Sprint(i)); err != nil {
				b.Fatal(err)
			}
			page = page[:0]
		}
	}
	return s
}

func BenchmarkSummaryPage(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		s := fillStore(b, n)
		offsets := []int{0}
		if n > 100 {
			offsets = append(offsets, n/2, n-50)
		}
		for _, off := range offsets {
			b.Run(fmt.Sprintf("cases=%d/offset=%d", n, off), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					page, err := s.SummaryPage(off, 50)
					if err != nil || len(page) != 50 {
						b.Fatalf("%d rows, %v", len(page), err)
					}
				}
			})
		}
		b.Run(fmt.Sprintf("cases=%d/count", n), func(b *testing.B) {
			for b.Loop() {
				if c, err := s.Count(); err != nil || c != n {
					b.Fatal(c, err)
				}
			}
		})
	}
}

func BenchmarkAllSummaries100k(b *testing.B) {
	const n = 100_000
	s := fillStore(b, n)
	b.ReportAllocs()
	for b.Loop() {
		all, err := s.AllSummaries()
		if err != nil || len(all) != n {
			b.Fatal(len(all), err)
		}
	}
}

func BenchmarkEnqueue(b *testing.B) {
	s := fillStore(b, 1000)
	body := mustJSON(api.NoteRequest{Text: "Rückruf erbeten"})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Enqueue(Action{CaseID: fmt.Sprintf("case-%06d", i%1000), Kind: api.ActionNote, Body: body}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkApplyChangesPage200 applies one feed page of 200 new cases (initial sync cost per page).
func BenchmarkApplyChangesPage200(b *testing.B) {
	s := openTest(b, b.TempDir())
	b.ReportAllocs()
	base := 0
	for b.Loop() {
		page := make([]api.Case, 200)
		for i := range page {
			page[i] = mkCase(base+i, "2026-12-01", 1)
		}
		base += 200
		if err := s.ApplyChanges(upsert(page...), fmt.Sprint(base)); err != nil {
			b.Fatal(err)
		}
	}
}
