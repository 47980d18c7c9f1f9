package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/amt-mv/amt/internal/sanitize"
)

// parseAge reads "90d", "12w" or a Go duration ("720h").
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suf, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suf); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v < 0 || int64(v) > math.MaxInt64/int64(unit) {
				return 0, fmt.Errorf("invalid age %q", s)
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid age %q", s)
	}
	return d, nil
}

func cmdPurge(a *app, args []string) int {
	days := a.retentionDays()
	fs := a.newFlags("purge")
	older := fs.String("older-than", strconv.Itoa(days)+"d", a.T("flag.older_than"))
	compact := fs.Bool("compact", true, a.T("flag.compact"))
	if _, err := parseFlags(fs, args); err != nil {
		return flagExit(err)
	}
	age, err := parseAge(*older)
	if err != nil {
		a.errorf("%s", a.T("err.bad_age", sanitize.Line(*older)))
		return exitUsage
	}
	st, ok := a.openStore()
	if !ok {
		return a.fail()
	}
	defer st.Close()
	n, err := st.Purge(time.Now().Add(-age))
	if err != nil {
		return a.storeErr(err)
	}
	if *compact && n > 0 {
		if err := st.Compact(); err != nil {
			return a.storeErr(err)
		}
	}
	a.printf("%s\n", a.T("purge.done", n))
	return exitOK
}
