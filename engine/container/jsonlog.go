package container

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"sync"
	"time"

	"bolsillo/engine/backend"
)

// logEntry is one line of a json-file log, Docker's default log format:
// {"log":"hola\n","stream":"stdout","time":"2026-11-28T02:00:00.123456789Z"}
type logEntry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

// maxLogLine is where a line without a newline is cut, as Docker does, so a
// process that never prints a newline cannot grow one entry without bound.
const maxLogLine = 16 * 1024

// jsonLog appends the output of a container's main process to its log file.
type jsonLog struct {
	mu  sync.Mutex
	enc *json.Encoder
	f   *os.File
	now func() time.Time
}

func openJSONLog(path string) (*jsonLog, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return nil, err
	}
	return &jsonLog{enc: json.NewEncoder(f), f: f, now: time.Now}, nil
}

func (l *jsonLog) write(stream string, line []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.enc.Encode(logEntry{Log: string(line), Stream: stream, Time: l.now().UTC()})
}

func (l *jsonLog) Close() error { return l.f.Close() }

// lineWriter splits a stream into lines and logs each one.
type lineWriter struct {
	log    *jsonLog
	stream string
	buf    []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		if err := w.log.write(w.stream, w.buf[:i+1]); err != nil {
			return 0, err
		}
		w.buf = w.buf[i+1:]
	}
	for len(w.buf) >= maxLogLine {
		if err := w.log.write(w.stream, w.buf[:maxLogLine]); err != nil {
			return 0, err
		}
		w.buf = w.buf[maxLogLine:]
	}
	return len(p), nil
}

// flush logs a last line that had no newline.
func (w *lineWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	err := w.log.write(w.stream, w.buf)
	w.buf = nil
	return err
}

// readLogs sends the entries of the log at path that match opts to fn.
// With Follow it keeps reading as the file grows until running reports
// false and the file has been read to its end, or ctx is done.
func readLogs(ctx context.Context, path string, opts backend.LogOptions, running func() bool, fn func(backend.LogMessage) error) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // never started: no log yet
	}
	if err != nil {
		return err
	}
	defer f.Close()

	match := func(e logEntry) bool {
		switch {
		case e.Stream == "stdout" && !opts.Stdout, e.Stream == "stderr" && !opts.Stderr:
			return false
		case !opts.Since.IsZero() && e.Time.Before(opts.Since):
			return false
		case !opts.Until.IsZero() && e.Time.After(opts.Until):
			return false
		}
		return true
	}
	send := func(e logEntry) error {
		return fn(backend.LogMessage{Stream: e.Stream, Time: e.Time, Line: []byte(e.Log)})
	}

	r := bufio.NewReader(f)
	// The first pass honours Tail: keep only the last N matching entries.
	var tail []logEntry
	var partial []byte
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			var e logEntry
			if json.Unmarshal(append(partial, line...), &e) == nil && match(e) {
				if opts.Tail < 0 {
					if err := send(e); err != nil {
						return err
					}
				} else if opts.Tail > 0 {
					tail = append(tail, e)
					if len(tail) > opts.Tail {
						tail = tail[1:]
					}
				}
			}
			partial = nil
		} else {
			partial = append(partial, line...)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	for _, e := range tail {
		if err := send(e); err != nil {
			return err
		}
	}
	if !opts.Follow {
		return nil
	}

	// Follow: poll for new lines until the container stops and the file is
	// drained. Polling keeps the writer free of any reader bookkeeping.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		stopped := !running()
		for {
			line, err := r.ReadBytes('\n')
			partial = append(partial, line...)
			if err != nil {
				break
			}
			var e logEntry
			if json.Unmarshal(partial, &e) == nil && match(e) {
				if err := send(e); err != nil {
					return err
				}
			}
			partial = nil
		}
		if stopped {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
