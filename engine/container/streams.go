package container

import (
	"io"
	"sync"
)

// broadcaster copies one output stream of the main process to the log and
// to every attached client. A client whose connection fails is dropped; the
// log and the process never wait for it to come back.
type broadcaster struct {
	mu      sync.Mutex
	writers map[*attachedWriter]struct{}
}

type attachedWriter struct {
	w    io.Writer
	done chan struct{} // closed when the writer is dropped
	once sync.Once
}

func (a *attachedWriter) drop() { a.once.Do(func() { close(a.done) }) }

func newBroadcaster() *broadcaster {
	return &broadcaster{writers: make(map[*attachedWriter]struct{})}
}

func (b *broadcaster) add(w io.Writer) *attachedWriter {
	a := &attachedWriter{w: w, done: make(chan struct{})}
	b.mu.Lock()
	b.writers[a] = struct{}{}
	b.mu.Unlock()
	return a
}

func (b *broadcaster) remove(a *attachedWriter) {
	b.mu.Lock()
	delete(b.writers, a)
	b.mu.Unlock()
	a.drop()
}

func (b *broadcaster) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for a := range b.writers {
		if _, err := a.w.Write(p); err != nil {
			delete(b.writers, a)
			a.drop()
		}
	}
	return len(p), nil
}

// output fans a process stream out to its log writer and the broadcaster.
type output struct {
	log   *lineWriter
	bcast *broadcaster
}

func (o output) Write(p []byte) (int, error) {
	// The log comes first: it is the record `logs` reads back later.
	if _, err := o.log.Write(p); err != nil {
		return 0, err
	}
	return o.bcast.Write(p)
}

// detachReader passes stdin through until the detach sequence is typed
// (ctrl-p ctrl-q by default), then reports io.EOF with detached set. Bytes
// that start the sequence are held back until it is clear whether they are
// the sequence or ordinary input.
type detachReader struct {
	r        io.Reader
	keys     []byte
	matched  int
	pending  []byte
	buf      []byte
	detached bool
}

func (d *detachReader) Read(p []byte) (int, error) {
	if len(d.keys) == 0 {
		return d.r.Read(p)
	}
	for len(d.pending) == 0 {
		if d.detached {
			return 0, io.EOF
		}
		if cap(d.buf) == 0 {
			d.buf = make([]byte, 32*1024)
		}
		n, err := d.r.Read(d.buf[:cap(d.buf)])
		for _, c := range d.buf[:n] {
			if d.detached {
				break
			}
			if c == d.keys[d.matched] {
				d.matched++
				if d.matched == len(d.keys) {
					d.detached = true
				}
				continue
			}
			d.pending = append(d.pending, d.keys[:d.matched]...)
			d.matched = 0
			if c == d.keys[0] {
				d.matched = 1
				continue
			}
			d.pending = append(d.pending, c)
		}
		if err != nil && len(d.pending) == 0 {
			return 0, err
		}
		if err != nil {
			break
		}
	}
	n := copy(p, d.pending)
	d.pending = d.pending[n:]
	return n, nil
}

// DefaultDetachKeys is Docker's ctrl-p,ctrl-q.
var DefaultDetachKeys = []byte{0x10, 0x11}
