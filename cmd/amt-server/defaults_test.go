package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/amt-mv/amt/server"
)

// TestMaxConnsDefaults: the CLI's default max_conns is the server's, and the systemd unit gives
// the service enough file descriptors for it (connections plus headroom for the database, the
// admin socket and a connection waiting for a slot).
func TestMaxConnsDefaults(t *testing.T) {
	for _, st := range settingsTable {
		if st.key == "max_conns" && st.def != strconv.Itoa(server.DefaultMaxConns) {
			t.Fatalf("max_conns default %q, server.DefaultMaxConns %d", st.def, server.DefaultMaxConns)
		}
	}
	f, err := os.Open("../../deploy/amt-server.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	limit := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "LimitNOFILE="); ok {
			if limit, err = strconv.Atoi(v); err != nil {
				t.Fatalf("LimitNOFILE=%s: %v", v, err)
			}
		}
	}
	if limit < 2*server.DefaultMaxConns {
		t.Fatalf("the systemd unit's LimitNOFILE is %d; max_conns defaults to %d", limit, server.DefaultMaxConns)
	}
}
