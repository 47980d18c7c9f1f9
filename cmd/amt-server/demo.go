package main

import (
	"time"

	"github.com/amt-mv/amt/server/demo"
)

// demoData generates the demo data set; n = 0 is the realistic default.
func demoData(n int, ref time.Time) *demo.Data {
	return demo.Generate(demo.Options{Cases: n, Now: ref})
}
