package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// runTimeout bounds one timed command; a container start takes milliseconds.
const runTimeout = 60 * time.Second

// measure calls run warmups+n times, one after another, and returns the
// wall times of the last n. i numbers the calls from 0, warm-ups included.
func measure(ctx context.Context, warmups, n int, run func(ctx context.Context, i int) (time.Duration, error)) ([]time.Duration, error) {
	samples := make([]time.Duration, 0, n)
	for i := range warmups + n {
		d, err := run(ctx, i)
		if err != nil {
			return nil, err
		}
		if i >= warmups {
			samples = append(samples, d)
		}
	}
	return samples, nil
}

// timeExec runs argv and returns its wall time, from just before the fork
// to just after the exit has been reaped. A non-zero exit is an error that
// quotes what the command printed.
func timeExec(ctx context.Context, argv []string, env []string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out // one pipe: the lines in order
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		return 0, commandError(argv, err, out.Bytes())
	}
	return elapsed, nil
}

// timeExecOutput is timeExec that also returns the command's standard
// output, even when it failed: what it printed up to the failure. The
// error quotes the last line of the standard error, or of the standard
// output when the command printed no error.
func timeExecOutput(ctx context.Context, argv []string, env []string) (time.Duration, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		// A failing command says why on its standard error, if anywhere.
		printed := stderr.Bytes()
		if len(bytes.TrimSpace(printed)) == 0 {
			printed = stdout.Bytes()
		}
		return 0, stdout.Bytes(), commandError(argv, err, printed)
	}
	return elapsed, stdout.Bytes(), nil
}

// output runs argv (not timed) and returns its standard output.
func output(ctx context.Context, argv []string, env []string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, commandError(argv, err, stderr.Bytes())
	}
	return out, nil
}

// commandError describes a failed command with the last line it printed.
func commandError(argv []string, err error, printed []byte) error {
	msg := strings.TrimSpace(string(printed))
	if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
		msg = msg[i+1:]
	}
	if msg == "" {
		return fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	return fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, msg)
}

// measureTurns calls each of runs warmups+n times, taking turns: in each
// round, every one once, each round starting one later than the round
// before (a b c, b c a, c a b…), so that each goes first as often as the
// others and a drift of the machine's speed favours none. It returns the
// wall times of the last n calls of each, and the error of each one that
// failed: a function that fails is not called again, and the others go
// on. A nil function is skipped.
func measureTurns(ctx context.Context, warmups, n int, runs []func(context.Context) (time.Duration, error)) ([][]time.Duration, []error) {
	samples := make([][]time.Duration, len(runs))
	errs := make([]error, len(runs))
	for round := range warmups + n {
		for k := range runs {
			i := (round + k) % len(runs)
			run := runs[i]
			if run == nil || errs[i] != nil {
				continue
			}
			if err := ctx.Err(); err != nil {
				errs[i] = err
				continue
			}
			d, err := run(ctx)
			if err != nil {
				errs[i] = err
				samples[i] = nil
				continue
			}
			if round >= warmups {
				samples[i] = append(samples[i], d)
			}
		}
	}
	return samples, errs
}

// recordTurns records in rows what measureTurns returned for runs, one
// per row (nil for a row that is not timed): each row's samples, or its
// error.
func recordTurns(rows []Row, runs []func(context.Context) (time.Duration, error), samples [][]time.Duration, errs []error) {
	for i := range rows {
		switch {
		case errs[i] != nil:
			rows[i].Err = errs[i].Error()
		case runs[i] != nil:
			rows[i].Samples = samples[i]
		}
	}
}
