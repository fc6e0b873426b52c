package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
)

// unixServer serves s on a unix socket with ConnContext set, as bolsillod
// does, and returns an HTTP client for it and the socket path.
func unixServer(t *testing.T, s *Server) (*http.Client, string) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "api.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s, ConnContext: ConnContext}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	c := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
	t.Cleanup(c.CloseIdleConnections)
	return c, sock
}

// subscribe opens the monitor stream and returns a decoder of its records.
func subscribe(t *testing.T, c *http.Client) *json.Decoder {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://bolsillod"+MonitorPath, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 {
		t.Fatalf("subscribing: status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body)
}

func nextRecord(t *testing.T, dec *json.Decoder) MonitorRecord {
	t.Helper()
	got := make(chan MonitorRecord, 1)
	errc := make(chan error, 1)
	go func() {
		var rec MonitorRecord
		if err := dec.Decode(&rec); err != nil {
			errc <- err
			return
		}
		got <- rec
	}()
	select {
	case rec := <-got:
		return rec
	case err := <-errc:
		t.Fatalf("reading the monitor: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no record from the monitor within 5 s")
	}
	return MonitorRecord{}
}

// Every request is recorded with its status, user agent and the client's
// process (SO_PEERCRED); an attach is recorded when the connection is taken
// over, with 101; the monitor's own request is not recorded.
func TestMonitorRecords(t *testing.T) {
	attachDone := make(chan struct{})
	fb := &fakeBackend{
		inspect: func(ref string) (*apicontainer.InspectResponse, error) {
			return nil, errdefs.NotFound("No such container: %s", ref)
		},
		attach: func(ctx context.Context, ref string, opts backend.AttachOptions) error {
			opts.Attached()
			<-attachDone // the container keeps running
			return nil
		},
	}
	s := New(fb, nil)
	c, sock := unixServer(t, s)
	dec := subscribe(t, c)

	do := func(method, uri, ua string) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://bolsillod"+uri, nil)
		req.Header.Set("User-Agent", ua)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	do("HEAD", "/_ping", "Docker-Client/28.2.2 (linux)")
	do("GET", "/v1.50/containers/nada/json", "docker-sdk-python/7.1.0")
	do("POST", "/v1.50/containers/web/start", "bolsillo/0.1.0")

	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /v1.50/containers/web/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: x\r\n"+
		"User-Agent: Docker-Client/28.2.2 (linux)\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
	if line, _ := bufio.NewReader(conn).ReadString('\n'); line != "HTTP/1.1 101 UPGRADED\r\n" {
		t.Fatalf("attach status line = %q", line)
	}

	want := []struct {
		method, uri, ua, err string
		status               int
	}{
		{"HEAD", "/_ping", "Docker-Client/28.2.2 (linux)", "", 200},
		{"GET", "/v1.50/containers/nada/json", "docker-sdk-python/7.1.0", "No such container: nada", 404},
		{"POST", "/v1.50/containers/web/start", "bolsillo/0.1.0", "", 304},
		{"POST", "/v1.50/containers/web/attach?stream=1&stdout=1", "Docker-Client/28.2.2 (linux)", "", 101},
	}
	for _, w := range want {
		rec := nextRecord(t, dec)
		if rec.Method != w.method || rec.URI != w.uri || rec.Status != w.status || rec.UserAgent != w.ua || rec.Error != w.err {
			t.Errorf("record = %+v, want %s %s %d %q error %q", rec, w.method, w.uri, w.status, w.ua, w.err)
		}
		if rec.PeerUID == nil || *rec.PeerUID != uint32(os.Getuid()) || rec.PeerPID == nil || *rec.PeerPID != int32(os.Getpid()) {
			t.Errorf("peer of %s %s = uid %v pid %v, want uid %d pid %d", rec.Method, rec.URI, rec.PeerUID, rec.PeerPID, os.Getuid(), os.Getpid())
		}
		if rec.Time.IsZero() || rec.Duration <= 0 || rec.Duration > 5*time.Second {
			t.Errorf("time %v, duration %v", rec.Time, rec.Duration)
		}
	}
	close(attachDone)
}

// Only root and the members of the socket's group may subscribe.
func TestMonitorForbidden(t *testing.T) {
	tests := []struct {
		name     string
		cred     peerCred
		hasCred  bool
		member   bool
		wantCode int
	}{
		{"root", peerCred{UID: 0, GID: 0, PID: 1}, true, false, 200},
		{"member", peerCred{UID: 1000, GID: 1000, PID: 2}, true, true, 200},
		{"not a member", peerCred{UID: 1000, GID: 1000, PID: 2}, true, false, 403},
		{"tcp, no credentials", peerCred{}, false, false, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(&fakeBackend{}, nil)
			s.monitor.peer = func(*http.Request) (peerCred, bool) { return tt.cred, tt.hasCred }
			s.monitor.member = func(_ *http.Request, cred peerCred) (bool, string) {
				if cred != tt.cred {
					t.Errorf("member asked about %+v, want %+v", cred, tt.cred)
				}
				if tt.member {
					return true, ""
				}
				return false, "no eres del grupo"
			}
			srv := httptest.NewServer(s)
			defer srv.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+MonitorPath, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.wantCode {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantCode)
			}
			if tt.wantCode == 403 {
				body, _ := io.ReadAll(resp.Body)
				if !strings.Contains(string(body), `"message":"no eres del grupo"`) || resp.Header.Get("Content-Type") != "application/json" {
					t.Errorf("403 body = %s (%s)", body, resp.Header.Get("Content-Type"))
				}
				if s.monitor.watching() {
					t.Error("a refused client is subscribed")
				}
			}
		})
	}
}

// The default membership check reads the group that owns the socket the
// request came in on.
func TestSocketGroupMember(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "api.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := net.Dial("unix", sock); err == nil {
			defer c.Close()
			time.Sleep(time.Second)
		}
	}()
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	sockGID := fi.Sys().(*syscall.Stat_t).Gid
	r := httptest.NewRequest("GET", MonitorPath, nil)
	r = r.WithContext(ConnContext(r.Context(), conn))

	// 65534 is nobody: in no group but its own on Debian.
	const nobody = 65534
	tests := []struct {
		name string
		cred peerCred
		want bool
	}{
		{"primary group is the socket's", peerCred{UID: nobody, GID: sockGID}, true},
		{"another group", peerCred{UID: nobody, GID: nobody + 1}, sockGID == nobody},
		{"supplementary group of a live process", peerCred{UID: nobody, GID: nobody + 1, PID: int32(os.Getpid())}, hasGroup(t, sockGID)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := socketGroupMember(r, tt.cred)
			if got != tt.want {
				t.Errorf("socketGroupMember(%+v) = %v (%s), want %v (socket gid %d)", tt.cred, got, why, tt.want, sockGID)
			}
			if !got && !strings.Contains(why, "solo pueden verlo root y los miembros del grupo") {
				t.Errorf("refusal = %q, want the Spanish explanation", why)
			}
		})
	}
}

// hasGroup reports whether this test process has gid as a supplementary group.
func hasGroup(t *testing.T, gid uint32) bool {
	groups, err := os.Getgroups()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		if uint32(g) == gid {
			return true
		}
	}
	return false
}

// A subscriber that does not read loses records; requests never wait.
func TestMonitorSlowSubscriberDrops(t *testing.T) {
	var m monitor
	slow := m.subscribe()
	done := make(chan struct{})
	go func() {
		for i := 0; i < monitorBuffer+10; i++ {
			m.publish(MonitorRecord{Method: "GET", URI: "/_ping"})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("publish blocked on a slow subscriber")
	}
	if got := len(slow.ch); got != monitorBuffer {
		t.Errorf("buffered = %d, want %d", got, monitorBuffer)
	}
	if got := slow.dropped.Load(); got != 10 {
		t.Errorf("dropped = %d, want 10", got)
	}
	m.unsubscribe(slow)
	if m.watching() {
		t.Error("still watching after the last subscriber left")
	}
}

// When the subscriber hangs up, the daemon stops recording.
func TestMonitorUnsubscribesOnHangUp(t *testing.T) {
	s := New(&fakeBackend{}, nil)
	c, _ := unixServer(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://bolsillod/v1.50"+MonitorPath, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if !s.monitor.watching() {
		t.Fatal("not watching after subscribing")
	}
	cancel()
	resp.Body.Close()
	deadline := time.Now().Add(5 * time.Second)
	for s.monitor.watching() {
		if time.Now().After(deadline) {
			t.Fatal("still watching 5 s after the subscriber hung up")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkServePing measures a request with and without a subscriber: with
// none, the monitor costs one atomic load.
func BenchmarkServePing(b *testing.B) {
	for _, watched := range []bool{false, true} {
		name := "unwatched"
		if watched {
			name = "watched"
		}
		b.Run(name, func(b *testing.B) {
			s := New(&fakeBackend{}, nil)
			if watched {
				sub := s.monitor.subscribe()
				defer s.monitor.unsubscribe(sub)
				stop := make(chan struct{})
				defer close(stop)
				go func() {
					for {
						select {
						case <-sub.ch:
						case <-stop:
							return
						}
					}
				}()
			}
			req := httptest.NewRequest("GET", "/_ping", nil)
			for b.Loop() {
				s.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
