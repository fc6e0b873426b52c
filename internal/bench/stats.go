package main

import (
	"math"
	"slices"
	"time"
)

// Stats summarises the wall times of one measured command.
type Stats struct {
	N      int
	Median time.Duration
	P90    time.Duration
	Min    time.Duration
	Max    time.Duration
}

// summarize returns the statistics of samples; the zero Stats for none.
// samples is not modified.
func summarize(samples []time.Duration) Stats {
	if len(samples) == 0 {
		return Stats{}
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	return Stats{
		N:      len(sorted),
		Median: median(sorted),
		P90:    percentile(sorted, 90),
		Min:    sorted[0],
		Max:    sorted[len(sorted)-1],
	}
}

// median returns the middle value of sorted, or the mean of the two middle
// values when their number is even. sorted must not be empty.
func median(sorted []time.Duration) time.Duration {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// percentile returns the nearest-rank p-th percentile of sorted: the
// smallest sample that is greater than or equal to p percent of the samples.
// p is clamped to (0, 100]; sorted must not be empty.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}
