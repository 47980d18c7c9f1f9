package syncer

import (
	"encoding/json"
	"time"
)

// Pull progress and page sizing for slow lines.

// Progress is how far the pull under way (or the last one) got. It travels in Event.
type Progress struct {
	Loaded int // changes applied (and kept) in this pull
	// Total is Loaded plus what the feed said was left; -1 while unknown.
	Total int
	Bytes int64 // compressed bytes received on the line in this pull
	// Rate is the measured line rate in bytes per second (0 until measured).
	Rate float64
	// Left estimates the time to load the rest (0 when unknown or done).
	Left time.Duration
	// SlowLine says the measured rate is below SlowLineRate: the UI says "Leitung sehr langsam".
	SlowLine bool
}

// SlowLineRate is the rate below which a line counts as very slow: 16 KB/s (128 kbit/s), where a
// full sync of a few thousand cases takes minutes.
const SlowLineRate = 16 << 10

// Page sizing defaults.
const (
	// DefaultPageTarget is how long one page of the change feed should take on the line. Items
	// are kept as they arrive (commitEvery), so a cut loses about two seconds, not a page; the
	// page time only trades the per-request cost against how fast the size follows the line.
	// Each page costs a round trip, headers and a fresh gzip dictionary: over the demo cases
	// pages of 100 cost 7.6 % more bytes than one gzip stream, pages of 200 3.2 %. 15 s is about
	// 200 cases at 4 KB/s, so a first sync there stays within 10 % of the line's floor.
	DefaultPageTarget = 15 * time.Second
	// firstPage is the size of the first page of a pull, before the line is measured.
	firstPage = 100
	// minPage is the smallest page the pager asks for.
	minPage = 20
	// commitEvery is how often a page that is still arriving is applied to the store.
	commitEvery = 2 * time.Second
	// commitItems caps the changes held in memory before they are applied.
	commitItems = 250
	// publishEvery throttles progress events while bytes arrive.
	publishEvery = 250 * time.Millisecond
)

// pager chooses the next page size from the last full page's time on the line: the size that
// would have taken target, at most double the last size (a good line grows the pages again page by
// page), never above max.
type pager struct {
	size, min, max int
	target         time.Duration
}

func newPager(max int, target time.Duration) pager {
	p := pager{size: min(firstPage, max), min: min(minPage, max), max: max, target: target}
	return p
}

// observe learns from a page of items that took elapsed. A short page (the end of the feed) says
// nothing about the line and is ignored.
func (p *pager) observe(items int, elapsed time.Duration) {
	if items < p.size || items <= 0 {
		return
	}
	ideal := p.max
	if elapsed > 0 {
		ideal = int(float64(items) * float64(p.target) / float64(elapsed))
	}
	p.size = max(p.min, min(ideal, 2*p.size, p.max))
}

// meter accumulates the progress of one pull.
type meter struct {
	start       time.Time
	p           Progress
	lastPublish time.Time
}

func (m *meter) bytes(n int64, now time.Time) {
	m.p.Bytes += n
	m.rate(now)
}

func (m *meter) rate(now time.Time) {
	el := now.Sub(m.start)
	if el < time.Second || m.p.Bytes == 0 {
		return
	}
	m.p.Rate = float64(m.p.Bytes) / el.Seconds()
	m.p.SlowLine = m.p.Rate < SlowLineRate
	m.p.Left = 0
	if m.p.Total > m.p.Loaded && m.p.Loaded > 0 {
		perItem := float64(m.p.Bytes) / float64(m.p.Loaded)
		m.p.Left = time.Duration(float64(m.p.Total-m.p.Loaded) * perItem / m.p.Rate * float64(time.Second)).Round(time.Second)
	}
}

func jsonInt(raw []byte, v *int64) error { return json.Unmarshal(raw, v) }
