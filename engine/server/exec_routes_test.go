package server

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
)

// fakeBackend knows no exec; execFake below does.
func (f *fakeBackend) ExecCreate(ref string, _ backend.ExecCreateOptions) (string, error) {
	return "", errdefs.NotFound("No such container: %s", ref)
}
func (f *fakeBackend) ExecStart(_ context.Context, id string, _ backend.ExecStartOptions) error {
	return errdefs.NotFound("No such exec instance: %s", id)
}
func (f *fakeBackend) ExecInspect(id string) (*apicontainer.ExecInspectResponse, error) {
	return nil, errdefs.NotFound("No such exec instance: %s", id)
}
func (f *fakeBackend) ExecResize(id string, _, _ uint16) error {
	return errdefs.NotFound("No such exec instance: %s", id)
}

// execFake runs one exec of container "web": its process prints "hola" on
// stdout and "ay" on stderr and exits with 3.
type execFake struct {
	*fakeBackend
	mu       sync.Mutex
	cfg      apicontainer.ExecCreateRequest
	started  *backend.ExecStartOptions
	exitCode *int
	resized  [2]uint16
}

func (f *execFake) ExecCreate(ref string, opts backend.ExecCreateOptions) (string, error) {
	if ref != "web" {
		return "", errdefs.Conflict("container %s is not running", ref)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg = opts.Config
	return "e1", nil
}

func (f *execFake) ExecStart(_ context.Context, id string, opts backend.ExecStartOptions) error {
	if id != "e1" {
		return errdefs.NotFound("No such exec instance: %s", id)
	}
	f.mu.Lock()
	f.started = &opts
	f.mu.Unlock()
	if opts.Detach {
		return nil
	}
	io.WriteString(opts.Stdout, "hola\n")
	io.WriteString(opts.Stderr, "ay\n")
	code := 3
	f.mu.Lock()
	f.exitCode = &code
	f.mu.Unlock()
	return nil
}

func (f *execFake) ExecInspect(id string) (*apicontainer.ExecInspectResponse, error) {
	if id != "e1" {
		return nil, errdefs.NotFound("No such exec instance: %s", id)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return &apicontainer.ExecInspectResponse{
		ID:          "e1",
		ContainerID: "web",
		ExitCode:    f.exitCode,
		ProcessConfig: &apicontainer.ExecProcessConfig{
			Tty: f.cfg.Tty, Entrypoint: f.cfg.Cmd[0], Arguments: f.cfg.Cmd[1:],
		},
	}, nil
}

func (f *execFake) ExecResize(id string, h, w uint16) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resized = [2]uint16{h, w}
	return nil
}

// newExecServer serves an execFake whose exec e1 was created with a TTY.
func newExecServer(t *testing.T) (*httptest.Server, *execFake) {
	t.Helper()
	fb := &execFake{fakeBackend: &fakeBackend{}}
	srv := httptest.NewServer(New(fb, nil))
	t.Cleanup(srv.Close)
	resp, err := http.Post(srv.URL+"/v1.50/containers/web/exec", "application/json",
		strings.NewReader(`{"Tty":true,"AttachStdout":true,"AttachStderr":true,"Cmd":["sh","-c","exit 3"]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var created struct{ Id string }
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || created.Id != "e1" {
		t.Fatalf("POST /containers/web/exec = %d %+v, want 201 {Id:e1}", resp.StatusCode, created)
	}
	return srv, fb
}

// hijackExecStart sends POST /exec/e1/start with body, checks the 101, and
// returns the stream's Content-Type and everything after the headers.
func hijackExecStart(t *testing.T, srv *httptest.Server, body string) (contentType string, stream []byte) {
	t.Helper()
	return hijackRequest(t, srv, "POST /v1.50/exec/e1/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"+
		"Content-Type: application/json\r\nContent-Length: "+itoa(len(body))+"\r\n\r\n"+body)
}

// hijackRequest sends a raw upgrade request to srv, checks the 101, and
// returns the stream's Content-Type and everything after the headers.
func hijackRequest(t *testing.T, srv *httptest.Server, request string) (contentType string, stream []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, request)
	br := bufio.NewReader(conn)
	status, _ := br.ReadString('\n')
	if status != "HTTP/1.1 101 UPGRADED\r\n" {
		t.Fatalf("status line = %q, want 101", status)
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == "\r\n" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Content-Type: "); ok {
			contentType = strings.TrimSpace(v)
		}
	}
	stream, err = io.ReadAll(br)
	if err != nil {
		t.Fatalf("reading the stream: %v", err)
	}
	return contentType, stream
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// frames splits a multiplexed stream into (stream, payload) pairs.
func frames(t *testing.T, b []byte) [][2]string {
	t.Helper()
	var out [][2]string
	for len(b) > 0 {
		if len(b) < 8 {
			t.Fatalf("truncated frame header %q", b)
		}
		n := int(binary.BigEndian.Uint32(b[4:8]))
		out = append(out, [2]string{itoa(int(b[0])), string(b[8 : 8+n])})
		b = b[8+n:]
	}
	return out
}

// The framing follows the Tty of the start body, not the create one: e1
// was created with a TTY in both cases.
func TestExecStartFramingFollowsStartTty(t *testing.T) {
	tests := []struct {
		name            string
		body            string
		wantContentType string
		wantFrames      [][2]string // nil: a raw stream
		wantRaw         string
	}{
		{"start without tty", `{"Detach":false,"Tty":false}`, "application/vnd.docker.multiplexed-stream",
			[][2]string{{"1", "hola\n"}, {"2", "ay\n"}}, ""},
		{"start with tty", `{"Detach":false,"Tty":true}`, "application/vnd.docker.raw-stream", nil, "hola\nay\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := newExecServer(t)
			ct, stream := hijackExecStart(t, srv, tt.body)
			if ct != tt.wantContentType {
				t.Errorf("Content-Type = %q, want %q", ct, tt.wantContentType)
			}
			if tt.wantFrames != nil {
				if got := frames(t, stream); !reflect.DeepEqual(got, tt.wantFrames) {
					t.Errorf("frames = %q, want %q", got, tt.wantFrames)
				}
				return
			}
			if string(stream) != tt.wantRaw {
				t.Errorf("raw stream = %q, want %q", stream, tt.wantRaw)
			}
		})
	}
}

// ExitCode is null until the process ends, and set by the time the
// hijacked connection closes.
func TestExecInspectExitCode(t *testing.T) {
	srv, _ := newExecServer(t)
	inspect := func() map[string]any {
		t.Helper()
		resp, err := http.Get(srv.URL + "/v1.50/exec/e1/json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	before := inspect()
	if v, ok := before["ExitCode"]; !ok || v != nil {
		t.Errorf("ExitCode before start = %v (present %t), want null", v, ok)
	}
	pc, _ := before["ProcessConfig"].(map[string]any)
	if pc["entrypoint"] != "sh" || !reflect.DeepEqual(pc["arguments"], []any{"-c", "exit 3"}) || pc["tty"] != true {
		t.Errorf("ProcessConfig = %v, want entrypoint sh, arguments [-c exit 3], tty true", pc)
	}
	hijackExecStart(t, srv, `{"Tty":false}`)
	if got := inspect()["ExitCode"]; got != 3.0 {
		t.Errorf("ExitCode right after the stream closed = %v, want 3", got)
	}
}

func TestExecStartDetach(t *testing.T) {
	srv, fb := newExecServer(t)
	resp, err := http.Post(srv.URL+"/v1.50/exec/e1/start", "application/json", strings.NewReader(`{"Detach":true,"Tty":false}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Errorf("detached start = %d %q, want 200 and no body", resp.StatusCode, body)
	}
	if fb.started == nil || !fb.started.Detach {
		t.Errorf("backend start options = %+v, want Detach", fb.started)
	}
}

func TestExecErrors(t *testing.T) {
	srv, _ := newExecServer(t)
	tests := []struct {
		method, path, body string
		wantCode           int
		wantMessage        string
	}{
		{"POST", "/v1.50/exec/nope/start", `{"Tty":false}`, 404, "No such exec instance: nope"},
		{"GET", "/v1.50/exec/nope/json", "", 404, "No such exec instance: nope"},
		{"POST", "/v1.50/containers/parado/exec", `{"Cmd":["true"]}`, 409, "container parado is not running"},
		{"POST", "/v1.50/containers/web/exec", `{"Cmd":["true"],"DetachKeys":"ctrl-ñ"}`, 400, "Unknown character: 'ctrl-ñ'"},
		{"POST", "/v1.50/exec/e1/resize?h=x&w=80", "", 400, `invalid height: "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var msg struct{ Message string }
			json.NewDecoder(resp.Body).Decode(&msg)
			if resp.StatusCode != tt.wantCode || msg.Message != tt.wantMessage {
				t.Errorf("%s %s = %d %q, want %d %q", tt.method, tt.path, resp.StatusCode, msg.Message, tt.wantCode, tt.wantMessage)
			}
		})
	}
}

func TestExecResize(t *testing.T) {
	srv, fb := newExecServer(t)
	resp, err := http.Post(srv.URL+"/v1.50/exec/e1/resize?h=30&w=100", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || fb.resized != [2]uint16{30, 100} {
		t.Errorf("resize = %d, backend got %v; want 200 and [30 100]", resp.StatusCode, fb.resized)
	}
}
