package server

import (
	"encoding/binary"
	"io"
	"sync"
)

// Stream types of Docker's multiplexed stream (stdcopy framing).
const (
	streamStdin  byte = 0
	streamStdout byte = 1
	streamStderr byte = 2
)

// muxWriter frames each write as one stdcopy frame: an 8-byte header
// [type, 0, 0, 0, size uint32 big-endian] and the payload. Writers of the
// same stream share the mutex so frames never interleave.
type muxWriter struct {
	mu     *sync.Mutex
	w      io.Writer
	stream byte
	flush  func()
}

func (m *muxWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var hdr [8]byte
	hdr[0] = m.stream
	binary.BigEndian.PutUint32(hdr[4:], uint32(len(p)))
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.w.Write(hdr[:]); err != nil {
		return 0, err
	}
	n, err := m.w.Write(p)
	if err == nil && m.flush != nil {
		m.flush()
	}
	return n, err
}

// rawWriter writes unframed (TTY) output under the same lock discipline.
type rawWriter struct {
	mu    *sync.Mutex
	w     io.Writer
	flush func()
}

func (r *rawWriter) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, err := r.w.Write(p)
	if err == nil && r.flush != nil {
		r.flush()
	}
	return n, err
}

// streamWriters returns the stdout and stderr writers for a client: framed
// unless the container has a TTY.
func streamWriters(w io.Writer, tty bool, flush func()) (stdout, stderr io.Writer) {
	mu := &sync.Mutex{}
	if tty {
		raw := &rawWriter{mu: mu, w: w, flush: flush}
		return raw, raw
	}
	return &muxWriter{mu: mu, w: w, stream: streamStdout, flush: flush},
		&muxWriter{mu: mu, w: w, stream: streamStderr, flush: flush}
}
