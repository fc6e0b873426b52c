package main

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMeasure(t *testing.T) {
	var calls []int
	run := func(_ context.Context, i int) (time.Duration, error) {
		calls = append(calls, i)
		return time.Duration(i) * time.Millisecond, nil
	}
	got, err := measure(t.Context(), 3, 4, run)
	if err != nil {
		t.Fatalf("measure() error = %v", err)
	}
	if want := ms(3, 4, 5, 6); !slices.Equal(got, want) {
		t.Errorf("measure() = %v, want %v (warm-ups dropped)", got, want)
	}
	if want := []int{0, 1, 2, 3, 4, 5, 6}; !slices.Equal(calls, want) {
		t.Errorf("run called with %v, want %v", calls, want)
	}
}

func TestMeasureStopsAtFirstError(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	_, err := measure(t.Context(), 1, 5, func(context.Context, int) (time.Duration, error) {
		calls++
		if calls == 2 {
			return 0, boom
		}
		return time.Millisecond, nil
	})
	if !errors.Is(err, boom) || calls != 2 {
		t.Errorf("measure() = %v after %d calls, want %v after 2", err, calls, boom)
	}
}

func TestTimeExec(t *testing.T) {
	d, err := timeExec(t.Context(), []string{"sleep", "0.05"}, nil)
	if err != nil {
		t.Fatalf("timeExec(sleep 0.05) error = %v", err)
	}
	if d < 50*time.Millisecond || d > 5*time.Second {
		t.Errorf("timeExec(sleep 0.05) = %v, want about 50ms", d)
	}
	_, err = timeExec(t.Context(), []string{"sh", "-c", "echo first; echo last >&2; exit 3"}, nil)
	if err == nil || !strings.Contains(err.Error(), "exit status 3: last") {
		t.Errorf("timeExec(exit 3) error = %v, want the exit status and the last line printed", err)
	}
}
