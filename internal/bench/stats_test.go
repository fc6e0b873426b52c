package main

import (
	"testing"
	"time"
)

func ms(v ...int) []time.Duration {
	d := make([]time.Duration, len(v))
	for i, x := range v {
		d[i] = time.Duration(x) * time.Millisecond
	}
	return d
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name   string
		sorted []time.Duration
		want   time.Duration
	}{
		{"one", ms(7), 7 * time.Millisecond},
		{"odd", ms(1, 2, 9), 2 * time.Millisecond},
		{"even takes the mean of the middle two", ms(1, 2, 4, 9), 3 * time.Millisecond},
		{"even with a half", ms(1, 2), 1500 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := median(tt.sorted); got != tt.want {
				t.Errorf("median(%v) = %v, want %v", tt.sorted, got, tt.want)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	twenty := ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"p90 of 20 is the 18th", twenty, 90, 18 * time.Millisecond},
		{"p50 of 20 is the 10th", twenty, 50, 10 * time.Millisecond},
		{"p100 is the maximum", twenty, 100, 20 * time.Millisecond},
		{"p90 of 10 is the 9th", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
		{"p90 of 3 rounds the rank up", ms(1, 2, 3), 90, 3 * time.Millisecond},
		{"p0 clamps to the minimum", ms(4, 5), 0, 4 * time.Millisecond},
		{"one sample", ms(6), 90, 6 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%v, %v) = %v, want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	samples := ms(30, 10, 20, 50, 40)
	got := summarize(samples)
	want := Stats{N: 5, Median: 30 * time.Millisecond, P90: 50 * time.Millisecond, Min: 10 * time.Millisecond, Max: 50 * time.Millisecond}
	if got != want {
		t.Errorf("summarize(%v) = %+v, want %+v", samples, got, want)
	}
	if samples[0] != 30*time.Millisecond {
		t.Errorf("summarize sorted its input: %v", samples)
	}
	if got := summarize(nil); got != (Stats{}) {
		t.Errorf("summarize(nil) = %+v, want the zero Stats", got)
	}
}
