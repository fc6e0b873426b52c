package main

import (
	"context"
	"errors"
	"fmt"
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

func TestMeasureTurns(t *testing.T) {
	var calls []string
	// run returns a function that logs its calls and returns the number of
	// the call, in milliseconds; it fails on call failAt (from 1), if any.
	run := func(name string, failAt int) func(context.Context) (time.Duration, error) {
		n := 0
		return func(context.Context) (time.Duration, error) {
			n++
			calls = append(calls, fmt.Sprintf("%s%d", name, n))
			if n == failAt {
				return 0, errors.New(name + " failed")
			}
			return time.Duration(n) * time.Millisecond, nil
		}
	}
	tests := []struct {
		name      string
		warmups   int
		n         int
		runs      []func(context.Context) (time.Duration, error)
		wantCalls string
		want      [][]time.Duration
		wantErrs  []string
	}{
		{
			name:    "turns, each round starting one later, warm-ups dropped",
			warmups: 1, n: 2,
			runs:      []func(context.Context) (time.Duration, error){run("a", 0), run("b", 0), run("c", 0)},
			wantCalls: "a1 b1 c1 b2 c2 a2 c3 a3 b3",
			want:      [][]time.Duration{ms(2, 3), ms(2, 3), ms(2, 3)},
			wantErrs:  []string{"", "", ""},
		},
		{
			name:    "a failure stops only its own function",
			warmups: 0, n: 3,
			runs:      []func(context.Context) (time.Duration, error){run("a", 0), run("b", 2), run("c", 0)},
			wantCalls: "a1 b1 c1 b2 c2 a2 c3 a3",
			want:      [][]time.Duration{ms(1, 2, 3), nil, ms(1, 2, 3)},
			wantErrs:  []string{"", "b failed", ""},
		},
		{
			name:    "nil is skipped",
			warmups: 0, n: 2,
			runs:      []func(context.Context) (time.Duration, error){run("a", 0), nil, run("c", 0)},
			wantCalls: "a1 c1 c2 a2",
			want:      [][]time.Duration{ms(1, 2), nil, ms(1, 2)},
			wantErrs:  []string{"", "", ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls = nil
			got, errs := measureTurns(t.Context(), tt.warmups, tt.n, tt.runs)
			if c := strings.Join(calls, " "); c != tt.wantCalls {
				t.Errorf("calls = %s, want %s", c, tt.wantCalls)
			}
			for i := range tt.runs {
				if !slices.Equal(got[i], tt.want[i]) {
					t.Errorf("samples[%d] = %v, want %v", i, got[i], tt.want[i])
				}
				gotErr := ""
				if errs[i] != nil {
					gotErr = errs[i].Error()
				}
				if gotErr != tt.wantErrs[i] {
					t.Errorf("errs[%d] = %q, want %q", i, gotErr, tt.wantErrs[i])
				}
			}
		})
	}
}

func TestMeasureTurnsCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	calls := 0
	run := func(context.Context) (time.Duration, error) {
		calls++
		cancel()
		return time.Millisecond, nil
	}
	_, errs := measureTurns(ctx, 0, 5, []func(context.Context) (time.Duration, error){run, run})
	if calls != 1 {
		t.Errorf("%d calls after the context ended in the first, want 1", calls)
	}
	if !errors.Is(errs[1], context.Canceled) {
		t.Errorf("errs[1] = %v, want context.Canceled", errs[1])
	}
}
