package main

import (
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/bench"
	"github.com/amt-mv/amt/internal/netsim"
	"github.com/amt-mv/amt/server/servertest"
)

// slowLine is a 1,000-case Amt behind a 4 KB/s line with 300 ms round trips, and a clerk of it
// logged in through that line.
func slowLine(t *testing.T) (*cli, *netsim.Proxy) {
	t.Helper()
	if testing.Short() {
		t.Skip("a sync over a 4 KB/s line takes minutes")
	}
	setupEnv(t)
	// Keep the seeded backlog of finished cases: the test counts what the sync brought.
	if err := os.WriteFile(os.Getenv("AMT_CONFIG"), []byte("retention_days: 36500\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := bench.OneAmt(1000)
	if err != nil {
		t.Fatal(err)
	}
	env := servertest.Start(t, servertest.WithData(data), servertest.WithNow(func() time.Time { return bench.Now }))
	u, err := url.Parse(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	line := netsim.Link{Latency: 150 * time.Millisecond, Bandwidth: 4 << 10}
	p, err := netsim.Start(netsim.Config{Target: u.Host, Up: line, Down: line})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	c := newCLI(t)
	c.must(0, "login", "--server", p.URL(), "--token", env.Token(data.Clerks[0].ID))
	return c, p
}

// TestSyncOverSlowLineFinishes is the first sync of a 1,000-case Amt through a 4 KB/s line (not
// timed): it completes, and what the clerk reads names a slow line, never an unreachable server.
func TestSyncOverSlowLineFinishes(t *testing.T) {
	c, _ := slowLine(t)
	code, out, errs := c.run("sync")
	if code != exitOK {
		t.Fatalf("sync over 4 KB/s: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	if !strings.Contains(out, "Abgeglichen: 1000 Vorgänge") {
		t.Errorf("stdout: %s", out)
	}
	if !strings.Contains(errs, "Leitung sehr langsam – 1.000 von 1.000 Vorgängen geladen") || strings.Contains(errs, "nicht erreichbar") {
		t.Errorf("stderr does not name a slow line:\n%s", errs)
	}
	// Progress while it ran: plain lines (stderr is not a terminal) with cases, rate and time left.
	if !regexp.MustCompile(`amt: Leitung sehr langsam – [0-9.]+ von 1\.000 Vorgängen geladen · [0-9,]+ KB/s`).MatchString(errs) {
		t.Errorf("no progress lines on stderr:\n%s", errs)
	}
}

// TestSyncCutLineKeepsWhatArrived: a slow line that goes away halfway leaves the cases that
// arrived in the cache, and the clerk reads how many, on a slow line, not "server not reachable".
func TestSyncCutLineKeepsWhatArrived(t *testing.T) {
	c, p := slowLine(t)
	go func() {
		// Pull the plug once about 40 KB (a good hundred cases) have crossed the line.
		for p.Stats().BytesDown < 40<<10 {
			time.Sleep(50 * time.Millisecond)
		}
		_ = p.Close()
	}()
	code, out, errs := c.run("sync")
	if code != exitOffline {
		t.Fatalf("cut sync: exit %d, want %d\nstdout: %s\nstderr: %s", code, exitOffline, out, errs)
	}
	m := regexp.MustCompile(`Leitung sehr langsam – ([0-9.]+) von 1\.000 Vorgängen geladen; der Rest folgt beim nächsten Abgleich`).FindStringSubmatch(errs)
	if m == nil || strings.Contains(errs, "nicht erreichbar") {
		t.Fatalf("stderr does not say how far the slow line got:\n%s", errs)
	}
	t.Logf("%s", errs)
	if m[1] == "0" {
		t.Fatalf("nothing kept: %s", errs)
	}
}
