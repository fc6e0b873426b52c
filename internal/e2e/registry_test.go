package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// registryProc is a registry program started by a test: the classroom
// registry or Debian's docker-registry.
type registryProc struct {
	t    *testing.T
	host string // 127.0.0.1:PORT
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan error
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freeHost returns 127.0.0.1:PORT with a port nobody listens on now.
func freeHost(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startRegistryProc runs argv, which must serve the registry API on host,
// and waits until GET /v2/ answers 200. The process is stopped by PID when
// the test ends.
func startRegistryProc(t *testing.T, host string, argv ...string) *registryProc {
	t.Helper()
	p := &registryProc{t: t, host: host, out: &lockedBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", argv[0], err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { p.stop() })

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := client.Get("http://" + host + "/v2/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case err := <-p.done:
			p.cmd = nil
			t.Fatalf("%s exited at start: %v\n%s", argv[0], err, p.out)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("%s did not answer on http://%s/v2/\n%s", argv[0], host, p.out)
	return nil
}

// stop ends the registry with SIGTERM and reports how it exited; it does
// nothing when the registry is already stopped.
func (p *registryProc) stop() error {
	if p.cmd == nil {
		return nil
	}
	defer func() { p.cmd = nil }()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case err := <-p.done:
		return err
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not stop on SIGTERM", p.cmd.Path)
	}
}

// startClassroomRegistry runs `bolsillo registry` (which execs
// bolsillo-registry in the same process) on host with its data in root.
func startClassroomRegistry(t *testing.T, host, root string) *registryProc {
	t.Helper()
	return startRegistryProc(t, host, filepath.Join(bin, "bolsillo"), "registry", "--addr", host, "--root", root)
}

// imageID returns the ID of ref in the daemon, through the docker CLI.
func (d *daemon) imageID(ref string) string {
	d.t.Helper()
	r := d.docker("image", "inspect", "-f", "{{.Id}}", ref)
	if r.code != 0 {
		d.t.Fatalf("docker image inspect %s: %s\ndaemon log:\n%s", ref, r, d.log)
	}
	return strings.TrimSpace(r.stdout)
}

// pushDigest matches the last line docker push prints.
var pushDigest = regexp.MustCompile(`(?m)^latest: digest: sha256:[0-9a-f]{64} size: \d+$`)

// The teacher starts the classroom registry and pushes the lab image with
// `lab init --registry` and a course image with docker push; the registry
// is restarted, and a student's fresh daemon pulls both with the same IDs.
func TestClassroomRegistry(t *testing.T) {
	root := filepath.Join(t.TempDir(), "aula")
	host := freeHost(t)
	reg := startClassroomRegistry(t, host, root)
	if out := reg.out.String(); !strings.Contains(out, "escuchando en http://"+host) ||
		!strings.Contains(out, "las imágenes se guardan en "+root) ||
		!strings.Contains(out, "bolsillo pull "+host+"/busybox") {
		t.Errorf("startup text does not name the address, the directory and the pull command:\n%s", out)
	}

	teacher := startDaemon(t)
	lab := teacher.must("lab", "init", "--registry", host)
	if !strings.Contains(lab.stdout, "The push refers to repository ["+host+"/busybox]") || !pushDigest.MatchString(lab.stdout) {
		t.Errorf("lab init --registry did not print docker's push lines:\n%s", lab.stdout)
	}
	id := teacher.imageID("busybox:latest")
	if got := teacher.imageID(host + "/busybox:latest"); got != id {
		t.Errorf("%s/busybox:latest is image %s, want the lab image %s", host, got, id)
	}
	course := host + "/curso/busybox:1.0"
	if r := teacher.docker("tag", "busybox", course); r.code != 0 {
		t.Fatalf("docker tag: %s", r)
	}
	if r := teacher.docker("push", course); r.code != 0 {
		t.Fatalf("docker push: %s\ndaemon log:\n%s", r, teacher.log)
	}

	// Pushes ask for blobs the registry does not have yet; those 404s are
	// not problems and a quiet registry does not log them.
	if out := reg.out.String(); strings.Contains(out, "level=") {
		t.Errorf("the registry logged during a normal push:\n%s", out)
	}

	// Blobs and manifests are files under the root: they survive a restart.
	if err := reg.stop(); err != nil {
		t.Fatalf("bolsillo-registry did not stop cleanly on SIGTERM: %v\n%s", err, reg.out)
	}
	if !strings.Contains(reg.out.String(), "Registro detenido") {
		t.Errorf("no stop message:\n%s", reg.out)
	}
	for _, tag := range []string{"busybox/_manifests/tags/latest", "curso/busybox/_manifests/tags/1.0"} {
		if _, err := os.Stat(filepath.Join(root, "docker/registry/v2/repositories", tag)); err != nil {
			t.Errorf("tag not stored on disk: %v", err)
		}
	}
	startClassroomRegistry(t, host, root)

	student := startDaemon(t)
	for _, ref := range []string{host + "/busybox", course} {
		if r := student.docker("pull", ref); r.code != 0 {
			t.Fatalf("docker pull %s after a restart of the registry: %s\ndaemon log:\n%s", ref, r, student.log)
		}
		if got := student.imageID(ref); got != id {
			t.Errorf("pulled %s is image %s, want %s", ref, got, id)
		}
	}
	if r := student.docker("run", "--rm", course, "echo", "hola aula"); r.stdout != "hola aula\n" {
		t.Errorf("run of the pulled image: %s", r)
	}
}

// `lab init --registry` refuses anything but HOST:PORT before touching the
// daemon, so that nothing is pushed to Docker Hub by mistake.
func TestLabInitRegistryRefusesRepository(t *testing.T) {
	d := startDaemon(t)
	r := d.bolsillo("lab", "init", "--registry", "aula")
	if r.code == 0 || !strings.Contains(r.stderr, "HOST:PUERTO") {
		t.Errorf("lab init --registry aula: %s", r)
	}
	if got := d.docker("images", "-q"); got.stdout != "" {
		t.Errorf("images after a refused lab init: %q, want none", got.stdout)
	}
}

// debianRegistryConfig is a configuration for Debian's docker-registry
// (CNCF distribution 2.8): filesystem storage under root, plain HTTP on addr.
func debianRegistryConfig(root, addr string) string {
	return fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
  secret: bolsillo-e2e
`, root, addr)
}

// Debian's docker-registry accepts what bolsillo pushes and serves it back:
// a fresh daemon pulls the same image ID.
func TestDebianDockerRegistry(t *testing.T) {
	binary, err := exec.LookPath("docker-registry")
	if err != nil {
		t.Skip("docker-registry is not installed (Debian package docker-registry, /usr/bin/docker-registry; `make deps` installs it)")
	}
	dir := t.TempDir()
	host := freeHost(t)
	config := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(config, []byte(debianRegistryConfig(filepath.Join(dir, "data"), host)), 0o600); err != nil {
		t.Fatal(err)
	}
	startRegistryProc(t, host, binary, "serve", config)

	teacher := startDaemon(t)
	lab := teacher.must("lab", "init", "--registry", host)
	if !pushDigest.MatchString(lab.stdout) {
		t.Errorf("push to docker-registry printed no digest line:\n%s", lab.stdout)
	}
	id := teacher.imageID("busybox:latest")

	student := startDaemon(t)
	ref := host + "/busybox:latest"
	pull := student.must("pull", ref)
	if !strings.Contains(pull.stdout, "Status: Downloaded newer image for "+ref) {
		t.Errorf("bolsillo pull from docker-registry:\n%s", pull.stdout)
	}
	if got := student.imageID(ref); got != id {
		t.Errorf("image pulled from docker-registry is %s, want the pushed %s", got, id)
	}
	if r := student.bolsillo("run", "--rm", ref, "echo", "hola debian"); r.stdout != "hola debian\n" {
		t.Errorf("run of the image pulled from docker-registry: %s", r)
	}
}
