package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
)

// hijack takes over the connection of an attach or exec start and answers
// as moby does: 101 UPGRADED when the client asked for an upgrade (the
// docker CLI, docker-py), 200 otherwise, with the raw stream content type
// for a TTY (and for clients older than API 1.42) and the multiplexed one
// otherwise. The header goes out before any output: docker-py reads the
// socket under http.client's buffer, so bytes sent with it would be lost.
func hijack(w http.ResponseWriter, r *http.Request, tty bool) (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("connection cannot be hijacked")
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	contentType := "application/vnd.docker.raw-stream"
	if !tty && compareVersions(apiVersion(r), "1.42") >= 0 {
		contentType = "application/vnd.docker.multiplexed-stream"
	}
	if r.Header.Get("Upgrade") != "" {
		fmt.Fprintf(conn, "HTTP/1.1 101 UPGRADED\r\nContent-Type: %s\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", contentType)
	} else {
		fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n\r\n", contentType)
	}
	return conn, brw, nil
}

// closeWrite half-closes a hijacked connection: the client sees the end of
// the output while it may still be sending.
func closeWrite(conn net.Conn) {
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
}

// lateConn stands for a hijacked connection before it exists: the streams
// of an attach are handed to the engine first and the connection is taken
// over only when the engine has registered them. Reads and writes wait
// until then; if the hijack failed they fail.
type lateConn struct {
	ready chan struct{}
	once  sync.Once
	conn  net.Conn
	r     io.Reader
	err   error
}

func newLateConn() *lateConn { return &lateConn{ready: make(chan struct{})} }

// set records the hijacked connection, or why there is none, and releases
// the waiting readers and writers. Only the first call counts.
func (l *lateConn) set(conn net.Conn, brw *bufio.ReadWriter, err error) {
	l.once.Do(func() {
		l.conn, l.err = conn, err
		if brw != nil {
			l.r = brw.Reader
		}
		close(l.ready)
	})
}

func (l *lateConn) isSet() bool {
	select {
	case <-l.ready:
		return true
	default:
		return false
	}
}

func (l *lateConn) Read(p []byte) (int, error) {
	<-l.ready
	if l.err != nil {
		return 0, l.err
	}
	return l.r.Read(p)
}

func (l *lateConn) Write(p []byte) (int, error) {
	<-l.ready
	if l.err != nil {
		return 0, l.err
	}
	return l.conn.Write(p)
}
