// Package bench owns amt's performance benchmarks and their helpers: seeded caches of demo cases,
// a driver that runs Bubble Tea commands like the runtime does, and percentile statistics.
// bench/run runs every figure and prints one table; see bench/README.md.
package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
)

// Passphrase unlocks every cache the benchmarks seed (amt reads it from AMT_PASSPHRASE).
const Passphrase = "bench korrekt Pferd Batterie"

// DirEnv names the environment variable that points at the directory holding the seeded caches
// (bench/run sets it so that every figure and the amt binary share one seeding per size).
const DirEnv = "AMT_BENCH_DIR"

// Seed is the demo data seed of every benchmark data set.
const Seed = 1

// Now is the reference "today" of the demo data (demo.DefaultNow).
var Now = demo.DefaultNow

// seededFile marks a finished seeding; it holds the number of cases.
const seededFile = "seeded"

// MetaMe is the store meta key under which cmd/amt keeps the signed-in clerk (cmd/amt's metaMe).
const MetaMe = "me"

// CacheDir is where the cache with n cases lives below root.
func CacheDir(root string, n int) string {
	return filepath.Join(root, "cache-"+strconv.Itoa(n))
}

// Root is the directory of seeded caches: $AMT_BENCH_DIR, else dir.
func Root(dir string) string {
	if d := os.Getenv(DirEnv); d != "" {
		return d
	}
	return dir
}

// Seeded reports whether the cache for n cases below root is complete.
func Seeded(root string, n int) bool {
	b, err := os.ReadFile(filepath.Join(CacheDir(root, n), seededFile))
	return err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(n)
}

// OpenCache opens the seeded cache with n cases, seeding it first if needed.
func OpenCache(root string, n int) (*store.Store, error) {
	if err := SeedCache(root, n); err != nil {
		return nil, err
	}
	return OpenStore(CacheDir(root, n))
}

// OpenStore opens an existing benchmark cache.
func OpenStore(dir string) (*store.Store, error) {
	return store.Open(store.Options{Dir: dir, Passphrase: Passphrase, LockTimeout: 10 * time.Second})
}

// SeedCache fills CacheDir(root, n) with n demo cases, as a real (encrypted, default-KDF) cache
// that received them as change-feed upserts in pages of 1,000 and was then compacted as the
// syncer does after a large pull (syncer.DefaultCompactAfter). It does nothing if the cache is
// already complete; a half-seeded one is thrown away.
func SeedCache(root string, n int) error {
	if Seeded(root, n) {
		return nil
	}
	dir := CacheDir(root, n)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	st, err := store.Open(store.Options{Dir: dir, Passphrase: Passphrase})
	if err != nil {
		return fmt.Errorf("bench: seed %d: %w", n, err)
	}
	data := demo.Generate(demo.Options{Cases: n, Now: Now, Seed: Seed})
	const page = 1000
	items := make([]api.Change, 0, page)
	cases := make([]api.Case, page)
	assigned := map[string]int{}
	for i := 0; i < n; i++ {
		c := data.Case(i).Case
		if c.Assignee != "" && c.Status.Open() {
			assigned[c.Assignee]++
		}
		cases[len(items)] = c
		items = append(items, api.Change{Seq: int64(i + 1), Kind: api.ChangeUpsert, CaseID: c.ID, Case: &cases[len(items)]})
		if len(items) == page || i == n-1 {
			if err := st.ApplyChanges(items, strconv.Itoa(i+1)); err != nil {
				_ = st.Close()
				return fmt.Errorf("bench: seed %d: %w", n, err)
			}
			items = items[:0]
		}
	}
	// The syncer compacts the cache after a pull of that many changes (an initial sync); so does
	// the seeding, or the file would not be what a clerk's machine holds after its first sync.
	if n >= syncer.DefaultCompactAfter {
		if err := st.Compact(); err != nil {
			_ = st.Close()
			return fmt.Errorf("bench: seed %d: %w", n, err)
		}
	}
	// Sign in as the clerk with the most open cases, so "Meine Fälle" is a realistic first tab.
	me := busiestClerk(data, assigned)
	b, err := json.Marshal(me)
	if err == nil {
		err = st.PutMeta(MetaMe, b)
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("bench: seed %d: %w", n, err)
	}
	return os.WriteFile(filepath.Join(dir, seededFile), []byte(strconv.Itoa(n)+"\n"), 0o600)
}

func busiestClerk(data *demo.Data, assigned map[string]int) api.Me {
	best := ""
	for id, k := range assigned {
		if k > assigned[best] || (k == assigned[best] && id < best) {
			best = id
		}
	}
	for _, c := range data.Clerks {
		if c.ID == best {
			return MeOf(data, c)
		}
	}
	if len(data.Clerks) > 0 {
		return MeOf(data, data.Clerks[0])
	}
	return api.Me{}
}

// MeOf describes a demo clerk as GET /me would.
func MeOf(data *demo.Data, c demo.Clerk) api.Me {
	me := api.Me{Clerk: c.ID, Name: c.Name, Role: c.Role, Amt: c.Amt}
	for _, a := range data.Amts {
		if a.ID == c.Amt {
			me.AmtName = a.Name
		}
	}
	return me
}

// Me reads the signed-in clerk SeedCache stored.
func Me(st *store.Store) (api.Me, error) {
	var me api.Me
	b, err := st.Meta(MetaMe)
	if err != nil {
		return me, err
	}
	return me, json.Unmarshal(b, &me)
}

// OneAmt returns a data set of n demo cases that all belong to the first Amt (the demo spreads
// cases over four) and stay there (forwarded cases leave the Amt's feed), so that one clerk's
// change feed holds exactly n cases. It generates demo cases in order and keeps (in memory) the
// ones that qualify.
func OneAmt(n int) (*demo.Data, error) {
	if n <= 0 {
		return nil, errors.New("bench: OneAmt needs n > 0")
	}
	// Four Ämter share the cases about evenly; ask for enough and a margin.
	total := 5*n + 100
	full := demo.Generate(demo.Options{Cases: total, Now: Now, Seed: Seed})
	if len(full.Amts) == 0 {
		return nil, errors.New("bench: demo data has no Amt")
	}
	amt := full.Amts[0].ID
	kept := make([]demo.SeedCase, 0, n)
	for i := 0; i < total && len(kept) < n; i++ {
		if sc := full.Case(i); sc.Case.Amt == amt && sc.Case.Status != api.StatusForwarded {
			kept = append(kept, sc)
		}
	}
	if len(kept) < n {
		return nil, fmt.Errorf("bench: only %d of %d demo cases belong to %s", len(kept), total, amt)
	}
	out := *full
	out.N = n
	out.Case = func(i int) demo.SeedCase { return kept[i] }
	out.Amts = full.Amts[:1]
	out.Clerks = nil
	for _, c := range full.Clerks {
		if c.Amt == amt {
			out.Clerks = append(out.Clerks, c)
		}
	}
	return &out, nil
}
