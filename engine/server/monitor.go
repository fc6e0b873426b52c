package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/user"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// MonitorPath is where bolsillod streams every API call it serves, one JSON
// object per line, to whoever subscribes. It lives outside Docker's routes.
const MonitorPath = "/bolsillo/monitor"

// monitorBuffer is how many records a subscriber may fall behind before the
// next ones are dropped for it: a slow subscriber never slows a request.
const monitorBuffer = 256

// MonitorRecord is one API call as the monitor streams it.
type MonitorRecord struct {
	Time      time.Time     // when the request arrived
	Method    string        `json:",omitempty"`
	URI       string        `json:",omitempty"` // path and query, as the client sent them
	Status    int           `json:",omitempty"` // 101 for an attach or exec start taken over
	Duration  time.Duration `json:",omitempty"` // until the answer ended, or until the take-over
	UserAgent string        `json:",omitempty"`
	Error     string        `json:",omitempty"` // the message of an error answer
	PeerUID   *uint32       `json:",omitempty"` // the client process, from SO_PEERCRED
	PeerPID   *int32        `json:",omitempty"`
	// Dropped, alone in a record, counts the calls this subscriber missed
	// because it read too slowly.
	Dropped int64 `json:",omitempty"`
}

// peerCred is the process at the other end of a unix socket connection.
type peerCred struct {
	UID, GID uint32
	PID      int32
}

// monitor fans the record of every request out to its subscribers. The zero
// value is ready: with no subscriber a request costs one atomic load.
type monitor struct {
	watchers atomic.Int32
	mu       sync.Mutex
	subs     map[*subscriber]struct{}

	// peer returns the credentials of r's client; nil means SO_PEERCRED
	// on the connection ConnContext stored. Tests replace it.
	peer func(r *http.Request) (peerCred, bool)
	// member reports whether cred may subscribe although it is not root;
	// nil means: it belongs to the group that owns the socket.
	member func(r *http.Request, cred peerCred) (bool, string)
}

type subscriber struct {
	ch      chan MonitorRecord
	dropped atomic.Int64
}

// watching reports whether anyone is subscribed.
func (m *monitor) watching() bool { return m.watchers.Load() > 0 }

func (m *monitor) subscribe() *subscriber {
	s := &subscriber{ch: make(chan MonitorRecord, monitorBuffer)}
	m.mu.Lock()
	if m.subs == nil {
		m.subs = map[*subscriber]struct{}{}
	}
	m.subs[s] = struct{}{}
	m.mu.Unlock()
	m.watchers.Add(1)
	return s
}

func (m *monitor) unsubscribe(s *subscriber) {
	m.mu.Lock()
	delete(m.subs, s)
	m.mu.Unlock()
	m.watchers.Add(-1)
}

// publish hands rec to every subscriber without ever waiting for one.
func (m *monitor) publish(rec MonitorRecord) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for s := range m.subs {
		select {
		case s.ch <- rec:
		default:
			s.dropped.Add(1)
		}
	}
}

// observe wraps w to record the request when its answer ends (or when the
// connection is taken over, for attach and exec start); call done at the end
// of the request.
func (m *monitor) observe(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, func()) {
	rw := &recordingWriter{ResponseWriter: w, m: m, r: r, start: time.Now()}
	return rw, rw.done
}

// recordingWriter remembers the status and the start of an error body.
type recordingWriter struct {
	http.ResponseWriter
	m        *monitor
	r        *http.Request
	start    time.Time
	status   int
	errBody  []byte
	hijacked bool
}

func (w *recordingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.status >= 400 && len(w.errBody) < 1024 {
		w.errBody = append(w.errBody, p[:min(len(p), 1024-len(w.errBody))]...)
	}
	return w.ResponseWriter.Write(p)
}

func (w *recordingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		if w.status == 0 {
			w.status = http.StatusOK
		}
		f.Flush()
	}
}

// Hijack takes the connection over and records the request at once: from
// here on it is a raw stream, no longer an HTTP exchange.
func (w *recordingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("connection cannot be hijacked")
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.hijacked = true
	// hijack answers 101 to a client that asked for an upgrade, 200 otherwise.
	w.status = http.StatusOK
	if w.r.Header.Get("Upgrade") != "" {
		w.status = http.StatusSwitchingProtocols
	}
	w.m.publish(w.record())
	return conn, brw, nil
}

func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *recordingWriter) done() {
	if w.hijacked {
		return
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.m.publish(w.record())
}

func (w *recordingWriter) record() MonitorRecord {
	rec := MonitorRecord{
		Time:      w.start,
		Method:    w.r.Method,
		URI:       w.r.URL.RequestURI(),
		Status:    w.status,
		Duration:  time.Since(w.start),
		UserAgent: w.r.UserAgent(),
	}
	if len(w.errBody) > 0 {
		var e struct{ Message string }
		if json.Unmarshal(w.errBody, &e) == nil {
			rec.Error = e.Message
		}
	}
	if cred, ok := w.m.peerOf(w.r); ok {
		rec.PeerUID, rec.PeerPID = &cred.UID, &cred.PID
	}
	return rec
}

// isMonitorPath accepts the monitor path with or without an API version.
func isMonitorPath(path string) bool {
	if m := versionPrefix.FindStringSubmatch(path); m != nil {
		path = m[2]
	}
	return path == MonitorPath
}

// serveSubscription serves GET /bolsillo/monitor and reports whether r was
// that request. Its own requests are not recorded.
func (m *monitor) serveSubscription(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet || !isMonitorPath(r.URL.Path) {
		return false
	}
	if ok, why := m.allowed(r); !ok {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": why})
		return true
	}
	s := m.subscribe()
	defer m.unsubscribe(s)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for {
		select {
		case <-r.Context().Done():
			return true
		case rec := <-s.ch:
			if n := s.dropped.Swap(0); n > 0 {
				if enc.Encode(MonitorRecord{Dropped: n}) != nil {
					return true
				}
			}
			if enc.Encode(rec) != nil {
				return true
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
	}
}

// allowed lets root and the members of the socket's group subscribe, as the
// socket's 0660 mode lets them use the API. A client without credentials
// (TCP) is let in: a TCP listener already gives the whole API to anyone.
func (m *monitor) allowed(r *http.Request) (bool, string) {
	cred, ok := m.peerOf(r)
	if !ok || cred.UID == 0 {
		return true, ""
	}
	member := m.member
	if member == nil {
		member = socketGroupMember
	}
	return member(r, cred)
}

func (m *monitor) peerOf(r *http.Request) (peerCred, bool) {
	if m.peer != nil {
		return m.peer(r)
	}
	ci, _ := r.Context().Value(connKey{}).(*connInfo)
	if ci == nil {
		return peerCred{}, false
	}
	return ci.credentials()
}

// socketGroupMember reports whether cred's process belongs to the group that
// owns the unix socket r arrived on, and if not, says why in Spanish.
func socketGroupMember(r *http.Request, cred peerCred) (bool, string) {
	ci, _ := r.Context().Value(connKey{}).(*connInfo)
	var gid uint32
	found := false
	if ci != nil {
		if a, ok := ci.conn.LocalAddr().(*net.UnixAddr); ok {
			if fi, err := os.Stat(a.Name); err == nil {
				if st, ok := fi.Sys().(*syscall.Stat_t); ok {
					gid, found = st.Gid, true
				}
			}
		}
	}
	if found && inGroup(cred, gid) {
		return true, ""
	}
	group := SocketGroup
	if found {
		group = strconv.FormatUint(uint64(gid), 10)
		if g, err := user.LookupGroupId(group); err == nil {
			group = g.Name
		}
	}
	return false, fmt.Sprintf("el monitor de la API muestra las peticiones de todos los usuarios: "+
		"solo pueden verlo root y los miembros del grupo %q, el dueño del socket "+
		"(tu usuario, uid %d, no está en él: añádelo con `sudo usermod -aG %s TU_USUARIO` y vuelve a entrar)",
		group, cred.UID, group)
}

// inGroup reports whether the process of cred has gid as its group or as one
// of its supplementary groups.
func inGroup(cred peerCred, gid uint32) bool {
	if cred.GID == gid {
		return true
	}
	if cred.PID > 0 {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cred.PID)); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if groups, ok := strings.CutPrefix(line, "Groups:"); ok {
					for _, g := range strings.Fields(groups) {
						if g == strconv.FormatUint(uint64(gid), 10) {
							return true
						}
					}
					return false
				}
			}
		}
	}
	u, err := user.LookupId(strconv.FormatUint(uint64(cred.UID), 10))
	if err != nil {
		return false
	}
	ids, _ := u.GroupIds()
	for _, g := range ids {
		if g == strconv.FormatUint(uint64(gid), 10) {
			return true
		}
	}
	return false
}

type connKey struct{}

// connInfo is the connection a request arrived on; its peer credentials
// are read only when the monitor needs them, once per connection.
type connInfo struct {
	conn net.Conn
	once sync.Once
	cred peerCred
	ok   bool
}

func (c *connInfo) credentials() (peerCred, bool) {
	c.once.Do(func() { c.cred, c.ok = unixPeer(c.conn) })
	return c.cred, c.ok
}

// ConnContext keeps the connection in the context of its requests, so that
// the monitor can tell which process sent each one (SO_PEERCRED). Set it as
// the http.Server's ConnContext.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, &connInfo{conn: c})
}

// unixPeer reads SO_PEERCRED from a unix socket connection.
func unixPeer(c net.Conn) (peerCred, bool) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return peerCred{}, false
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return peerCred{}, false
	}
	var ucred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		ucred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil || credErr != nil {
		return peerCred{}, false
	}
	return peerCred{UID: ucred.Uid, GID: ucred.Gid, PID: ucred.Pid}, true
}
