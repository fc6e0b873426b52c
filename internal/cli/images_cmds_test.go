package cli

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/containerd/console"
	"github.com/moby/moby/api/pkg/authconfig"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/api/types/registry"
)

// pullStream is what Docker 28 streams for a pull of two layers, one of
// them shared with an image already present.
const pullStream = `{"status":"Pulling from library/busybox","id":"latest"}
{"status":"Already exists","progressDetail":{},"id":"a1b2c3d4e5f6"}
{"status":"Pulling fs layer","progressDetail":{},"id":"0f1e2d3c4b5a"}
{"status":"Downloading","progressDetail":{"current":1024,"total":2156000},"progress":"[>   ]","id":"0f1e2d3c4b5a"}
{"status":"Download complete","progressDetail":{},"id":"0f1e2d3c4b5a"}
{"status":"Extracting","progressDetail":{"current":2156000,"total":2156000},"id":"0f1e2d3c4b5a"}
{"status":"Pull complete","progressDetail":{},"id":"0f1e2d3c4b5a"}
{"status":"Digest: sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7"}
{"status":"Status: Downloaded newer image for busybox:latest"}
`

// writeDockerConfig writes a config.json with credentials for registry
// in a temporary DOCKER_CONFIG and returns its directory.
func writeDockerConfig(t *testing.T, registry, user, password string) string {
	t.Helper()
	dir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	cfg := `{"auths":{"` + registry + `":{"auth":"` + auth + `"}}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// headerRecorder keeps the X-Registry-Auth header of each request.
type headerRecorder struct {
	mu   sync.Mutex
	auth []string
}

func (h *headerRecorder) record(r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.auth = append(h.auth, r.Header.Get(registry.AuthHeader))
}

func (h *headerRecorder) decoded(t *testing.T) []registry.AuthConfig {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []registry.AuthConfig
	for _, a := range h.auth {
		ac, err := authconfig.Decode(a)
		if err != nil {
			t.Fatalf("decoding X-Registry-Auth %q: %v", a, err)
		}
		out = append(out, *ac)
	}
	return out
}

func TestPull(t *testing.T) {
	tests := []struct {
		name      string
		ref       string
		config    [3]string // registry, user, password in config.json
		wantQuery string
		wantAuth  registry.AuthConfig
	}{
		{
			name: "default-tag", ref: "busybox",
			wantQuery: "fromImage=docker.io%2Flibrary%2Fbusybox&tag=latest",
		},
		{
			name: "hub-credentials", ref: "busybox:1.36",
			config:    [3]string{"https://index.docker.io/v1/", "alumno", "secreto"},
			wantQuery: "fromImage=docker.io%2Flibrary%2Fbusybox&tag=1.36",
			wantAuth:  registry.AuthConfig{Username: "alumno", Password: "secreto", ServerAddress: "https://index.docker.io/v1/"},
		},
		{
			name: "local-registry", ref: "localhost:5000/web:1.0",
			config:    [3]string{"localhost:5000", "profe", "clase"},
			wantQuery: "fromImage=localhost%3A5000%2Fweb&tag=1.0",
			wantAuth:  registry.AuthConfig{Username: "profe", Password: "clase", ServerAddress: "localhost:5000"},
		},
		{
			name: "other-registry-credentials-not-sent", ref: "localhost:5000/web:1.0",
			config:    [3]string{"otro.example:5000", "profe", "clase"},
			wantQuery: "fromImage=localhost%3A5000%2Fweb&tag=1.0",
		},
		{
			name: "digest", ref: "busybox@sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7",
			wantQuery: "fromImage=docker.io%2Flibrary%2Fbusybox&tag=sha256%3A9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			var hdr headerRecorder
			d.handle("POST /images/create", func(w http.ResponseWriter, r *http.Request) {
				hdr.record(r)
				_, _ = io.WriteString(w, pullStream)
			})
			cfgDir := t.TempDir()
			if tt.config[0] != "" {
				cfgDir = writeDockerConfig(t, tt.config[0], tt.config[1], tt.config[2])
			}
			f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0", envDockerConfig: cfgDir})
			if code := execute(t.Context(), f, []string{"pull", tt.ref}); code != 0 {
				t.Fatalf("exit code = %d, want 0; stderr:\n%s", code, errOut)
			}
			c, ok := d.call("POST", "/images/create")
			if !ok {
				t.Fatalf("no POST /images/create; calls = %q", d.requests())
			}
			if c.Query != tt.wantQuery {
				t.Errorf("query = %q, want %q", c.Query, tt.wantQuery)
			}
			if got := hdr.decoded(t); !reflect.DeepEqual(got, []registry.AuthConfig{tt.wantAuth}) {
				t.Errorf("X-Registry-Auth = %+v, want %+v", got, tt.wantAuth)
			}
			assertGolden(t, "TestPull/"+tt.name, out.String())
		})
	}
}

func TestPullStreamError(t *testing.T) {
	d := newFakeDaemon(t)
	d.handle("POST /images/create", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"status":"Pulling from library/nada","id":"latest"}`+"\n"+
			`{"errorDetail":{"message":"manifest for nada:latest not found: manifest unknown"},"error":"manifest for nada:latest not found: manifest unknown"}`+"\n")
	})
	f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0", envDockerConfig: t.TempDir()})
	if code := execute(t.Context(), f, []string{"pull", "nada"}); code != exitGeneric {
		t.Errorf("exit code = %d, want %d", code, exitGeneric)
	}
	if want := "Using default tag: latest\nlatest: Pulling from library/nada\n"; out.String() != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	if !strings.Contains(errOut.String(), "manifest unknown") {
		t.Errorf("stderr = %q, want the daemon's message", errOut)
	}
}

func TestPullInvalidReference(t *testing.T) {
	for _, ref := range []string{"Busybox:Latest", "a:b:c"} {
		t.Run(ref, func(t *testing.T) {
			d := newFakeDaemon(t)
			f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0", envDockerConfig: t.TempDir()})
			if code := execute(t.Context(), f, []string{"pull", ref}); code != exitGeneric {
				t.Errorf("exit code = %d, want %d", code, exitGeneric)
			}
			if out.Len() != 0 || len(d.requests()) != 0 {
				t.Errorf("stdout = %q, calls = %q; want neither", out, d.requests())
			}
			for _, want := range []string{"NOMBRE[:TAG]", "invalid reference format"} {
				if !strings.Contains(errOut.String(), want) {
					t.Errorf("stderr = %q, want it to mention %q", errOut, want)
				}
			}
		})
	}
}

// TestPullExplainsDangling checks the inspections around a pull that
// moves a tag: the old image, left without names, is reported.
func TestPullExplainsDangling(t *testing.T) {
	d := newFakeDaemon(t)
	inspected := 0
	d.handle("GET /images/busybox:latest/json", func(w http.ResponseWriter, _ *http.Request) {
		inspected++
		id := oldImg
		if inspected > 1 {
			id = imgID
		}
		_ = json.NewEncoder(w).Encode(image.InspectResponse{ID: id, RepoTags: []string{"busybox:latest"}})
	})
	d.json("GET /images/"+oldImg+"/json", http.StatusOK, image.InspectResponse{ID: oldImg, RepoTags: []string{}})
	d.handle("POST /images/create", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, pullStream) })
	f, _, errOut := testFactory(d.host, map[string]string{envDockerConfig: t.TempDir()})
	if code := execute(t.Context(), f, []string{"pull", "busybox"}); code != 0 {
		t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
	}
	want := []string{
		"GET /images/busybox:latest/json",
		"POST /images/create?fromImage=docker.io%2Flibrary%2Fbusybox&tag=latest",
		"GET /images/busybox:latest/json",
		"GET /images/" + oldImg + "/json",
	}
	if got := d.requests(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
	if errOut.Len() == 0 {
		t.Error("stderr is empty, want an explanation")
	}
}

func TestStreamRecord(t *testing.T) {
	var rec streamRecord
	dec := json.NewDecoder(strings.NewReader(pullStream))
	for dec.More() {
		var m jsonstream.Message
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		rec.observe(m)
	}
	wantLayers := []layerWant{{"a1b2c3d4e5f6", "Already exists", 0}, {"0f1e2d3c4b5a", "Pull complete", 2156000}}
	if len(rec.Layers) != len(wantLayers) {
		t.Fatalf("layers = %+v, want %+v", rec.Layers, wantLayers)
	}
	for i, w := range wantLayers {
		if got := rec.Layers[i]; got.ID != w.id || got.Status != w.status || got.Size != w.size {
			t.Errorf("layer %d = %+v, want %+v", i, got, w)
		}
	}
	if want := "sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7"; rec.Digest != want {
		t.Errorf("digest = %q, want %q", rec.Digest, want)
	}
	if want := "Downloaded newer image for busybox:latest"; rec.Status != want {
		t.Errorf("status = %q, want %q", rec.Status, want)
	}
}

type layerWant struct {
	id, status string
	size       int64
}

func TestPush(t *testing.T) {
	d := newFakeDaemon(t)
	var hdr headerRecorder
	d.handle("POST /images/localhost:5000/mio/busybox/push", func(w http.ResponseWriter, r *http.Request) {
		hdr.record(r)
		_, _ = io.WriteString(w, `{"status":"The push refers to repository [localhost:5000/mio/busybox]"}
{"status":"Preparing","progressDetail":{},"id":"0f1e2d3c4b5a"}
{"status":"Pushing","progressDetail":{"current":512,"total":2156000},"id":"0f1e2d3c4b5a"}
{"status":"Pushed","progressDetail":{},"id":"0f1e2d3c4b5a"}
{"status":"1.0: digest: sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7 size: 527"}
{"progressDetail":{},"aux":{"Tag":"1.0","Digest":"sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7","Size":527}}
`)
	})
	cfg := writeDockerConfig(t, "localhost:5000", "profe", "clase")
	f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0", envDockerConfig: cfg})
	if code := execute(t.Context(), f, []string{"push", "localhost:5000/mio/busybox:1.0"}); code != 0 {
		t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
	}
	if want := []string{"POST /images/localhost:5000/mio/busybox/push?tag=1.0"}; !reflect.DeepEqual(d.requests(), want) {
		t.Errorf("calls = %q, want %q", d.requests(), want)
	}
	want := registry.AuthConfig{Username: "profe", Password: "clase", ServerAddress: "localhost:5000"}
	if got := hdr.decoded(t); !reflect.DeepEqual(got, []registry.AuthConfig{want}) {
		t.Errorf("X-Registry-Auth = %+v, want %+v", got, want)
	}
	assertGolden(t, "TestPush/push", out.String())
}

func TestTag(t *testing.T) {
	d := newFakeDaemon(t)
	d.handle("POST /images/busybox:latest/tag", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusCreated) })
	f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
	if code := execute(t.Context(), f, []string{"tag", "busybox:latest", "mio/busybox:1.0"}); code != 0 {
		t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
	}
	if out.Len() != 0 {
		t.Errorf("stdout = %q, want empty", out)
	}
	want := []string{"POST /images/busybox:latest/tag?repo=docker.io%2Fmio%2Fbusybox&tag=1.0"}
	if got := d.requests(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
}

func TestRmi(t *testing.T) {
	d := newFakeDaemon(t)
	d.json("DELETE /images/mio/busybox:1.0", http.StatusOK, []image.DeleteResponse{{Untagged: "mio/busybox:1.0"}})
	d.json("DELETE /images/viejo", http.StatusOK, []image.DeleteResponse{
		{Untagged: "viejo:latest"}, {Deleted: oldImg}, {Deleted: "sha256:c1926fdadbab3d28b77ef9d16312b50267dca574617a63a64273ec98bc46833f"},
	})
	f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
	if code := execute(t.Context(), f, []string{"rmi", "--no-prune", "mio/busybox:1.0", "viejo"}); code != 0 {
		t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
	}
	want := []string{"DELETE /images/mio/busybox:1.0?noprune=1", "DELETE /images/viejo?noprune=1"}
	if got := d.requests(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
	assertGolden(t, "TestRmi/rmi", out.String())
}

func TestRmiErrors(t *testing.T) {
	const conflict = `conflict: unable to remove repository reference "busybox" (must force) - container 3f2a9c1d5e6b is using its referenced image 5a1d0f6e2b3c`
	tests := []struct {
		name     string
		argv     []string
		wantCode int
		wantOut  string
		wantErr  []string
	}{
		{"conflict", []string{"rmi", "busybox", "viejo"}, exitGeneric, "Untagged: viejo:latest\n",
			[]string{conflict, "bolsillo ps -a --filter ancestor=busybox"}},
		{"missing", []string{"rmi", "nada", "viejo"}, exitGeneric, "Untagged: viejo:latest\n", []string{"No such image: nada"}},
		{"missing-forced", []string{"rmi", "-f", "nada", "viejo"}, 0, "Untagged: viejo:latest\n", []string{"No such image: nada"}},
		{"conflict-forced", []string{"rmi", "-f", "busybox"}, exitGeneric, "", []string{conflict}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			d.json("DELETE /images/busybox", http.StatusConflict, map[string]string{"message": conflict})
			d.json("DELETE /images/nada", http.StatusNotFound, map[string]string{"message": "No such image: nada:latest"})
			d.json("DELETE /images/viejo", http.StatusOK, []image.DeleteResponse{{Untagged: "viejo:latest"}})
			f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
			if code := execute(t.Context(), f, tt.argv); code != tt.wantCode {
				t.Errorf("exit code = %d, want %d", code, tt.wantCode)
			}
			if out.String() != tt.wantOut {
				t.Errorf("stdout = %q, want %q", out, tt.wantOut)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr = %q, want it to contain %q", errOut, w)
				}
			}
		})
	}
}

// historyFixture is a two-step image: a layer from a registry (its
// intermediate image is <missing>) and a metadata-only CMD.
func historyFixture() []image.HistoryResponseItem {
	return []image.HistoryResponseItem{
		{ID: imgID, Created: fixedNow.Add(-3 * 60 * 1e9).Unix(), CreatedBy: `/bin/sh -c #(nop)  CMD ["sh"]`, Tags: []string{"busybox:latest"}, Size: 0},
		{ID: "<missing>", Created: fixedNow.Add(-40 * 24 * 3600 * 1e9).Unix(), CreatedBy: "/bin/sh -c #(nop) ADD file:7e9002edaafd4e4579b65c8f0aaabde1aeb7fd3f8d95579f7fd3443cef785fd1 in / ", Size: 4_261_543, Comment: "buildkit.dockerfile.v0"},
	}
}

func TestHistoryOutput(t *testing.T) {
	tests := []struct {
		name string
		argv []string
	}{
		{"history", []string{"history", "busybox"}},
		{"history-human", []string{"history", "-H", "busybox"}},
		{"history-not-human", []string{"history", "-H=false", "busybox"}},
		{"history-no-trunc", []string{"history", "--no-trunc", "busybox"}},
		{"history-quiet", []string{"history", "-q", "busybox"}},
		{"history-format", []string{"history", "--format", "{{.ID}}|{{.Size}}|{{.CreatedBy}}"}},
		{"history-json", []string{"image", "history", "--format", "json", "busybox"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TZ", "UTC")
			d := newFakeDaemon(t)
			d.json("GET /images/busybox/history", http.StatusOK, historyFixture())
			f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
			argv := tt.argv
			if tt.name == "history-format" {
				argv = append(argv, "busybox")
			}
			if code := execute(t.Context(), f, argv); code != 0 {
				t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
			}
			assertGolden(t, "TestHistoryOutput/"+tt.name, out.String())
		})
	}
}

// TestHistoryHostBeforeCommand checks that -H before the command is still
// the daemon address, while after `history` it is --human.
func TestHistoryHostBeforeCommand(t *testing.T) {
	d := newFakeDaemon(t)
	d.json("GET /images/busybox/history", http.StatusOK, historyFixture())
	f, out, errOut := testFactory("unix:///nonexistent.sock", map[string]string{envExplicar: "0"})
	if code := execute(t.Context(), f, []string{"-H", d.host, "history", "-H=false", "-q", "busybox"}); code != 0 {
		t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
	}
	if want := "5a1d0f6e2b3c\n<missing>\n"; out.String() != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
}

func TestImagePrune(t *testing.T) {
	report := image.PruneReport{
		ImagesDeleted:  []image.DeleteResponse{{Untagged: "viejo@sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7"}, {Deleted: oldImg}},
		SpaceReclaimed: 1_990_000,
	}
	tests := []struct {
		name      string
		argv      []string
		stdin     string
		wantQuery string // "" means no prune request
	}{
		{"prune-yes", []string{"image", "prune"}, "y\n", `filters=%7B%22dangling%22%3A%7B%22true%22%3Atrue%7D%7D`},
		{"prune-no", []string{"image", "prune"}, "n\n", ""},
		{"prune-eof", []string{"image", "prune"}, "", ""},
		{"prune-all-yes", []string{"image", "prune", "-a"}, "Y\n", `filters=%7B%22dangling%22%3A%7B%22false%22%3Atrue%7D%7D`},
		{"prune-force", []string{"image", "prune", "-f"}, "", `filters=%7B%22dangling%22%3A%7B%22true%22%3Atrue%7D%7D`},
		{"prune-filter", []string{"image", "prune", "-af", "--filter", "until=24h"}, "", `filters=%7B%22dangling%22%3A%7B%22false%22%3Atrue%7D%2C%22until%22%3A%7B%2224h%22%3Atrue%7D%7D`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			d.json("POST /images/prune", http.StatusOK, report)
			f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
			f.In = strings.NewReader(tt.stdin)
			if code := execute(t.Context(), f, tt.argv); code != 0 {
				t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
			}
			c, ok := d.call("POST", "/images/prune")
			if ok != (tt.wantQuery != "") || c.Query != tt.wantQuery {
				t.Errorf("prune call = %v %q, want %q", ok, c.Query, tt.wantQuery)
			}
			assertGolden(t, "TestImagePrune/"+tt.name, out.String())
		})
	}
}

// openPty returns the terminal end of a new pseudo-terminal.
func openPty(t *testing.T) *os.File {
	t.Helper()
	pty, path, err := console.NewPty()
	if err != nil {
		t.Skipf("no pseudo-terminal available: %v", err)
	}
	t.Cleanup(func() { pty.Close() })
	tty, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	return tty
}

func TestSave(t *testing.T) {
	const archive = "not really a tar, but bytes the CLI must copy as they are"
	d := newFakeDaemon(t)
	d.handle("GET /images/get", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, archive) })

	t.Run("stdout", func(t *testing.T) {
		f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
		if code := execute(t.Context(), f, []string{"save", "busybox", "mio/busybox:1.0"}); code != 0 {
			t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
		}
		if out.String() != archive {
			t.Errorf("stdout = %q, want %q", out, archive)
		}
		if c, _ := d.call("GET", "/images/get"); c.Query != "names=busybox&names=mio%2Fbusybox%3A1.0" {
			t.Errorf("query = %q", c.Query)
		}
	})
	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "imgs.tar")
		f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
		if code := execute(t.Context(), f, []string{"save", "-o", path, "busybox"}); code != 0 {
			t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != archive || out.Len() != 0 {
			t.Errorf("file = %q (%v), stdout = %q; want the archive in the file only", got, err, out)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v (%v), want 0600", fi.Mode(), err)
		}
	})
	t.Run("terminal", func(t *testing.T) {
		d := newFakeDaemon(t)
		f, _, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
		f.Out = openPty(t)
		if code := execute(t.Context(), f, []string{"save", "busybox"}); code != exitGeneric {
			t.Errorf("exit code = %d, want %d", code, exitGeneric)
		}
		if !strings.Contains(errOut.String(), "cowardly refusing to save to a terminal") {
			t.Errorf("stderr = %q, want docker's message", errOut)
		}
		if got := d.requests(); len(got) != 0 {
			t.Errorf("calls = %q, want none", got)
		}
	})
}

func TestLoad(t *testing.T) {
	const tarBytes = "tar bytes"
	d := newFakeDaemon(t)
	d.handle("POST /images/load", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"stream":"Loaded image: busybox:latest\n"}`+"\n"+`{"stream":"Loaded image: mio/busybox:1.0\n"}`+"\n")
	})
	path := filepath.Join(t.TempDir(), "imgs.tar")
	if err := os.WriteFile(path, []byte(tarBytes), 0o644); err != nil {
		t.Fatal(err)
	}
	f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
	if code := execute(t.Context(), f, []string{"load", "-i", path}); code != 0 {
		t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
	}
	c, _ := d.call("POST", "/images/load")
	if c.Query != "quiet=1" || c.Body != tarBytes {
		t.Errorf("load call = %q body %q, want quiet=1 and the file", c.Query, c.Body)
	}
	assertGolden(t, "TestLoad/load", out.String())
}

func TestLoadErrors(t *testing.T) {
	d := newFakeDaemon(t)
	d.json("POST /images/load", http.StatusInternalServerError, map[string]string{"message": "unexpected EOF"})
	f, _, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
	f.In = strings.NewReader("truncated")
	if code := execute(t.Context(), f, []string{"load"}); code != exitGeneric {
		t.Errorf("exit code = %d, want %d", code, exitGeneric)
	}
	if !strings.Contains(errOut.String(), "unexpected EOF") {
		t.Errorf("stderr = %q, want the daemon's message", errOut)
	}
	f, _, errOut = testFactory(d.host, map[string]string{envExplicar: "0"})
	if code := execute(t.Context(), f, []string{"load", "-i", "/nonexistent/imgs.tar"}); code != exitGeneric {
		t.Errorf("missing file: exit code = %d, want %d", code, exitGeneric)
	}
	if !strings.Contains(errOut.String(), "/nonexistent/imgs.tar") {
		t.Errorf("stderr = %q, want the path", errOut)
	}
}

func TestLogin(t *testing.T) {
	tests := []struct {
		name       string
		argv       []string
		stdin      string
		wantOut    string
		wantErr    string
		wantServer string
		wantKey    string
	}{
		{"password-stdin", []string{"login", "-u", "profe", "--password-stdin", "localhost:5000"}, "clase\n",
			"Login Succeeded\n", "", "localhost:5000", "localhost:5000"},
		{"password-flag", []string{"login", "-u", "profe", "-p", "clase", "http://localhost:5000/v2/"}, "",
			"Login Succeeded\n", "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n", "localhost:5000", "localhost:5000"},
		{"hub", []string{"login", "-u", "profe", "-p", "-"}, "clase",
			"Login Succeeded\n", "", "https://index.docker.io/v1/", "https://index.docker.io/v1/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			d.json("POST /auth", http.StatusOK, registry.AuthResponse{Status: "Login Succeeded"})
			cfgDir := t.TempDir()
			f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0", envDockerConfig: cfgDir})
			f.In = strings.NewReader(tt.stdin)
			if code := execute(t.Context(), f, tt.argv); code != 0 {
				t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
			}
			if out.String() != tt.wantOut || errOut.String() != tt.wantErr {
				t.Errorf("stdout = %q, stderr = %q; want %q, %q", out, errOut, tt.wantOut, tt.wantErr)
			}
			c, _ := d.call("POST", "/auth")
			var sent registry.AuthConfig
			if err := json.Unmarshal([]byte(c.Body), &sent); err != nil {
				t.Fatalf("auth body %q: %v", c.Body, err)
			}
			if want := (registry.AuthConfig{Username: "profe", Password: "clase", ServerAddress: tt.wantServer}); sent != want {
				t.Errorf("auth body = %+v, want %+v", sent, want)
			}
			var cfg struct {
				Auths map[string]struct{ Auth string } `json:"auths"`
			}
			b, err := os.ReadFile(filepath.Join(cfgDir, "config.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &cfg); err != nil {
				t.Fatalf("config.json %q: %v", b, err)
			}
			if got, want := cfg.Auths[tt.wantKey].Auth, base64.StdEncoding.EncodeToString([]byte("profe:clase")); got != want {
				t.Errorf("config.json auths[%q].auth = %q, want %q (file: %s)", tt.wantKey, got, want, b)
			}
		})
	}
}

func TestLoginErrors(t *testing.T) {
	tests := []struct {
		name     string
		argv     []string
		wantCode int
		wantErr  string
	}{
		{"stdin-without-user", []string{"login", "--password-stdin", "localhost:5000"}, exitDaemonError, "the --password-stdin option requires --username to be set"},
		{"both-passwords", []string{"login", "-u", "a", "-p", "b", "--password-stdin"}, exitDaemonError, "conflicting options"},
		{"no-tty", []string{"login", "localhost:5000"}, exitGeneric, "cannot perform an interactive login from a non-TTY device"},
		{"unauthorized", []string{"login", "-u", "profe", "-p", "mal", "localhost:5000"}, exitGeneric, "unauthorized: incorrect username or password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			d.json("POST /auth", http.StatusUnauthorized, map[string]string{"message": "login attempt to http://localhost:5000/v2/ failed with status: 401 Unauthorized: unauthorized: incorrect username or password"})
			cfgDir := t.TempDir()
			f, _, errOut := testFactory(d.host, map[string]string{envExplicar: "0", envDockerConfig: cfgDir})
			if code := execute(t.Context(), f, tt.argv); code != tt.wantCode {
				t.Errorf("exit code = %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(errOut.String(), tt.wantErr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tt.wantErr)
			}
			if _, err := os.Stat(filepath.Join(cfgDir, "config.json")); err == nil {
				t.Error("config.json was written by a failed login")
			}
		})
	}
}

func TestLogout(t *testing.T) {
	cfgDir := writeDockerConfig(t, "localhost:5000", "profe", "clase")
	f, out, errOut := testFactory("unix:///nonexistent.sock", map[string]string{envExplicar: "0", envDockerConfig: cfgDir})
	if code := execute(t.Context(), f, []string{"logout", "localhost:5000"}); code != 0 {
		t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
	}
	if want := "Removing login credentials for localhost:5000\n"; out.String() != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	b, _ := os.ReadFile(filepath.Join(cfgDir, "config.json"))
	if strings.Contains(string(b), "localhost:5000") {
		t.Errorf("config.json still has the credentials: %s", b)
	}
}
