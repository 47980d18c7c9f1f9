package api_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

func deltaBase() api.Case {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	c := api.Case{ID: "case-1", Amt: "crivitz", Reference: "GEW-2026-000001", Status: api.StatusInReview,
		Assignee: "a.peters", Version: 7, UpdatedAt: t0,
		Sections: []api.Section{{Title: "Angaben", Fields: []api.Field{{Label: "Name", Value: "Müller <x>"}}}}}
	for i := 1; i <= 100; i++ {
		c.History = append(c.History, api.Event{Seq: int64(i), Kind: api.EventNote, Actor: "a.peters", At: t0, Summary: "Vermerk"})
	}
	c.Notes = []api.Note{{ID: "n1", Text: "erste", Actor: "a.peters", CreatedAt: t0}}
	return c
}

func TestCaseDeltaRoundTrip(t *testing.T) {
	t1 := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		change     func(c *api.Case)
		wantSet    []string
		wantAppend []string
		wantUnset  []string
	}{
		{"note added", func(c *api.Case) {
			c.Notes = append(c.Notes, api.Note{ID: "n2", Text: "zweite", Actor: "j.wendt", CreatedAt: t1})
			c.History = append(c.History, api.Event{Seq: 101, Kind: api.EventNote, Actor: "j.wendt", At: t1})
			c.Version, c.UpdatedAt = 8, t1
		}, []string{"updatedAt", "version"}, []string{"history", "notes"}, nil},
		{"status and assignee", func(c *api.Case) {
			c.Status, c.Assignee, c.Version = api.StatusDecided, "", 8
		}, []string{"status", "version"}, nil, []string{"assignee"}},
		{"array rewritten", func(c *api.Case) {
			c.Notes = []api.Note{{ID: "n9", Text: "neu", Actor: "x", CreatedAt: t1}}
			c.Version = 9
		}, []string{"notes", "version"}, nil, nil},
		{"array emptied", func(c *api.Case) { c.Notes, c.Version = nil, 9 }, []string{"version"}, nil, []string{"notes"}},
		{"first element of an empty array", func(c *api.Case) {
			c.DocumentRequests = []api.DocumentRequest{{ID: "d1", Documents: []string{"Ausweis"}, Deadline: "2026-12-01", Actor: "x", CreatedAt: t1}}
			c.Version = 8
		}, []string{"documentRequests", "version"}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := deltaBase()
			baseJSON, _ := json.Marshal(base)
			sh, err := api.ShapeOf(baseJSON)
			if err != nil {
				t.Fatal(err)
			}
			cur := deltaBase()
			tc.change(&cur)
			curJSON, _ := json.Marshal(cur)
			d, err := api.DiffCase(sh, curJSON)
			if err != nil {
				t.Fatal(err)
			}
			if got := keys(d.Set); !reflect.DeepEqual(got, sorted(tc.wantSet)) {
				t.Errorf("set = %v, want %v", got, tc.wantSet)
			}
			if got := keys(d.Append); !reflect.DeepEqual(got, sorted(tc.wantAppend)) {
				t.Errorf("append = %v, want %v", got, tc.wantAppend)
			}
			if !reflect.DeepEqual(d.Unset, tc.wantUnset) {
				t.Errorf("unset = %v, want %v", d.Unset, tc.wantUnset)
			}
			got, err := api.ApplyCaseDelta(base, d)
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			gotJSON, _ := json.Marshal(got)
			if string(gotJSON) != string(curJSON) {
				t.Errorf("rebuilt case differs:\n got  %s\n want %s", gotJSON, curJSON)
			}
		})
	}
}

func TestCaseDeltaNoteIsSmall(t *testing.T) {
	base := deltaBase()
	baseJSON, _ := json.Marshal(base)
	sh, _ := api.ShapeOf(baseJSON)
	cur := deltaBase()
	t1 := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	cur.Notes = append(cur.Notes, api.Note{ID: "n2", Text: "Rückruf erledigt", Actor: "j.wendt", CreatedAt: t1})
	cur.History = append(cur.History, api.Event{Seq: 101, Kind: api.EventNote, Actor: "j.wendt", At: t1, Summary: "Rückruf erledigt"})
	cur.Version = 8
	curJSON, _ := json.Marshal(cur)
	d, _ := api.DiffCase(sh, curJSON)
	enc, _ := json.Marshal(d)
	if len(enc)*10 > len(curJSON) {
		t.Errorf("delta of one note on a 100-event case is %d bytes, the case %d", len(enc), len(curJSON))
	}
}

func TestCaseDeltaMismatch(t *testing.T) {
	base := deltaBase()
	baseJSON, _ := json.Marshal(base)
	sh, _ := api.ShapeOf(baseJSON)
	cur := deltaBase()
	cur.Status, cur.Version = api.StatusDecided, 8
	curJSON, _ := json.Marshal(cur)
	d, _ := api.DiffCase(sh, curJSON)

	other := deltaBase()
	other.Version = 6
	if _, err := api.ApplyCaseDelta(other, d); !errors.Is(err, api.ErrDeltaMismatch) {
		t.Errorf("other base version: %v, want ErrDeltaMismatch", err)
	}
	changed := deltaBase()
	changed.Reference = "GEW-2026-999999" // same version number, other content
	if _, err := api.ApplyCaseDelta(changed, d); !errors.Is(err, api.ErrDeltaMismatch) {
		t.Errorf("other content: %v, want ErrDeltaMismatch", err)
	}
	bad := d
	bad.Append = map[string]json.RawMessage{"status": json.RawMessage(`[1]`)}
	if _, err := api.ApplyCaseDelta(base, bad); !errors.Is(err, api.ErrDeltaMismatch) {
		t.Errorf("append to a non-array: %v, want ErrDeltaMismatch", err)
	}
}

func keys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return sorted(out)
}

func sorted(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
