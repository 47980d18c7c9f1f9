package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/fcdemo"
	"github.com/amt-mv/amt/store"
)

// demoKDF keeps opening the demo's throw-away cache fast; its passphrase is random anyway.
var demoKDF = &store.KDFParams{Time: 1, Memory: 8 * 1024, Threads: 1}

// demoApplicationInterval is how often a new application arrives through the demo's FIT-Connect.
const demoApplicationInterval = 3 * time.Minute

// demoOptions is the demo data set (about 50 cases per Amt, enough to fill every tab and make the
// filter worth trying); tests shrink it.
var demoOptions = demo.Options{Cases: 200}

// demoNet is the demo's network between the app and its in-process server. SetOffline(true)
// cuts every open connection and refuses new ones, like a pulled cable; SetOffline(false)
// restores it.
type demoNet struct {
	mu      sync.Mutex
	offline bool
	conns   map[net.Conn]struct{}
	dialer  net.Dialer
	tr      *http.Transport
}

func newDemoNet() *demoNet {
	d := &demoNet{conns: map[net.Conn]struct{}{}}
	d.tr = &http.Transport{
		DialContext:         d.dial,
		ForceAttemptHTTP2:   false,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
	return d
}

func (d *demoNet) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	off := d.offline
	d.mu.Unlock()
	if off {
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	c, err := d.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.offline {
		c.Close()
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	tc := &trackedConn{Conn: c, d: d}
	d.conns[tc] = struct{}{}
	return tc, nil
}

// SetOffline cuts (true) or restores (false) the connection to the demo server.
func (d *demoNet) SetOffline(off bool) {
	d.mu.Lock()
	d.offline = off
	var cut []net.Conn
	if off {
		for c := range d.conns {
			cut = append(cut, c)
		}
	}
	d.mu.Unlock()
	for _, c := range cut {
		c.Close()
	}
	if off {
		d.tr.CloseIdleConnections()
	}
}

// Offline reports the demo network state.
func (d *demoNet) Offline() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.offline
}

type trackedConn struct {
	net.Conn
	d    *demoNet
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.d.mu.Lock()
		delete(c.d.conns, c)
		c.d.mu.Unlock()
	})
	return c.Conn.Close()
}

// runDemo starts the reference server in-process on loopback with demo data in a temporary
// directory, signs in as the first clerk of the first Amt, syncs, and then runs the TUI (or the
// subcommand in rest). Everything temporary is removed on exit.
func runDemo(a *app, rest []string) int {
	tmp, err := os.MkdirTemp("", "amt-demo-*")
	if err != nil {
		a.errorf("%s", a.T("err.demo", err))
		return exitErr
	}
	defer os.RemoveAll(tmp)

	opts := demoOptions
	if opts.Now.IsZero() {
		opts.Now = demo.Today() // like amt-server --demo: deadlines are judged by today
	}
	data := demo.WithReplyByEmail(demo.Generate(opts))
	// The demo's FIT-Connect: an emulator on loopback with a destination per demo Amt, so new
	// applications arrive through the real path while the clerk works.
	var amts []string
	for _, am := range data.Amts {
		amts = append(amts, am.ID)
	}
	world, err := fcdemo.Start(amts, catalogue.Default(), nil)
	if err != nil {
		a.errorf("%s", a.T("err.demo", err))
		return exitErr
	}
	defer world.Close()
	// The demo's Bescheide go by e-mail to a local mail sink (tmp/mail/*.eml) or by post.
	docs, stopMail, err := server.DemoDocuments(tmp)
	if err != nil {
		a.errorf("%s", a.T("err.demo", err))
		return exitErr
	}
	defer stopMail()
	srv, err := server.New(server.Config{DataDir: filepath.Join(tmp, "server"), Intake: world.IntakeConfig(), Documents: docs})
	if err != nil {
		a.errorf("%s", a.T("err.demo", err))
		return exitErr
	}
	defer srv.Close()
	if err := srv.Seed(data); err != nil {
		a.errorf("%s", a.T("err.demo", err))
		return exitErr
	}
	if err := srv.SeedDocuments(context.Background(), data); err != nil {
		a.errorf("%s", a.T("err.demo", err))
		return exitErr
	}
	if len(data.Amts) == 0 {
		a.errorf("%s", a.T("err.demo", errors.New("no demo data")))
		return exitErr
	}
	var clerk *demo.Clerk
	for i := range data.Clerks {
		if data.Clerks[i].Amt == data.Amts[0].ID {
			clerk = &data.Clerks[i]
			break
		}
	}
	if clerk == nil {
		a.errorf("%s", a.T("err.demo", errors.New("no demo clerk")))
		return exitErr
	}
	token, err := srv.CreateToken(clerk.Amt, clerk.ID, clerk.Role)
	if err != nil {
		a.errorf("%s", a.T("err.demo", err))
		return exitErr
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.errorf("%s", a.T("err.demo", err))
		return exitErr
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer func() {
		srv.Drain()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	}()
	url := "http://" + ln.Addr().String()
	world.SetCallbacks(url)
	demoCtx, stopDemo := context.WithCancel(a.ctx)
	defer stopDemo()
	go world.Run(demoCtx, demoApplicationInterval, nil)

	pass := make([]byte, 24)
	if _, err := rand.Read(pass); err != nil {
		a.errorf("%s", a.T("err.demo", err))
		return exitErr
	}
	dn := newDemoNet()
	defer dn.tr.CloseIdleConnections()
	a.g.data = filepath.Join(tmp, "cache")
	a.g.server = url
	a.cfg.Server = url
	a.demoPassphrase = hex.EncodeToString(pass)
	a.demoTransport = dn.tr
	a.kdf = demoKDF
	os.Unsetenv("AMT_TOKEN") // the demo signs in with its own token

	// Sign in and sync once.
	s, ok := a.openSession(false)
	if !ok {
		return a.fail()
	}
	if c, err := a.newClient(url, token); err == nil {
		s.c = c
	}
	ctx, cancel := context.WithTimeout(a.ctx, 2*time.Minute)
	defer cancel()
	if s.c == nil {
		s.close()
		a.errorf("%s", a.T("err.demo", errors.New("client")))
		return exitErr
	}
	me, err := s.c.Me(ctx)
	if err != nil {
		s.close()
		a.errorf("%s", a.T("err.demo", err))
		return exitErr
	}
	clerks, _ := s.c.Clerks(ctx)
	mb, _ := json.Marshal(me)
	cb, _ := json.Marshal(clerks)
	for k, v := range map[string][]byte{metaServer: []byte(url), metaToken: []byte(token), metaMe: mb, metaClerks: cb} {
		if err := s.st.PutMeta(k, v); err != nil {
			s.close()
			return a.storeErr(err)
		}
	}
	s.me = me
	s.c.Close()
	s.close()

	s, ok = a.openSession(true)
	if !ok {
		return a.fail()
	}
	if err := s.y.SyncOnce(ctx); err != nil {
		s.close()
		a.errorf("%s", a.T("err.demo", err))
		return exitErr
	}
	if len(rest) > 0 {
		s.close()
		fmt.Fprintln(a.stderr, a.T("demo.start", url, me.Clerk))
		return a.dispatch(rest)
	}
	defer s.close()
	return a.startTUI(s, dn)
}
