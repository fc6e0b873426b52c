package cli

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
)

const (
	webID  = "3f2a9c1d5e6b7a8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c"
	dbID   = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
	imgID  = "sha256:5a1d0f6e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d"
	oldImg = "sha256:0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a"
)

// psFixture is what the fake daemon lists for ps.
func psFixture() []container.Summary {
	return []container.Summary{
		{
			ID: webID, Names: []string{"/web"}, Image: "busybox", ImageID: imgID,
			Command: "httpd -f -p 80 -h /var/www", Created: fixedNow.Add(-42 * 1e9).Unix(),
			Ports: []container.PortSummary{
				{IP: netip.MustParseAddr("0.0.0.0"), PrivatePort: 80, PublicPort: 8080, Type: "tcp"},
				{PrivatePort: 443, Type: "tcp"},
			},
			Labels: map[string]string{"curso": "docker", "nivel": "1"},
			State:  "running", Status: "Up 41 seconds",
		},
		{
			ID: dbID, Names: []string{"/db"}, Image: "docker.io/library/busybox:latest", ImageID: imgID,
			Command: "sh", Created: fixedNow.Add(-3 * 3600 * 1e9).Unix(),
			State: "exited", Status: "Exited (0) 2 hours ago", SizeRw: 12, SizeRootFs: 4_260_000,
		},
	}
}

// imagesFixture is what the fake daemon lists for images.
func imagesFixture() []image.Summary {
	return []image.Summary{
		{ID: imgID, RepoTags: []string{"busybox:latest", "miapp:1.0", "miapp:latest"}, Created: fixedNow.Add(-5 * 24 * 3600 * 1e9).Unix(), Size: 4_261_543, Containers: -1, SharedSize: -1},
		{ID: oldImg, RepoTags: []string{}, RepoDigests: []string{}, Created: fixedNow.Add(-30 * 24 * 3600 * 1e9).Unix(), Size: 1_234_567, Containers: -1, SharedSize: -1},
	}
}

func TestPsOutput(t *testing.T) {
	tests := []struct {
		name      string
		argv      []string
		wantQuery string
	}{
		{"ps", []string{"ps"}, ""},
		{"ps-all", []string{"ps", "-a"}, "all=1"},
		{"ps-quiet", []string{"ps", "-aq"}, "all=1"},
		{"ps-no-trunc", []string{"ps", "-a", "--no-trunc"}, "all=1"},
		{"ps-size", []string{"ps", "-as"}, "all=1&size=1"},
		{"ps-latest", []string{"ps", "-l"}, "limit=1"},
		{"ps-format-table", []string{"ps", "--format", "table {{.Names}}\\t{{.Image}}\\t{{.Label \"curso\"}}\\t{{.State}}"}, ""},
		{"ps-format-size", []string{"ps", "--format", "{{.Names}} {{.Size}}"}, "size=1"},
		{"ps-format-json", []string{"ps", "--format", "json"}, "size=1"}, // like docker: json includes .Size
		{"ps-format-helpers", []string{"ps", "--format", "{{upper .Names}} {{.Labels}} {{truncate .ID 4}} {{pad .State 1 1}}|{{json .Ports}} {{join (split .Command \" \") \",\"}} {{title .State}} {{lower .Status}}"}, ""},
		{"ps-filter", []string{"ps", "-a", "-f", "status=exited"}, `all=1&filters=%7B%22status%22%3A%7B%22exited%22%3Atrue%7D%7D`},
		{"ps-created-at", []string{"ps", "--format", "{{.ID}} {{.CreatedAt}} {{.RunningFor}}"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			d.json("GET /containers/json", http.StatusOK, psFixture())
			f, out, _ := testFactory(d.host, map[string]string{envExplicar: "0"})
			if code := execute(t.Context(), f, tt.argv); code != 0 {
				t.Fatalf("exit code = %d, want 0", code)
			}
			c, ok := d.call("GET", "/containers/json")
			if !ok {
				t.Fatalf("no GET /containers/json; calls = %q", d.requests())
			}
			if c.Query != tt.wantQuery {
				t.Errorf("query = %q, want %q", c.Query, tt.wantQuery)
			}
			assertGolden(t, "TestPsOutput/"+tt.name, out.String())
		})
	}
}

func TestImagesOutput(t *testing.T) {
	tests := []struct {
		name      string
		argv      []string
		wantQuery string
	}{
		{"images", []string{"images"}, ""},
		{"images-quiet", []string{"images", "-q"}, ""},
		{"images-no-trunc", []string{"images", "--no-trunc"}, ""},
		{"images-digests", []string{"images", "--digests"}, ""},
		{"images-all", []string{"images", "-a"}, "all=1"},
		{"images-dangling", []string{"images", "-f", "dangling=true"}, `filters=%7B%22dangling%22%3A%7B%22true%22%3Atrue%7D%7D`},
		{"images-reference", []string{"images", "miapp"}, `filters=%7B%22reference%22%3A%7B%22miapp%22%3Atrue%7D%7D`},
		{"images-format", []string{"images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}} {{.CreatedSince}} {{.Digest}}"}, ""},
		{"images-format-table", []string{"images", "--format", "table {{.ID}}\\t{{.Repository}}\\t{{.CreatedAt}}"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			d.json("GET /images/json", http.StatusOK, imagesFixture())
			f, out, _ := testFactory(d.host, map[string]string{envExplicar: "0"})
			if code := execute(t.Context(), f, tt.argv); code != 0 {
				t.Fatalf("exit code = %d, want 0", code)
			}
			c, ok := d.call("GET", "/images/json")
			if !ok {
				t.Fatalf("no GET /images/json; calls = %q", d.requests())
			}
			if c.Query != tt.wantQuery {
				t.Errorf("query = %q, want %q", c.Query, tt.wantQuery)
			}
			assertGolden(t, "TestImagesOutput/"+tt.name, out.String())
		})
	}
}

func TestRunDetached(t *testing.T) {
	d := newFakeDaemon(t)
	d.json("POST /containers/create", http.StatusCreated, container.CreateResponse{ID: webID})
	d.handle("POST /containers/"+webID+"/start", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	f, out, _ := testFactory(d.host, map[string]string{envExplicar: "0"})
	argv := []string{"run", "-d", "--name", "web", "-e", "A=1", "-m", "64m", "busybox", "httpd", "-f"}
	if code := execute(t.Context(), f, argv); code != 0 {
		t.Fatalf("exit code = %d, want 0", code)
	}
	if got, want := out.String(), webID+"\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	wantCalls := []string{"POST /containers/create?name=web", "POST /containers/" + webID + "/start"}
	if got := d.requests(); !reflect.DeepEqual(got, wantCalls) {
		t.Errorf("calls = %q, want %q", got, wantCalls)
	}
	c, _ := d.call("POST", "/containers/create")
	var body container.CreateRequest
	if err := json.Unmarshal([]byte(c.Body), &body); err != nil {
		t.Fatalf("create body %q: %v", c.Body, err)
	}
	cfg := body.Config
	if cfg.AttachStdin || cfg.AttachStdout || cfg.AttachStderr || cfg.StdinOnce {
		t.Errorf("detached create has attach flags set: %+v", cfg)
	}
	if !reflect.DeepEqual(cfg.Cmd, []string{"httpd", "-f"}) || !reflect.DeepEqual(cfg.Env, []string{"A=1"}) || cfg.Image != "busybox" {
		t.Errorf("create config = Cmd %q Env %q Image %q", cfg.Cmd, cfg.Env, cfg.Image)
	}
	if body.HostConfig.Memory != 64<<20 {
		t.Errorf("HostConfig.Memory = %d, want %d", body.HostConfig.Memory, 64<<20)
	}
}

func TestRunMissingImage(t *testing.T) {
	d := newFakeDaemon(t)
	d.json("POST /containers/create", http.StatusNotFound, map[string]string{"message": "No such image: nada:latest"})
	f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
	code := execute(t.Context(), f, []string{"run", "nada"})
	if code != exitDaemonError {
		t.Errorf("exit code = %d, want %d", code, exitDaemonError)
	}
	if out.Len() != 0 {
		t.Errorf("stdout = %q, want empty", out)
	}
	for _, want := range []string{"bolsillo lab init", "bolsillo pull nada", "No such image: nada:latest"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr = %q, want it to mention %q", errOut, want)
		}
	}
	if got := d.requests(); len(got) != 1 {
		t.Errorf("calls = %q, want only the create (no pull)", got)
	}
}

func TestRm(t *testing.T) {
	d := newFakeDaemon(t)
	d.handle("DELETE /containers/web", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	d.json("DELETE /containers/corre", http.StatusConflict, map[string]string{
		"message": "cannot remove container \"/corre\": container is running: stop the container before removing or force remove"})
	f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
	code := execute(t.Context(), f, []string{"rm", "-f", "-v", "web", "corre"})
	if code != exitGeneric {
		t.Errorf("exit code = %d, want %d", code, exitGeneric)
	}
	if got, want := out.String(), "web\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	if !strings.Contains(errOut.String(), "container is running") {
		t.Errorf("stderr = %q, want the daemon's message", errOut)
	}
	want := []string{"DELETE /containers/web?force=1&v=1", "DELETE /containers/corre?force=1&v=1"}
	if got := d.requests(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
}

// TestRmExplainsBeforeRemoval checks that explaining inspects the container
// before it is deleted, and that stderr gets the explanation.
func TestRmExplainsBeforeRemoval(t *testing.T) {
	d := newFakeDaemon(t)
	d.json("GET /containers/web/json", http.StatusOK, container.InspectResponse{ID: webID, Name: "/web",
		State: &container.State{Status: "exited"}, Config: &container.Config{Image: "busybox"}})
	d.handle("DELETE /containers/web", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	f, out, errOut := testFactory(d.host, nil)
	if code := execute(t.Context(), f, []string{"rm", "web"}); code != 0 {
		t.Fatalf("exit code = %d, want 0; stderr %q", code, errOut)
	}
	want := []string{"GET /containers/web/json", "DELETE /containers/web"}
	if got := d.requests(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
	if out.String() != "web\n" {
		t.Errorf("stdout = %q, want %q", out, "web\n")
	}
	if errOut.Len() == 0 {
		t.Error("stderr is empty, want an explanation")
	}
}
