// Package benchratio measures a benchmark as a ratio to a baseline run in
// the same process. The machines pricekit is measured on are shared: other
// tenants take the CPU and the caches, and absolute times move 2× between
// runs while the ratio of two measurements taken side by side holds. So the
// subject and its baseline take turns, round by round, each timed in CPU
// time of the process (user + system, all threads), and the result is the
// median of the per-round ratios.
package benchratio

import (
	"slices"
	"syscall"
	"testing"
	"time"
)

// CPU returns the CPU time the process has used so far.
func CPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Measure runs subject and baseline in turns, one round per iteration of
// b.Loop, and reports the median of subject ÷ baseline CPU time per round
// as the metric "x-baseline", with the medians of each side's CPU time per
// call ("subject-ns", "baseline-ns"). Each side runs reps times a round,
// enough to take a few milliseconds when one call is quick. It returns the
// median ratio.
func Measure(b *testing.B, reps int, subject, baseline func()) float64 {
	b.Helper()
	return MeasureWith(b, reps, nil, subject, baseline)
}

// MeasureWith is Measure with setup run, untimed, before each round's
// subject (a fresh store to ingest into, say).
func MeasureWith(b *testing.B, reps int, setup, subject, baseline func()) float64 {
	b.Helper()
	reps = max(reps, 1)
	var ratios, subj, base []float64
	timed := func(f func()) float64 {
		start := CPU()
		for range reps {
			f()
		}
		return float64(CPU()-start) / float64(reps)
	}
	for b.Loop() {
		if setup != nil {
			b.StopTimer()
			setup()
			b.StartTimer()
		}
		s := timed(subject)
		bl := timed(baseline)
		if bl <= 0 {
			continue
		}
		subj, base, ratios = append(subj, s), append(base, bl), append(ratios, s/bl)
	}
	m := Median(ratios)
	b.ReportMetric(m, "x-baseline")
	b.ReportMetric(Median(subj), "subject-ns")
	b.ReportMetric(Median(base), "baseline-ns")
	return m
}

// Median returns the median of xs (0 when empty).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}
