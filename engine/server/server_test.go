package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	apicontainer "github.com/moby/moby/api/types/container"
	apiimage "github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/system"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
)

// fakeBackend answers with canned records; each test sets what it needs.
type fakeBackend struct {
	inspect func(ref string) (*apicontainer.InspectResponse, error)
	wait    func(ctx context.Context, ref, cond string) (<-chan backend.WaitResult, error)
	attach  func(ctx context.Context, ref string, opts backend.AttachOptions) error
	logs    func(ctx context.Context, ref string, opts backend.LogOptions, fn func(backend.LogMessage) error) error
	list    func(opts backend.ListOptions) ([]apicontainer.Summary, error)
	pull    func(ctx context.Context, opts backend.PullOptions, out func(backend.JSONMessage) error) error
	tty     bool
}

func (f *fakeBackend) Build(ctx context.Context, opts backend.BuildOptions, out func(backend.JSONMessage) error) error {
	if err := out(backend.JSONMessage{Stream: "Step 1/1 : FROM busybox\n"}); err != nil {
		return err
	}
	return exitError{code: 3}
}

type exitError struct{ code int }

func (e exitError) Error() string {
	return fmt.Sprintf("The command '/bin/sh -c exit %d' returned a non-zero code: %d", e.code, e.code)
}
func (e exitError) ExitCode() int { return e.code }

func (f *fakeBackend) ImagePull(ctx context.Context, opts backend.PullOptions, out func(backend.JSONMessage) error) error {
	return f.pull(ctx, opts, out)
}
func (f *fakeBackend) ImagePush(context.Context, backend.PushOptions, func(backend.JSONMessage) error) error {
	return errdefs.NotFound("No such image: x")
}
func (f *fakeBackend) ImageTag(src, repo, tag string) error {
	if repo == "" {
		return errdefs.InvalidParameter("repository name must have at least one component")
	}
	return nil
}
func (f *fakeBackend) ImageDelete(context.Context, string, bool, bool) ([]apiimage.DeleteResponse, error) {
	return []apiimage.DeleteResponse{{Untagged: "busybox:latest"}, {Deleted: "sha256:abc"}}, nil
}
func (f *fakeBackend) ImageHistory(string) ([]apiimage.HistoryResponseItem, error) {
	return []apiimage.HistoryResponseItem{{ID: "<missing>"}}, nil
}
func (f *fakeBackend) ImagesPrune(context.Context, map[string][]string) (*apiimage.PruneReport, error) {
	return &apiimage.PruneReport{}, nil
}
func (f *fakeBackend) ImageSave(ctx context.Context, names []string, open func() io.Writer) error {
	if names[0] == "nope" {
		return errdefs.NotFound("No such image: nope")
	}
	_, err := io.WriteString(open(), "TAR")
	return err
}
func (f *fakeBackend) ImageLoad(context.Context, io.Reader, bool, func(backend.JSONMessage) error) error {
	return errdefs.InvalidParameter("unexpected EOF")
}
func (f *fakeBackend) AuthLogin(ctx context.Context, auth backend.AuthConfig) (string, string, error) {
	if auth.Password != "secreto" {
		return "", "", errdefs.Classify(errdefs.KindUnauthorized, errors.New("unauthorized: incorrect username or password"))
	}
	return "Login Succeeded", "", nil
}

func (f *fakeBackend) Version() system.VersionResponse { return system.VersionResponse{} }
func (f *fakeBackend) Info() system.Info               { return system.Info{ID: "fake"} }
func (f *fakeBackend) DiskUsage(types []string) (*backend.DiskUsage, error) {
	if slices.Contains(types, "nada") {
		return nil, errdefs.InvalidParameter("unknown object type: nada")
	}
	return &backend.DiskUsage{LayersSize: 42, Images: []apiimage.Summary{{ID: "sha256:abc", Size: 42, SharedSize: 0, Containers: 1}}}, nil
}
func (f *fakeBackend) ContainerCreate(string, backend.CreateRequest) (apicontainer.CreateResponse, error) {
	return apicontainer.CreateResponse{}, errdefs.NotFound("No such image: busybox:latest")
}
func (f *fakeBackend) ContainerStart(string) error { return errdefs.NotModified("already started") }
func (f *fakeBackend) ContainerStop(context.Context, string, *int, string) error {
	return nil
}
func (f *fakeBackend) ContainerRestart(context.Context, string, *int, string) error { return nil }
func (f *fakeBackend) ContainerKill(string, string) error {
	return errdefs.Conflict("container x is not running")
}
func (f *fakeBackend) ContainerRemove(context.Context, string, bool) error {
	return errors.New("disk on fire")
}
func (f *fakeBackend) ContainerWait(ctx context.Context, ref, cond string) (<-chan backend.WaitResult, error) {
	return f.wait(ctx, ref, cond)
}
func (f *fakeBackend) ContainerAttach(ctx context.Context, ref string, opts backend.AttachOptions) error {
	return f.attach(ctx, ref, opts)
}
func (f *fakeBackend) ContainerResize(string, uint16, uint16) error { return nil }
func (f *fakeBackend) ContainerLogs(ctx context.Context, ref string, opts backend.LogOptions, fn func(backend.LogMessage) error) error {
	return f.logs(ctx, ref, opts, fn)
}
func (f *fakeBackend) ContainerTTY(ref string) (bool, error) {
	if ref == "fantasma" {
		return false, errdefs.NotFound("No such container: fantasma")
	}
	return f.tty, nil
}
func (f *fakeBackend) ContainerInspect(ref string, _ bool) (*apicontainer.InspectResponse, error) {
	return f.inspect(ref)
}
func (f *fakeBackend) ContainerList(opts backend.ListOptions) ([]apicontainer.Summary, error) {
	return f.list(opts)
}
func (f *fakeBackend) ImageInspect(string) (*backend.ImageInspect, error) {
	return nil, errdefs.NotFound("No such image: x")
}
func (f *fakeBackend) ImageList(backend.ImageListOptions) ([]apiimage.Summary, error) {
	return []apiimage.Summary{}, nil
}
func (f *fakeBackend) ImageImport(context.Context, io.Reader, backend.ImportOptions) (string, error) {
	return "sha256:abc", nil
}

func TestRoutingAndErrors(t *testing.T) {
	fb := &fakeBackend{
		inspect: func(ref string) (*apicontainer.InspectResponse, error) {
			if ref != "web/a:b" {
				return nil, errdefs.NotFound("No such container: %s", ref)
			}
			return &apicontainer.InspectResponse{ID: "abc"}, nil
		},
	}
	srv := httptest.NewServer(New(fb, nil))
	defer srv.Close()

	tests := []struct {
		method, path string
		wantCode     int
		wantBody     string
	}{
		{"GET", "/_ping", 200, "OK"},
		{"HEAD", "/_ping", 200, ""},
		{"GET", "/v1.50/_ping", 200, "OK"},
		{"GET", "/v1.24/_ping", 200, "OK"},
		{"GET", "/v1.51/_ping", 400, `{"message":"client version 1.51 is too new. Maximum supported API version is 1.50"}`},
		{"GET", "/v1.12/_ping", 400, "too old"},
		{"GET", "/nope", 404, `{"message":"page not found"}`},
		{"GET", "/containers/web/a:b/json", 200, `"Id":"abc"`},
		{"GET", "/v1.44/containers/x/json", 404, `{"message":"No such container: x"}`},
		{"POST", "/containers/create", 404, "No such image: busybox:latest"},
		{"POST", "/containers/x/start", 304, ""},
		{"POST", "/containers/x/kill", 409, "is not running"},
		{"DELETE", "/containers/x", 500, "disk on fire"},
		{"POST", "/containers/x/wait?condition=bogus", 400, "invalid condition"},
		{"GET", "/containers/x/logs", 400, "you must choose at least one stream"},
		{"POST", "/images/create?fromSrc=-", 200, `{"status":"sha256:abc"}`},
		{"POST", "/containers/fantasma/attach?stream=1&stdout=1", 404, "No such container: fantasma"},
		{"GET", "/system/df", 200, `"LayersSize":42,"Images":[{`},
		{"GET", "/system/df?type=nada", 400, "unknown object type: nada"},
		{"POST", "/networks/prune", 200, `{"NetworksDeleted":[]}`},
		{"POST", "/build/prune", 200, `{"CachesDeleted":[],"SpaceReclaimed":0}`},
		{"POST", "/build/prune?filters=nada", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantCode {
				t.Errorf("status = %d, want %d (body %s)", resp.StatusCode, tt.wantCode, body)
			}
			if !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("body = %s, want it to contain %s", body, tt.wantBody)
			}
			if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("error Content-Type = %q, want exactly application/json", resp.Header.Get("Content-Type"))
			}
			if got := resp.Header.Get("Api-Version"); got != "1.50" {
				t.Errorf("Api-Version = %q", got)
			}
		})
	}
}

// A pull that fails before any message is a plain HTTP error; after a
// message, the error travels in the stream with errorDetail and error.
func TestPullStream(t *testing.T) {
	var gotAuth backend.AuthConfig
	fb := &fakeBackend{pull: func(ctx context.Context, opts backend.PullOptions, out func(backend.JSONMessage) error) error {
		gotAuth = opts.Auth
		switch opts.Image {
		case "noexiste":
			return errdefs.NotFound("manifest for noexiste:latest not found: manifest unknown")
		case "corta":
			out(backend.JSONMessage{Status: "Pulling from library/corta", ID: "latest"})
			return errors.New("unexpected EOF")
		}
		out(backend.JSONMessage{Status: "Pulling fs layer", ID: "abc"})
		out(backend.JSONMessage{Status: "Downloading", ID: "abc", ProgressDetail: &backend.ProgressDetail{Current: 1, Total: 2}})
		return nil
	}}
	srv := httptest.NewServer(New(fb, nil))
	defer srv.Close()

	tests := []struct {
		image    string
		wantCode int
		wantBody string
	}{
		{"noexiste", 404, `{"message":"manifest for noexiste:latest not found: manifest unknown"}`},
		{"corta", 200, `{"status":"Pulling from library/corta","id":"latest"}` + "\n" + `{"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}`},
		{"busybox", 200, `{"status":"Pulling fs layer","id":"abc"}` + "\n" + `{"status":"Downloading","id":"abc","progressDetail":{"current":1,"total":2}}`},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+"/v1.50/images/create?fromImage="+tt.image+"&tag=latest", nil)
			// base64url without padding, as docker-py sends it.
			req.Header.Set("X-Registry-Auth", "eyJ1c2VybmFtZSI6ImFuYSIsInBhc3N3b3JkIjoic2VjcmV0byJ9")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantCode || strings.TrimSpace(string(body)) != tt.wantBody {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, tt.wantCode, tt.wantBody)
			}
			if gotAuth.Username != "ana" || gotAuth.Password != "secreto" {
				t.Errorf("X-Registry-Auth decoded to %+v", gotAuth)
			}
		})
	}
}

func TestImageRoutes(t *testing.T) {
	srv := httptest.NewServer(New(&fakeBackend{}, nil))
	defer srv.Close()
	tests := []routeCase{
		{"POST", "/images/busybox/tag?repo=mio/busybox&tag=1.0", "", 201, ""},
		{"POST", "/images/busybox/tag", "", 400, "repository name"},
		{"DELETE", "/v1.50/images/localhost:5000/web:1.0", "", 200, `[{"Untagged":"busybox:latest"},{"Deleted":"sha256:abc"}]`},
		{"GET", "/images/busybox/history", "", 200, `"Id":"<missing>"`},
		{"POST", "/images/prune", "", 200, `{"ImagesDeleted":[],"SpaceReclaimed":0}`},
		{"GET", "/images/get?names=busybox&names=x", "", 200, "TAR"},
		{"GET", "/images/busybox/get", "", 200, "TAR"},
		{"GET", "/images/get?names=nope", "", 404, "No such image: nope"},
		{"POST", "/images/load", "", 400, "unexpected EOF"},
		{"POST", "/images/x/push", "", 404, "No such image"},
		{"POST", "/auth", `{"username":"ana","password":"mal"}`, 401, "unauthorized"},
		{"POST", "/auth", `{"username":"ana","password":"secreto"}`, 200, `{"Status":"Login Succeeded"}`},
		{"POST", "/build?t=web:1&buildargs=%7B%22A%22%3A%22b%22%7D", "", 200, `{"errorDetail":{"code":3,"message":"The command '/bin/sh -c exit 3' returned a non-zero code: 3"},"error":"The command '/bin/sh -c exit 3' returned a non-zero code: 3"}`},
		{"POST", "/build?buildargs=nojson", "", 400, "invalid buildargs"},
		{"POST", "/containers/web/rename?name=servidor", "", 204, ""},
		{"POST", "/containers/web/rename?name=ocupado", "", 409, "already in use"},
		{"POST", "/containers/prune", "", 200, `{"ContainersDeleted":["abc"],"SpaceReclaimed":12}`},
	}
	checkRoutes(t, srv.URL, tests)
}

func TestParseFilters(t *testing.T) {
	tests := []struct {
		raw  string
		want map[string][]string
	}{
		{"", map[string][]string{}},
		{`{"dangling":{"true":true}}`, map[string][]string{"dangling": {"true"}}},
		{`{"status":["exited","created"]}`, map[string][]string{"status": {"exited", "created"}}},
	}
	for _, tt := range tests {
		got, err := parseFilters(tt.raw)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseFilters(%q) = %v, %v; want %v", tt.raw, got, err, tt.want)
		}
	}
	if _, err := parseFilters("{"); !errdefs.IsInvalidParameter(err) {
		t.Errorf("malformed filters: err = %v, want invalid parameter", err)
	}
}

func TestParseDetachKeys(t *testing.T) {
	tests := []struct {
		in      string
		want    []byte
		wantErr bool
	}{
		{"", nil, false},
		{"ctrl-p,ctrl-q", []byte{16, 17}, false},
		{"ctrl-@,a,ctrl-[", []byte{0, 'a', 27}, false},
		{"ctrl-1", nil, true},
		{"abc", nil, true},
	}
	for _, tt := range tests {
		got, err := parseDetachKeys(tt.in)
		if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseDetachKeys(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// The wait response's headers arrive before the container ends: the docker
// CLI starts the container only after they do.
func TestWaitFlushesHeaders(t *testing.T) {
	release := make(chan backend.WaitResult)
	fb := &fakeBackend{wait: func(ctx context.Context, ref, cond string) (<-chan backend.WaitResult, error) {
		out := make(chan backend.WaitResult, 1)
		go func() { out <- <-release; close(out) }()
		return out, nil
	}}
	srv := httptest.NewServer(New(fb, nil))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/v1.50/containers/x/wait?condition=next-exit", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	release <- backend.WaitResult{StatusCode: 3}
	body, _ := io.ReadAll(resp.Body)
	if got, want := strings.TrimSpace(string(body)), `{"StatusCode":3,"Error":null}`; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

// Attach answers 101 once the engine has registered the streams, and
// frames stdout and stderr.
func TestAttachHijack(t *testing.T) {
	fb := &fakeBackend{attach: func(ctx context.Context, ref string, opts backend.AttachOptions) error {
		opts.Attached()
		io.WriteString(opts.Stdout, "hola\n")
		io.WriteString(opts.Stderr, "ay\n")
		return nil
	}}
	srv := httptest.NewServer(New(fb, nil))
	defer srv.Close()

	contentType, stream := hijackRequest(t, srv, "POST /v1.50/containers/x/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
	if contentType != "application/vnd.docker.multiplexed-stream" {
		t.Errorf("Content-Type = %q, want multiplexed at 1.50", contentType)
	}
	br := bytes.NewReader(stream)
	type frame struct {
		stream byte
		data   string
	}
	var got []frame
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			break
		}
		data := make([]byte, binary.BigEndian.Uint32(hdr[4:]))
		io.ReadFull(br, data)
		got = append(got, frame{hdr[0], string(data)})
	}
	want := []frame{{1, "hola\n"}, {2, "ay\n"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("frames = %v, want %v", got, want)
	}
}

// The client is not answered before the engine has registered the attach:
// the docker CLI starts the container as soon as it has the answer, and a
// run that ended before the registration would never end the attach.
func TestAttachAnswersAfterRegistration(t *testing.T) {
	registered := make(chan struct{})
	fb := &fakeBackend{attach: func(ctx context.Context, ref string, opts backend.AttachOptions) error {
		<-registered
		opts.Attached()
		return nil
	}}
	srv := httptest.NewServer(New(fb, nil))
	defer srv.Close()

	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /v1.50/containers/x/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
	br := bufio.NewReader(conn)
	conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if line, err := br.ReadString('\n'); err == nil {
		t.Fatalf("answered %q before the attach was registered", line)
	}
	close(registered)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if status, err := br.ReadString('\n'); status != "HTTP/1.1 101 UPGRADED\r\n" {
		t.Fatalf("status line = %q (%v)", status, err)
	}
}

// An attach the engine refuses before registering it is an HTTP error.
func TestAttachRefusedIsHTTPError(t *testing.T) {
	fb := &fakeBackend{attach: func(ctx context.Context, ref string, opts backend.AttachOptions) error {
		return errdefs.Conflict("You cannot attach to a stopped container")
	}}
	srv := httptest.NewServer(New(fb, nil))
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/v1.50/containers/x/attach?stream=1&stdout=1", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), "cannot attach") {
		t.Errorf("status %d, body %s", resp.StatusCode, body)
	}
}

func TestLogsTimestampsAndFraming(t *testing.T) {
	ts := time.Date(2026, 11, 28, 2, 0, 0, 5, time.UTC)
	fb := &fakeBackend{logs: func(ctx context.Context, ref string, opts backend.LogOptions, fn func(backend.LogMessage) error) error {
		if opts.Tail != 1 || !opts.Stdout || opts.Stderr {
			t.Errorf("opts = %+v", opts)
		}
		return fn(backend.LogMessage{Stream: "stdout", Time: ts, Line: []byte("hola\n")})
	}}
	srv := httptest.NewServer(New(fb, nil))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/v1.50/containers/x/logs?stdout=1&tail=1&timestamps=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	payload := "2026-11-28T02:00:00.000000005Z hola\n"
	want := append([]byte{1, 0, 0, 0, 0, 0, 0, byte(len(payload))}, payload...)
	if string(body) != string(want) {
		t.Errorf("body = %q, want %q", body, want)
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.50", "1.50", 0}, {"1.9", "1.10", -1}, {"1.42", "1.24", 1}, {"2.0", "1.99", 1},
	}
	for _, tt := range tests {
		if got := compareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("compareVersions(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// routeCase is one request to the API and what its answer must be.
type routeCase struct {
	method, path, body string
	wantCode           int
	wantBody           string // a substring of the body; "" wants no body at all
}

// checkRoutes sends each case to the server at url and checks the status
// and the body. Quotes in paths (JSON filters) are escaped.
func checkRoutes(t *testing.T, url string, cases []routeCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp := do(t, tt.method, url+strings.ReplaceAll(tt.path, `"`, "%22"), tt.body)
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantCode {
				t.Errorf("status = %d, want %d (body %s)", resp.StatusCode, tt.wantCode, body)
			}
			if !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("body = %s, want it to contain %s", body, tt.wantBody)
			}
			if tt.wantBody == "" && len(body) != 0 {
				t.Errorf("body = %s, want none", body)
			}
		})
	}
}

func do(t *testing.T, method, url, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
