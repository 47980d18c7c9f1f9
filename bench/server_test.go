package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/bench"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/pgtest"
	"github.com/amt-mv/amt/server/servertest"
)

// serverDuration is how long the clerks hammer the server: 30 s, 10 s with --quick, or
// $AMT_BENCH_SERVER_SECONDS.
func serverDuration() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("AMT_BENCH_SERVER_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if quick {
		return 10 * time.Second
	}
	return 30 * time.Second
}

// loadClerk is one simulated clerk: a token, the Amt's cases to read, its own cases to write.
type loadClerk struct {
	id, token  string
	colleagues []string // clerk ids of the Amt, for assignments
	read       []string // every case of the Amt
	own        []string // open cases only this simulated clerk writes to
	cursor     string

	rng      *rand.Rand
	lat      []time.Duration
	kindLat  map[string][]time.Duration
	requests int
	errs     map[string]int
	versions map[string]int64
	acked    map[string][]string // case → note ids the server acknowledged
	unsure   map[string]bool     // note ids whose request failed (may or may not have landed)
	seq      int
}

type loadResult struct {
	status int
	body   []byte
	header http.Header
}

func (c *loadClerk) do(hc *http.Client, base, method, path string, body []byte, hdr map[string]string) (loadResult, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return loadResult{}, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	t0 := time.Now()
	resp, err := hc.Do(req)
	var out loadResult
	if err == nil {
		out.body, err = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		out.status, out.header = resp.StatusCode, resp.Header
	}
	took := time.Since(t0)
	c.lat = append(c.lat, took)
	if c.kindLat != nil {
		kind := method + " " + routeOf(path)
		c.kindLat[kind] = append(c.kindLat[kind], took)
	}
	c.requests++
	if err != nil {
		c.errs["transport"]++
	}
	return out, err
}

// routeOf reduces a request path to its route for the per-route latency log.
func routeOf(path string) string {
	path, _, _ = strings.Cut(path, "?")
	parts := strings.Split(strings.TrimPrefix(path, api.BasePath+"/"), "/")
	if len(parts) >= 2 && parts[0] == "cases" {
		parts[1] = "{id}"
	}
	if len(parts) >= 4 {
		parts[3] = "{id}"
	}
	return strings.Join(parts, "/")
}

func (c *loadClerk) fail(what string, r loadResult) {
	c.errs[fmt.Sprintf("%s %d", what, r.status)]++
}

// step performs one request of the mix: 40 % change feed, 30 % case reads, 20 % notes (a tenth of
// them replayed), 10 % assignments.
func (c *loadClerk) step(hc *http.Client, base string) {
	switch r := c.rng.IntN(100); {
	case r < 40:
		q := url.Values{"limit": {"200"}}
		if c.cursor != "" {
			q.Set("cursor", c.cursor)
		}
		res, err := c.do(hc, base, "GET", api.BasePath+"/changes?"+q.Encode(), nil, nil)
		if err != nil {
			return
		}
		if res.status != http.StatusOK {
			c.fail("changes", res)
			return
		}
		var p struct {
			NextCursor string `json:"nextCursor"`
		}
		if err := json.Unmarshal(res.body, &p); err != nil {
			c.errs["changes decode"]++
			return
		}
		if p.NextCursor != "" {
			c.cursor = p.NextCursor
		}
	case r < 70:
		id := c.read[c.rng.IntN(len(c.read))]
		res, err := c.do(hc, base, "GET", api.BasePath+"/cases/"+id, nil, nil)
		if err == nil && res.status != http.StatusOK {
			c.fail("case", res)
		}
	case r < 90:
		caseID := c.own[c.rng.IntN(len(c.own))]
		c.seq++
		noteID := fmt.Sprintf("bench-load-%s-%07d", c.id, c.seq)
		body, _ := json.Marshal(api.NoteRequest{Text: "Lasttest " + noteID})
		path := api.BasePath + "/cases/" + caseID + "/notes/" + noteID
		res, err := c.do(hc, base, "PUT", path, body, nil)
		if err != nil {
			c.unsure[noteID] = true
			return
		}
		if res.status/100 != 2 {
			c.unsure[noteID] = true
			c.fail("note", res)
			return
		}
		c.acked[caseID] = append(c.acked[caseID], noteID)
		c.remember(caseID, res.body)
		if c.rng.IntN(10) == 0 { // a client resending after a lost answer
			again, err := c.do(hc, base, "PUT", path, body, nil)
			if err != nil {
				return
			}
			if again.status != res.status || !bytes.Equal(again.body, res.body) || again.header.Get(api.HeaderIdempotentReplay) != "true" {
				c.fail("note replay", again)
			}
		}
	default:
		caseID := c.own[c.rng.IntN(len(c.own))]
		v, ok := c.versions[caseID]
		if !ok {
			res, err := c.do(hc, base, "GET", api.BasePath+"/cases/"+caseID, nil, nil)
			if err != nil {
				return
			}
			if res.status != http.StatusOK {
				c.fail("case", res)
				return
			}
			var cs api.Case
			if err := json.Unmarshal(res.body, &cs); err != nil {
				c.errs["case decode"]++
				return
			}
			v = cs.Version
		}
		c.seq++
		body, _ := json.Marshal(api.AssignmentRequest{Assignee: c.colleagues[c.rng.IntN(len(c.colleagues))]})
		res, err := c.do(hc, base, "PUT", api.BasePath+"/cases/"+caseID+"/assignment", body, map[string]string{
			"If-Match":               `"` + strconv.FormatInt(v, 10) + `"`,
			api.HeaderIdempotencyKey: fmt.Sprintf("bench-assign-%s-%07d", c.id, c.seq),
		})
		if err != nil {
			delete(c.versions, caseID)
			return
		}
		if res.status/100 != 2 {
			delete(c.versions, caseID)
			c.fail("assignment", res)
			return
		}
		c.remember(caseID, res.body)
	}
}

func (c *loadClerk) remember(caseID string, body []byte) {
	var r struct {
		Case struct {
			Version int64 `json:"version"`
		} `json:"case"`
	}
	if json.Unmarshal(body, &r) == nil && r.Case.Version > 0 {
		c.versions[caseID] = r.Case.Version
	} else {
		delete(c.versions, caseID)
	}
}

// BenchmarkServer runs 100 simulated clerks against the reference server (in process, on
// loopback, rate limit off) for 30 s: change feed polls, case reads, notes with unique ids (some
// replayed), assignments with If-Match. Afterwards it counts every acknowledged note on the server.
// It runs once on each store, bbolt and PostgreSQL (a fresh database on 127.0.0.1:5432 or
// $AMT_TEST_POSTGRES, dropped afterwards), with the same data and the same load.
func BenchmarkServer(b *testing.B) {
	data := demo.Generate(demo.Options{Cases: 4000, Now: bench.Now, Seed: bench.Seed})
	b.Run("store=bbolt", func(b *testing.B) { serverLoad(b, data) })
	b.Run("store=postgres", func(b *testing.B) {
		serverLoad(b, data, servertest.WithDatabase(pgDatabase(b)))
	})
}

// pgDatabase creates a fresh PostgreSQL test database, dropped when b ends, and returns the URL
// of an empty schema in it; PostgreSQL must be reachable (the figure is required). Unlike the
// tests' databases, commits wait for the disk (synchronous_commit as the server has it), as bbolt
// waits for its fsync: the two stores are measured under the same promise.
func pgDatabase(b *testing.B) string {
	db, err := pgtest.Create(context.Background())
	if err != nil {
		b.Fatalf("PostgreSQL figures need a PostgreSQL server: %v", err)
	}
	b.Cleanup(func() {
		if err := db.Drop(); err != nil {
			b.Errorf("drop the test database: %v", err)
		}
	})
	u, err := url.Parse(db.Schema(b))
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Del("synchronous_commit")
	u.RawQuery = q.Encode()
	return u.String()
}

func serverLoad(b *testing.B, data *demo.Data, opts ...servertest.Option) {
	const clerks = 100
	for range b.N {
		env := servertest.Start(b, append([]servertest.Option{servertest.WithData(data)}, opts...)...)
		base := env.URL
		tr := &http.Transport{MaxIdleConns: 2 * clerks, MaxIdleConnsPerHost: 2 * clerks}
		defer tr.CloseIdleConnections()
		hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}

		byAmt := map[string][]string{}
		openByAmt := map[string][]string{}
		for i := range data.N {
			c := data.Case(i).Case
			if c.Status == api.StatusForwarded {
				continue // gone from the Amt: 404
			}
			byAmt[c.Amt] = append(byAmt[c.Amt], c.ID)
			if c.Status.Open() {
				openByAmt[c.Amt] = append(openByAmt[c.Amt], c.ID)
			}
		}
		colleagues := map[string][]string{}
		for _, c := range data.Clerks {
			colleagues[c.Amt] = append(colleagues[c.Amt], c.ID)
		}
		// Simulated clerks take the demo clerks in turn; each Amt's open cases are dealt out
		// among its simulated clerks, so writes never race (no false conflicts).
		sims := make([]*loadClerk, clerks)
		perAmt := map[string][]*loadClerk{}
		for i := range sims {
			dc := data.Clerks[i%len(data.Clerks)]
			sims[i] = &loadClerk{id: fmt.Sprintf("%s-%02d", dc.ID, i), token: env.Token(dc.ID),
				colleagues: colleagues[dc.Amt], read: byAmt[dc.Amt],
				rng:  rand.New(rand.NewPCG(uint64(i), 7)),
				errs: map[string]int{}, versions: map[string]int64{}, acked: map[string][]string{}, unsure: map[string]bool{}}
			perAmt[dc.Amt] = append(perAmt[dc.Amt], sims[i])
		}
		for amt, list := range perAmt {
			open := openByAmt[amt]
			for j, id := range open {
				c := list[j%len(list)]
				c.own = append(c.own, id)
			}
			// Start every clerk of the Amt at the end of the feed, as after an initial sync.
			cur := ""
			for {
				q := url.Values{"limit": {strconv.Itoa(api.MaxChangePageSize)}}
				if cur != "" {
					q.Set("cursor", cur)
				}
				res, err := list[0].do(hc, base, "GET", api.BasePath+"/changes?"+q.Encode(), nil, nil)
				if err != nil || res.status != http.StatusOK {
					b.Fatalf("initial feed: %v %d", err, res.status)
				}
				var p api.ChangePage
				if err := json.Unmarshal(res.body, &p); err != nil {
					b.Fatal(err)
				}
				if p.NextCursor != "" {
					cur = p.NextCursor
				}
				if !p.HasMore {
					break
				}
			}
			for _, c := range list {
				c.cursor = cur
				if len(c.own) == 0 {
					b.Fatalf("simulated clerk %s owns no case", c.id)
				}
			}
		}
		for _, c := range sims {
			c.lat, c.requests, c.errs, c.kindLat = nil, 0, map[string]int{}, map[string][]time.Duration{}
		}

		dur := serverDuration()
		start := time.Now()
		deadline := start.Add(dur)
		var wg sync.WaitGroup
		for _, c := range sims {
			wg.Go(func() {
				for time.Now().Before(deadline) {
					c.step(hc, base)
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)

		var lat bench.Samples
		requests := 0
		errs := map[string]int{}
		kinds := map[string]*bench.Samples{}
		for _, c := range sims {
			for _, d := range c.lat {
				lat.Add(d)
			}
			for k, ds := range c.kindLat {
				if kinds[k] == nil {
					kinds[k] = &bench.Samples{}
				}
				for _, d := range ds {
					kinds[k].Add(d)
				}
			}
			c.kindLat = nil
			requests += c.requests
			for k, v := range c.errs {
				errs[k] += v
			}
		}
		nerr := 0
		for _, v := range errs {
			nerr += v
		}

		// Every acknowledged note exactly once on the server; nothing unknown added.
		lost, dup, phantom, checked := 0, 0, 0, 0
		verifier := sims[0]
		for _, c := range sims {
			verifier.token = c.token
			for _, caseID := range c.own {
				acked := c.acked[caseID]
				if len(acked) == 0 {
					continue
				}
				res, err := verifier.do(hc, base, "GET", api.BasePath+"/cases/"+caseID, nil, nil)
				if err != nil || res.status != http.StatusOK {
					b.Fatalf("verify %s: %v %d", caseID, err, res.status)
				}
				var cs api.Case
				if err := json.Unmarshal(res.body, &cs); err != nil {
					b.Fatal(err)
				}
				seen := map[string]int{}
				for _, n := range cs.Notes {
					seen[n.ID]++
				}
				for _, id := range acked {
					checked++
					switch seen[id] {
					case 0:
						lost++
					case 1:
					default:
						dup++
					}
					delete(seen, id)
				}
				for id := range seen {
					if len(id) > 10 && id[:10] == "bench-load" && !c.unsure[id] {
						phantom++
					}
				}
			}
		}
		b.Logf("%d clerks, %v: %d requests, errors %v; %d acknowledged notes checked", clerks, elapsed.Round(time.Millisecond), requests, errs, checked)
		for _, k := range slices.Sorted(maps.Keys(kinds)) {
			s := kinds[k]
			b.Logf("  %-28s n=%6d p50 %8.2f ms  p99 %8.2f ms", k, s.Len(), bench.Ms(s.Median()), bench.Ms(s.Percentile(99)))
		}
		b.ReportMetric(float64(requests)/elapsed.Seconds(), "req/s")
		b.ReportMetric(bench.Ms(lat.Median()), "p50-ms")
		b.ReportMetric(bench.Ms(lat.Percentile(99)), "p99-ms")
		b.ReportMetric(float64(nerr), "errors")
		b.ReportMetric(float64(lost+phantom), "lost")
		b.ReportMetric(float64(dup), "dup")
		b.ReportMetric(float64(checked), "notes")
		b.ReportMetric(float64(requests), "requests")
	}
}
