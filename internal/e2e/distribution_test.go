package e2e

import (
	"io"
	"log"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
)

// startRegistry serves an in-memory OCI registry on 127.0.0.1 and returns
// its host:port.
func startRegistry(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return l.Addr().String()
}

// The docker CLI tags, pushes, removes and pulls back through bolsillod;
// the image keeps its ID, gains a RepoDigest, and runs.
func TestDockerPushPullRoundTrip(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	reg := startRegistry(t)
	ref := reg + "/aula/busybox:1.0"

	mustDocker := func(args ...string) result {
		t.Helper()
		r := d.docker(args...)
		if r.code != 0 {
			t.Fatalf("docker %s: %s\ndaemon log:\n%s", strings.Join(args, " "), r, d.log)
		}
		return r
	}
	id := strings.TrimSpace(mustDocker("image", "inspect", "-f", "{{.Id}}", "busybox").stdout)
	mustDocker("tag", "busybox", ref)
	push := mustDocker("push", ref)
	if !strings.Contains(push.stdout, "The push refers to repository ["+reg+"/aula/busybox]") ||
		!regexp.MustCompile(`1\.0: digest: sha256:[0-9a-f]{64} size: \d+`).MatchString(push.stdout) {
		t.Errorf("docker push output:\n%s", push.stdout)
	}
	rmi := mustDocker("rmi", ref)
	if rmi.stdout != "Untagged: "+ref+"\n" {
		t.Errorf("docker rmi of a second tag printed %q, want only the Untagged line", rmi.stdout)
	}

	// A fresh daemon has nothing: the pull downloads the layer.
	d2 := startDaemon(t)
	pull := d2.docker("pull", ref)
	if pull.code != 0 {
		t.Fatalf("docker pull: %s\n%s", pull, d2.log)
	}
	for _, want := range []string{"Pull complete", "Digest: sha256:", "Status: Downloaded newer image for " + ref} {
		if !strings.Contains(pull.stdout, want) {
			t.Errorf("docker pull output lacks %q:\n%s", want, pull.stdout)
		}
	}
	if got := strings.TrimSpace(d2.docker("image", "inspect", "-f", "{{.Id}}", ref).stdout); got != id {
		t.Errorf("pulled image ID = %s, want the pushed %s", got, id)
	}
	digests := d2.docker("image", "inspect", "-f", "{{json .RepoDigests}}", ref).stdout
	if !strings.Contains(digests, reg+"/aula/busybox@sha256:") {
		t.Errorf("RepoDigests = %s", digests)
	}
	if r := d2.docker("run", "--rm", ref, "echo", "desde el registro"); r.stdout != "desde el registro\n" {
		t.Errorf("run of the pulled image: %s", r)
	}
	again := d2.docker("pull", ref)
	if !strings.Contains(again.stdout, "Status: Image is up to date for "+ref) {
		t.Errorf("second pull:\n%s", again.stdout)
	}
}

func TestDockerTagRmiHistoryPrune(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	must := func(args ...string) result {
		t.Helper()
		r := d.docker(args...)
		if r.code != 0 {
			t.Fatalf("docker %s: %s\ndaemon log:\n%s", strings.Join(args, " "), r, d.log)
		}
		return r
	}
	id := strings.TrimSpace(must("image", "inspect", "-f", "{{.Id}}", "busybox").stdout)
	must("tag", "busybox", "mio/busybox:1.0")
	if got := must("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").stdout; got != "busybox:latest "+id[7:19]+"\nmio/busybox:1.0 "+id[7:19]+"\n" &&
		got != "mio/busybox:1.0 "+id[7:19]+"\nbusybox:latest "+id[7:19]+"\n" {
		t.Errorf("two names, one ID; docker images printed:\n%s", got)
	}
	hist := must("history", "busybox")
	if !regexp.MustCompile(`(?m)^IMAGE +CREATED +CREATED BY +SIZE +COMMENT\n` + id[7:19] + ` +.* ago +1\.99MB +Imported from -$`).MatchString(hist.stdout) {
		t.Errorf("docker history:\n%s", hist.stdout)
	}

	// rmi by ID with two tags needs -f.
	if r := d.docker("rmi", id[7:19]); r.code == 0 || !strings.Contains(r.stderr, "referenced in multiple repositories") {
		t.Errorf("rmi by ID of a twice-tagged image: %s", r)
	}
	// An image a container uses cannot lose its last tag without -f.
	must("create", "--name", "usa", "mio/busybox:1.0", "true")
	must("rmi", "busybox")
	if r := d.docker("rmi", "mio/busybox:1.0"); r.code == 0 || !strings.Contains(r.stderr, "is using its referenced image") {
		t.Errorf("rmi of the last tag of an image in use: %s", r)
	}
	must("rm", "usa")
	out := must("rmi", "mio/busybox:1.0").stdout
	if !strings.HasPrefix(out, "Untagged: mio/busybox:1.0\nDeleted: "+id+"\nDeleted: sha256:") {
		t.Errorf("rmi of the last tag:\n%s", out)
	}
	// Only the short-links dir and the init layer may stay.
	ents, _ := os.ReadDir(filepath.Join(d.root, "layers"))
	for _, e := range ents {
		if e.Name() != "l" && e.Name() != "init" {
			t.Errorf("layer %s left after the last image went", e.Name())
		}
	}

	// A dangling image (the tag moved) is what prune removes.
	d.labInit()
	d.must("import", "-c", `CMD ["sh"]`, writeRootfs(t), "busybox:latest")
	dangling := must("images", "-f", "dangling=true", "-q").stdout
	if strings.TrimSpace(dangling) == "" {
		t.Fatal("moving busybox:latest left no dangling image")
	}
	pr := must("image", "prune", "-f")
	if !strings.Contains(pr.stdout, "deleted: sha256:"+strings.TrimSpace(dangling)) || !strings.Contains(pr.stdout, "Total reclaimed space: 1.986MB") {
		t.Errorf("docker image prune -f:\n%s", pr.stdout)
	}
	if got := must("images", "-q").stdout; strings.Count(got, "\n") != 1 {
		t.Errorf("after prune, images -q = %q, want the tagged image only", got)
	}
}

// writeRootfs writes the small rootfs tar of writeRootfsTar to a temp file.
func writeRootfs(t *testing.T) string {
	t.Helper()
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skip("no static busybox at /bin/busybox")
	}
	p := filepath.Join(t.TempDir(), "rootfs.tar")
	writeRootfsTar(t, p, bb)
	return p
}

func TestDockerSaveLoad(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	tarPath := filepath.Join(t.TempDir(), "imgs.tar")
	if r := d.docker("tag", "busybox", "mio/busybox:1.0"); r.code != 0 {
		t.Fatal(r)
	}
	if r := d.docker("save", "-o", tarPath, "busybox", "mio/busybox:1.0"); r.code != 0 {
		t.Fatalf("docker save: %s", r)
	}
	id := strings.TrimSpace(d.docker("image", "inspect", "-f", "{{.Id}}", "busybox").stdout)

	d2 := startDaemon(t)
	r := d2.docker("load", "-i", tarPath)
	if r.code != 0 || !strings.Contains(r.stdout, "Loaded image: busybox:latest") || !strings.Contains(r.stdout, "Loaded image: mio/busybox:1.0") {
		t.Fatalf("docker load: %s\n%s", r, d2.log)
	}
	if got := strings.TrimSpace(d2.docker("image", "inspect", "-f", "{{.Id}}", "mio/busybox:1.0").stdout); got != id {
		t.Errorf("loaded ID = %s, want %s", got, id)
	}
	if r := d2.docker("run", "--rm", "busybox", "echo", "cargada"); r.stdout != "cargada\n" {
		t.Errorf("run of the loaded image: %s", r)
	}
	// A truncated tar is refused and leaves nothing.
	full, _ := os.ReadFile(tarPath)
	cut := filepath.Join(t.TempDir(), "cortado.tar")
	os.WriteFile(cut, full[:len(full)/2], 0o644)
	d3 := startDaemon(t)
	if r := d3.docker("load", "-i", cut); r.code == 0 {
		t.Errorf("docker load of a truncated tar succeeded: %s", r)
	}
	if got := d3.docker("images", "-q").stdout; got != "" {
		t.Errorf("a failed load left images: %q", got)
	}
}

// Pulling from a registry that is not there fails quickly with a clear
// error, never hangs.
func TestPullUnreachable(t *testing.T) {
	d := startDaemon(t)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	r := d.docker("pull", addr+"/nada:1")
	if r.code == 0 || !strings.Contains(r.stderr, "connection refused") {
		t.Errorf("pull from a closed port: %s", r)
	}
}
