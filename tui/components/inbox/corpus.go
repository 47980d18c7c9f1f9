package inbox

import (
	"runtime"
	"strings"
	"sync"

	"github.com/amt-mv/amt/store"
)

// corpus holds every summary's search text in one string, rows separated by NUL, so a filter word
// is found with one vectorised scan over contiguous memory instead of 100,000 small searches (and
// the garbage collector sees one pointer-free block).
type corpus struct {
	text string
	ends []int32 // ends[i]: end offset (exclusive) of row i's text
}

func buildCorpus(all []store.Summary) *corpus {
	n := 0
	for i := range all {
		n += len(all[i].Search) + 1
	}
	var b strings.Builder
	b.Grow(n)
	ends := make([]int32, len(all))
	for i := range all {
		b.WriteString(strings.ReplaceAll(all[i].Search, "\x00", " "))
		ends[i] = int32(b.Len())
		b.WriteByte(0)
	}
	return &corpus{text: b.String(), ends: ends}
}

// bitset marks rows.
type bitset []uint64

func newBitset(n int) bitset      { return make(bitset, (n+63)/64) }
func (b bitset) set(i int)        { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitset) has(i int32) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }

// matchWord scans the corpus for w, in parallel chunks of rows on large data sets.
func (c *corpus) matchWord(w string) bitset {
	n := len(c.ends)
	bits := newBitset(n)
	workers := min(runtime.GOMAXPROCS(0), 8)
	if n < parallelMin || workers < 2 {
		c.scan(w, 0, n, bits)
		return bits
	}
	// Chunks end on 64-row boundaries so no two workers write the same bitset word.
	size := ((n+workers-1)/workers + 63) &^ 63
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += size {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			c.scan(w, lo, hi, bits)
		}(lo, min(lo+size, n))
	}
	wg.Wait()
	return bits
}

// scan marks rows lo..hi-1 containing w.
func (c *corpus) scan(w string, lo, hi int, bits bitset) {
	start := 0
	if lo > 0 {
		start = int(c.ends[lo-1]) + 1
	}
	end := int(c.ends[hi-1])
	text := c.text[:end]
	row := lo
	for pos := start; pos < end; {
		i := strings.Index(text[pos:], w)
		if i < 0 {
			return
		}
		p := pos + i
		for int(c.ends[row]) < p+len(w) { // the match lies in the first row ending after it
			row++
		}
		bits.set(row)
		pos = int(c.ends[row]) + 1 // one hit per row is enough
		row++
	}
}
