package store

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

// TestRandomOpsKeepIndexConsistent drives random operations from fixed seeds against a tiny model
// of which cases are cached (with their due dates) and which actions are queued, and checks the
// index, the counter and bbolt's consistency after each step.
func TestRandomOpsKeepIndexConsistent(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			s := newTestStore(t)
			cases := map[string]api.Case{} // model: cached server cases
			queued := map[string]string{}  // action id → case id
			statuses := []api.Status{api.StatusNew, api.StatusClosed, api.StatusDecided}
			for step := 0; step < 300; step++ {
				id := fmt.Sprintf("case-%06d", r.IntN(25))
				switch op := r.IntN(10); {
				case op < 4: // upsert
					v := int64(r.IntN(6) + 1)
					c := mkCase(0, fmt.Sprintf("2026-12-%02d", 1+r.IntN(5)), v)
					c.ID = id
					c.Status = statuses[r.IntN(len(statuses))]
					c.UpdatedAt = time.Date(2026, 1, 1+r.IntN(20), 0, 0, 0, 0, time.UTC)
					if err := s.ApplyChanges(upsert(c), fmt.Sprint(step)); err != nil {
						t.Fatal(err)
					}
					if old, ok := cases[id]; !ok || v > old.Version {
						cases[id] = c
					}
				case op < 5: // tombstone
					if err := s.ApplyChanges([]api.Change{{Kind: api.ChangeDelete, CaseID: id}}, fmt.Sprint(step)); err != nil {
						t.Fatal(err)
					}
					delete(cases, id)
				case op < 7: // enqueue
					a, err := s.Enqueue(note(id, "n"))
					if err != nil {
						t.Fatal(err)
					}
					queued[a.ID] = id
				case op < 8: // settle an action
					for aid := range queued {
						var err error
						switch r.IntN(3) {
						case 0:
							err = s.MarkDone(aid, nil)
							delete(queued, aid)
						case 1:
							err = s.MarkRejected(aid, "no")
						case 2:
							err = s.Discard(aid)
							delete(queued, aid)
						}
						if err != nil {
							t.Fatal(err)
						}
						break
					}
				case op < 9: // purge
					cut := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
					if _, err := s.Purge(cut); err != nil {
						t.Fatal(err)
					}
					busy := map[string]bool{}
					for _, cid := range queued {
						busy[cid] = true
					}
					for cid, c := range cases {
						if purgeable(c.Status) && c.UpdatedAt.Before(cut) && !busy[cid] {
							delete(cases, cid)
						}
					}
				default:
					if r.IntN(10) == 0 {
						if err := s.ResetForResync(); err != nil {
							t.Fatal(err)
						}
						cases = map[string]api.Case{}
					}
				}
				n, err := s.Count()
				if err != nil || n != len(cases) {
					t.Fatalf("step %d: Count = %d, %v; model %d", step, n, err, len(cases))
				}
				if step%25 == 0 || step == 299 {
					if err := s.Check(); err != nil {
						t.Fatalf("step %d: %v", step, err)
					}
					all, err := s.AllSummaries()
					if err != nil {
						t.Fatal(err)
					}
					var want []string
					for cid, c := range cases {
						want = append(want, string(sortKey(c.Status, c.DueDate, cid)))
					}
					sort.Strings(want)
					var got []string
					for _, sum := range all {
						got = append(got, string(sortKey(sum.Status, sum.DueDate, sum.ID)))
						c := cases[sum.ID]
						if sum.Version != c.Version {
							t.Fatalf("step %d: %s version %d, model %d", step, sum.ID, sum.Version, c.Version)
						}
					}
					if !equal(got, want) {
						t.Fatalf("step %d: index %q, model %q", step, got, want)
					}
				}
			}
		})
	}
}
