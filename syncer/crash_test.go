//go:build unix

package syncer

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/internal/idp"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/signin"
	"github.com/amt-mv/amt/store"
)

// The crash test runs the syncer in a child process (this test binary, re-executed with
// -test.run=TestCrashChild) against a server in the parent, and kills the child with SIGKILL:
//
//	after-local-commit  right after an action was committed to the outbox
//	after-send          when the server received an action, before the child got the answer
//	                    (the parent kills the child; the server still processes the request)
//	after-server-commit the server answered 200, the child has not settled the action yet
//	after-local-settle  the child settled an action, before it sends the next one
//	mid-pull            between two pages of a full pull
//	random              at a random moment
//
// The next child restarts on the same cache and drains it. After every run the parent checks the
// cache (bbolt Check) and the server: no action ever took effect twice, and every settled action
// took effect once. At the end everything is drained and every committed action is on the server
// exactly once. 20 kills by default; AMT_CRASH_RUNS=200 for the thorough run.
//
// TestCrashOIDC runs the same with access tokens of a real OpenID provider (internal/idp) that
// expire during the drain: the first action of every child (and of the final drain) moves the
// server's and the provider's clock six minutes on, past the five-minute access token the child
// holds, so the server refuses it with 401 and the child refreshes and sends again, while the
// kills go on as above. Exactly once still holds.

var crashModes = []string{"after-local-commit", "after-send", "after-server-commit", "after-local-settle", "mid-pull", "random"}

func TestCrash(t *testing.T) { runCrash(t, false) }

func TestCrashOIDC(t *testing.T) { runCrash(t, true) }

// crashClock is the server's and the provider's clock in the OIDC crash run.
type crashClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *crashClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *crashClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func runCrash(t *testing.T, withOIDC bool) {
	if os.Getenv("AMT_CRASH_CHILD") != "" {
		t.Skip("in the child")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	runs := 20
	if s := os.Getenv("AMT_CRASH_RUNS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("AMT_CRASH_RUNS=%q", s)
		}
		runs = n
	}

	var (
		childPID  atomic.Int64 // the child to kill at the next "after-send"
		killOnPut atomic.Bool
		// expireOnPut moves the server's and the provider's clock past every access token
		// issued so far at the next action (OIDC run).
		expireOnPut atomic.Bool
		inflight    sync.Mutex // held by an "after-send" request until the server finished it
	)
	clk := &crashClock{t: time.Now()}
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if withOIDC && r.Method == http.MethodPut && expireOnPut.CompareAndSwap(true, false) {
				// The first action of each drain meets an expired access token.
				clk.Add(6 * time.Minute)
			}
			if r.Method == http.MethodPut && killOnPut.CompareAndSwap(true, false) {
				inflight.Lock() // before the kill, so the parent's Lock below waits for us
				defer inflight.Unlock()
				if pid := childPID.Load(); pid > 0 {
					syscall.Kill(int(pid), syscall.SIGKILL)
				}
				// The client is gone; the server still finishes the request.
				h.ServeHTTP(w, r.WithContext(context.WithoutCancel(r.Context())))
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	opts := []servertest.Option{servertest.WithHandlerWrapper(wrap)}
	var prov *idp.Provider
	var session string // the child's first sign-in, JSON of a signin.Session
	if withOIDC {
		var err error
		prov, err = idp.Start(idp.Options{Now: clk.Now, AccessTokenLifetime: 5 * time.Minute, SessionLifetime: 10000 * time.Hour,
			Users: []idp.User{{Username: clerkA, Name: "Kerstin Schulz", Amt: "amt-crivitz", Roles: []string{idp.RoleLead}}}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { prov.Close() })
		opts = append(opts, servertest.WithNow(clk.Now), servertest.WithConfig(func(c *server.Config) {
			c.OIDC = &server.OIDCConfig{Issuer: prov.Issuer(), Audience: "amt-api", ClientID: "amt"}
		}))
		session = crashSession(t, prov)
	}
	env := startServer(t, 0, opts...)
	dir := t.TempDir()
	committed := map[string]string{} // action id → case id
	rng := rand.New(rand.NewPCG(1, 2))
	kills := 0

	for run := 0; run < runs; run++ {
		mode := crashModes[run%len(crashModes)]
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(),
			"AMT_CRASH_CHILD=1",
			"AMT_CRASH_DIR="+dir,
			"AMT_CRASH_URL="+env.URL,
			"AMT_CRASH_TOKEN="+env.Token(clerkA),
			"AMT_FAILPOINT="+mode,
			"AMT_CRASH_SEED="+strconv.Itoa(run),
			"AMT_CRASH_SESSION="+session,
		)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		killOnPut.Store(mode == "after-send")
		expireOnPut.Store(true)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		childPID.Store(int64(cmd.Process.Pid))
		done := false
		var timer *time.Timer
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) == 1 && f[0] == "ready" && mode == "random":
				// Somewhere while queueing, pushing or pulling (the child's work takes ~10-100 ms).
				d := time.Duration(rng.IntN(80_000)) * time.Microsecond
				timer = time.AfterFunc(d, func() { cmd.Process.Signal(syscall.SIGKILL) })
			case len(f) == 3 && f[0] == "committed":
				committed[f[1]] = f[2]
			case len(f) == 1 && f[0] == "DONE":
				done = true
			default:
				t.Logf("child: %s", sc.Text()) // a failing child's test output
			}
		}
		err = cmd.Wait()
		if timer != nil {
			timer.Stop()
		}
		childPID.Store(0)
		killOnPut.Store(false)
		// A barrier: once we hold the lock, the killed request has finished on the server.
		inflight.Lock()
		//lint:ignore SA2001 the empty critical section is the point
		inflight.Unlock()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			kills++
		} else if err != nil || !done {
			t.Fatalf("run %d (%s): child failed: %v", run, mode, err)
		}
		verifyCrash(t, env, dir, committed, false, "")
	}
	if kills < runs*3/5 {
		t.Errorf("only %d of %d runs were killed", kills, runs)
	}
	drainSession := ""
	if withOIDC {
		drainSession = crashSession(t, prov)
		expireOnPut.Store(true)
	}
	verifyCrash(t, env, dir, committed, true, drainSession)
	if withOIDC {
		st := prov.Stats()
		if st.Refreshes == 0 {
			t.Error("no access token expired during the runs: the OIDC crash run proved nothing")
		}
		t.Logf("provider: %d access tokens, %d refreshes", st.TokensIssued, st.Refreshes)
	}
	t.Logf("%d runs, %d kills, %d actions", runs, kills, len(committed))
}

// crashSession signs clerkA in at the provider and returns the session as the app keeps it.
func crashSession(t *testing.T, p *idp.Provider) string {
	t.Helper()
	tok, err := p.SignIn(context.Background(), "amt", clerkA)
	if err != nil {
		t.Fatal(err)
	}
	// The expiry is left open: the client finds out from the server's 401 that a token expired.
	b, _ := json.Marshal(signin.Session{Issuer: p.Issuer(), ClientID: "amt", Scopes: []string{"openid", "offline_access"},
		TokenURL: p.Issuer() + "/oauth/token", RevocationURL: p.Issuer() + "/revoke", RefreshToken: tok.RefreshToken, AccessToken: tok.AccessToken})
	return string(b)
}

// crashClientFor builds the child's (or the drain's) client: with a session JSON, a signin
// Source whose newest tokens are kept in the cache as the app does; else the static token.
func crashClientFor(t *testing.T, st *store.Store, url, token, session string) *client.Client {
	t.Helper()
	if session == "" {
		c, err := client.New(client.Config{BaseURL: url, Token: token})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	raw := []byte(session)
	if b, err := st.Meta("oidc-session"); err == nil {
		raw = b // the newest tokens of an earlier child
	}
	var sess signin.Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		t.Fatal(err)
	}
	src := signin.NewSource(sess, func(s signin.Session) error {
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		return st.PutMeta("oidc-session", b)
	}, nil)
	c, err := client.New(client.Config{BaseURL: url, Tokens: src})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// verifyCrash opens the cache the child left behind and checks it and the server. With drain it
// first syncs until nothing is pending and then requires every committed action exactly once.
func verifyCrash(t *testing.T, env *servertest.Env, dir string, committed map[string]string, drain bool, session string) {
	t.Helper()
	st := openStore(t, dir, nil)
	defer st.Close()
	if err := st.Check(); err != nil {
		t.Fatalf("store check: %v", err)
	}
	if drain {
		c := crashClientFor(t, st, env.URL, env.Token(clerkA), session)
		y := New(c, st, Options{})
		for i := 0; ; i++ {
			if err := y.SyncOnce(context.Background()); err != nil {
				t.Fatalf("drain: %v", err)
			}
			out, _ := st.Outbox()
			if len(out) == 0 {
				break
			}
			if i > 5 {
				t.Fatalf("outbox does not drain: %+v", out)
			}
		}
		if err := st.Check(); err != nil {
			t.Fatalf("store check after drain: %v", err)
		}
	}
	queued := map[string]bool{}
	out, err := st.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range out {
		if a.State != "pending" {
			t.Errorf("%s %s in state %s (notes never conflict; assignments only meet this clerk's own versions): %s",
				a.Kind, a.ID, a.State, a.LastError)
		}
		queued[a.ID] = true
	}
	seen := map[string]int{}
	for _, id := range crashCases {
		for _, n := range serverCase(t, env, clerkA, id).Notes {
			seen[n.ID]++
		}
	}
	for id, n := range seen {
		if n > 1 {
			t.Fatalf("action %s took effect %d times", id, n)
		}
	}
	for id := range committed {
		if !queued[id] && seen[id] != 1 {
			t.Fatalf("action %s settled locally but on the server %d times", id, seen[id])
		}
	}
}

// TestCrashChild is the child process of TestCrash; it does nothing in a normal test run.
func TestCrashChild(t *testing.T) {
	if os.Getenv("AMT_CRASH_CHILD") == "" {
		t.Skip("only as the child of TestCrash")
	}
	mode := os.Getenv("AMT_FAILPOINT")
	seed, _ := strconv.Atoi(os.Getenv("AMT_CRASH_SEED"))
	die := func() {
		os.Stdout.Sync()
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	fired := false
	failpoint = func(name string) {
		if name == mode && !fired {
			fired = true
			die()
		}
	}
	st := openStore(t, os.Getenv("AMT_CRASH_DIR"), nil)
	c := crashClientFor(t, st, os.Getenv("AMT_CRASH_URL"), os.Getenv("AMT_CRASH_TOKEN"), os.Getenv("AMT_CRASH_SESSION"))
	y := New(c, st, Options{PageSize: 2})
	ctx := context.Background()
	if n, _ := st.Count(); n == 0 || mode == "mid-pull" {
		// A full pull, several pages long.
		if err := st.ResetForResync(); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Println("ready")
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	k := 2 + rng.IntN(4)
	prevCase := ""
	for i := 0; i < k; i++ {
		caseID := crashCases[rng.IntN(len(crashCases))]
		stateChange := i > 0 && rng.IntN(2) == 0
		if stateChange {
			caseID = prevCase // queued on top of the action before it
		}
		prevCase = caseID
		if sc, err := st.ServerCase(caseID); err == nil && stateChange {
			// A state change on top of whatever this clerk queued or delivered before: with
			// If-Match chained onto the clerk's own versions it must never end in a conflict,
			// whatever moment the previous child was killed at.
			who := []string{clerkA, clerkB}[rng.IntN(2)]
			b, _ := json.Marshal(api.AssignmentRequest{Assignee: who})
			if _, err := st.Enqueue(store.Action{CaseID: caseID, Kind: api.ActionAssignment, Body: b, BaseVersion: sc.Version}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		a, err := st.Enqueue(storeNote(caseID, fmt.Sprintf("Absturztest %d/%d", seed, i)))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("committed %s %s\n", a.ID, caseID)
		if mode == "after-local-commit" && i == k/2 {
			die()
		}
	}
	if err := y.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	fmt.Println("DONE")
	st.Close()
}

func storeNote(caseID, text string) store.Action {
	b, _ := json.Marshal(api.NoteRequest{Text: text})
	return store.Action{CaseID: caseID, Kind: api.ActionNote, Body: b}
}
