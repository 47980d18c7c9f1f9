package bench

import (
	"math"
	"slices"
	"time"
)

// Samples collects durations and answers percentiles.
type Samples struct {
	d      []time.Duration
	sorted bool
}

// Add records one duration.
func (s *Samples) Add(d time.Duration) {
	s.d = append(s.d, d)
	s.sorted = false
}

// Len is the number of samples.
func (s *Samples) Len() int { return len(s.d) }

// Percentile returns the p-th percentile (0 < p <= 100, nearest rank); 0 without samples.
func (s *Samples) Percentile(p float64) time.Duration {
	if len(s.d) == 0 {
		return 0
	}
	if !s.sorted {
		slices.Sort(s.d)
		s.sorted = true
	}
	rank := int(math.Ceil(p / 100 * float64(len(s.d))))
	rank = min(max(rank, 1), len(s.d))
	return s.d[rank-1]
}

// Median is the 50th percentile.
func (s *Samples) Median() time.Duration { return s.Percentile(50) }

// Max is the largest sample.
func (s *Samples) Max() time.Duration { return s.Percentile(100) }

// Ms converts a duration to milliseconds for b.ReportMetric.
func Ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
