package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// This file injects faults (SIGKILL of the daemon, a full disk, a container
// that eats its limits, a client that goes away) and checks after each that
// the image store is whole, the containers are listed as they are, and
// nothing is leaked.

// slowRegistry is an in-memory registry on 127.0.0.1 that, while slow is
// set, sends blobs at about 6 MB/s, so that a fault lands in the middle of
// a layer download.
type slowRegistry struct {
	host string
	slow atomic.Bool

	mu       sync.Mutex
	midBlob  chan struct{} // closed once a slow blob has sent 3 MB
	signaled bool
}

func startSlowRegistry(t *testing.T) *slowRegistry {
	t.Helper()
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	r := &slowRegistry{midBlob: make(chan struct{})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.slow.Load() && req.Method == http.MethodGet && strings.Contains(req.URL.Path, "/blobs/sha256:") {
			w = &throttledWriter{ResponseWriter: w, reg: r}
		}
		reg.ServeHTTP(w, req)
	}))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	r.host = l.Addr().String()
	return r
}

// mid is closed once a blob download is under way.
func (r *slowRegistry) mid() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.midBlob
}

func (r *slowRegistry) reachedMid() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.signaled {
		r.signaled = true
		close(r.midBlob)
	}
}

type throttledWriter struct {
	http.ResponseWriter
	reg  *slowRegistry
	sent int
}

func (w *throttledWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		c := min(len(p), 32<<10)
		m, err := w.ResponseWriter.Write(p[:c])
		n += m
		w.sent += m
		if err != nil {
			return n, err
		}
		p = p[c:]
		if f, ok := w.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		if w.sent >= 3<<20 {
			w.reg.reachedMid()
		}
		time.Sleep(5 * time.Millisecond)
	}
	return n, nil
}

// tarLayer makes a gzip layer of files (path -> content).
func tarLayer(t *testing.T, files map[string][]byte) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for p := range files {
		if d := filepath.Dir(p); d != "." && !dirs[d] {
			dirs[d] = true
			if err := tw.WriteHeader(&tar.Header{Name: d + "/", Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for p, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: p, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
		tarball.WithCompressionLevel(gzip.BestSpeed))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// randomBytes returns n bytes that do not compress.
func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// busyboxLayer is a layer with the host's static busybox and the applets
// these tests use.
func busyboxLayer(t *testing.T) v1.Layer {
	t.Helper()
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skip("no static busybox at /bin/busybox")
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(h *tar.Header, body []byte) {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	add(&tar.Header{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755}, nil)
	add(&tar.Header{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bb))}, bb)
	for _, applet := range []string{"sh", "cat", "echo", "sleep", "wc", "head", "tail", "dd", "ls", "true"} {
		add(&tar.Header{Name: "bin/" + applet, Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777}, nil)
	}
	for _, dir := range []string{"tmp/", "proc/", "sys/", "dev/", "etc/"} {
		add(&tar.Header{Name: dir, Typeflag: tar.TypeDir, Mode: 0o755}, nil)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// pushImage pushes to host/repo:latest a linux image made of busyboxLayer
// plus layers, and returns its reference.
func pushImage(t *testing.T, host, repo string, layers ...v1.Layer) string {
	t.Helper()
	base := busyboxLayer(t)
	img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{
		OS:           "linux",
		Architecture: goruntime.GOARCH,
		Config:       v1.Config{Cmd: []string{"sh"}},
		RootFS:       v1.RootFS{Type: "layers"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if img, err = mutate.AppendLayers(img, append([]v1.Layer{base}, layers...)...); err != nil {
		t.Fatal(err)
	}
	ref := host + "/" + repo + ":latest"
	tag, err := name.NewTag(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	return ref
}

// mustDocker runs the docker CLI and fails the test unless it exits 0.
func (d *daemon) mustDocker(args ...string) result {
	d.t.Helper()
	r := d.docker(args...)
	if r.code != 0 {
		d.t.Fatalf("docker %s: %s\ndaemon log:\n%s", strings.Join(args, " "), r, d.log)
	}
	return r
}

// startClient starts a client command in the background; the test kills
// it. Its stdin is a pipe that stays open until the test ends, as a
// terminal would.
func startClient(t *testing.T, argv []string, env []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		stdin.Close()
	})
	return cmd
}

// dockerEnv is the environment of a docker CLI pointed at d.
func (d *daemon) dockerEnv() []string {
	return []string{"DOCKER_HOST=" + d.host(), "DOCKER_CONFIG=" + d.t.TempDir(), "DOCKER_CLI_HINTS=false", "DOCKER_BUILDKIT=0"}
}

// waitFast polls cond every millisecond, for operations whose middle lasts
// only a fraction of a second.
func waitFast(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// hasTemp reports whether dir holds an entry whose name starts with ".tmp-":
// a write or a removal in progress.
func hasTemp(dir string) bool {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			return true
		}
	}
	return false
}

// assertStoreConsistent checks the image store through the API (every
// image listed by `images -a` inspects, has a history and saves; every tag
// names a listed image) and on disk (no temp file, every blob whole, every
// blob and layer used by a listed image, no build leftovers).
func (d *daemon) assertStoreConsistent() {
	d.t.Helper()
	seen := map[string]bool{}
	for _, id := range strings.Fields(d.mustDocker("images", "-a", "-q", "--no-trunc").stdout) {
		if seen[id] {
			continue
		}
		seen[id] = true
		d.mustDocker("image", "inspect", id)
		d.mustDocker("history", "--no-trunc", id)
		d.mustDocker("save", "-o", filepath.Join(d.t.TempDir(), "img.tar"), id)
	}
	for _, line := range strings.Split(strings.TrimSpace(d.mustDocker("images", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").stdout), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || strings.Contains(f[0], "<none>") {
			continue
		}
		if got := strings.TrimSpace(d.mustDocker("image", "inspect", "-f", "{{.Id}}", f[0]).stdout); got != f[1] || !seen[got] {
			d.t.Errorf("tag %s names %s; images lists %s (listed by images -a: %v)", f[0], got, f[1], seen[got])
		}
	}
	d.assertStoreFiles(seen)
}

// assertStoreFiles checks the store's directories against the listed
// images.
func (d *daemon) assertStoreFiles(listed map[string]bool) {
	d.t.Helper()
	t := d.t
	imgRoot := filepath.Join(d.root, "image")
	blobs := filepath.Join(imgRoot, "blobs", "sha256")
	layers := filepath.Join(d.root, "layers")
	for _, dir := range []string{imgRoot, blobs, layers} {
		if hasTemp(dir) {
			t.Errorf("temp files left in %s", dir)
		}
	}
	if ents, _ := os.ReadDir(filepath.Join(d.root, "build")); len(ents) != 0 {
		t.Errorf("build/ keeps %d entries", len(ents))
	}

	// Every blob under its own digest.
	ents, err := os.ReadDir(blobs)
	if err != nil {
		t.Fatal(err)
	}
	onDisk := map[string]bool{}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			continue
		}
		onDisk[e.Name()] = true
		f, err := os.Open(filepath.Join(blobs, e.Name()))
		if err != nil {
			t.Error(err)
			continue
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil || hex.EncodeToString(h.Sum(nil)) != e.Name() {
			t.Errorf("blob %s is not whole (read error %v)", e.Name(), err)
		}
	}

	// What the index refers to.
	var index struct {
		Manifests []struct {
			Digest string `json:"digest"`
		} `json:"manifests"`
	}
	if _, err := os.Stat(filepath.Join(imgRoot, "index.json")); err == nil {
		readJSONFile(t, filepath.Join(imgRoot, "index.json"), &index)
	}
	usedBlobs, usedLayers := map[string]bool{}, map[string]bool{}
	for _, m := range index.Manifests {
		var manifest struct {
			Config struct {
				Digest string `json:"digest"`
			} `json:"config"`
			Layers []struct {
				Digest string `json:"digest"`
			} `json:"layers"`
		}
		readJSONFile(t, filepath.Join(blobs, strings.TrimPrefix(m.Digest, "sha256:")), &manifest)
		if !listed[manifest.Config.Digest] {
			t.Errorf("index.json has image %s, which images -a does not list", manifest.Config.Digest)
		}
		var config struct {
			RootFS struct {
				DiffIDs []string `json:"diff_ids"`
			} `json:"rootfs"`
		}
		readJSONFile(t, filepath.Join(blobs, strings.TrimPrefix(manifest.Config.Digest, "sha256:")), &config)
		usedBlobs[strings.TrimPrefix(m.Digest, "sha256:")] = true
		usedBlobs[strings.TrimPrefix(manifest.Config.Digest, "sha256:")] = true
		for _, l := range manifest.Layers {
			usedBlobs[strings.TrimPrefix(l.Digest, "sha256:")] = true
		}
		for _, diffID := range config.RootFS.DiffIDs {
			usedLayers[strings.TrimPrefix(diffID, "sha256:")] = true
		}
	}
	for b := range usedBlobs {
		if !onDisk[b] {
			t.Errorf("blob %s of a listed image is missing", b)
		}
	}
	for b := range onDisk {
		if !usedBlobs[b] {
			t.Errorf("blob %s is used by no image (space nobody can free)", b)
		}
	}
	for l := range usedLayers {
		for _, f := range []string{"diff", "link", "size"} {
			if _, err := os.Stat(filepath.Join(layers, l, f)); err != nil {
				t.Errorf("layer %s of a listed image: %v", l, err)
			}
		}
	}
	lents, _ := os.ReadDir(layers)
	for _, e := range lents {
		if len(e.Name()) == 64 && !usedLayers[e.Name()] {
			t.Errorf("layer %s is used by no image (space nobody can free)", e.Name())
		}
	}
	links, _ := os.ReadDir(filepath.Join(layers, "l"))
	for _, e := range links {
		if _, err := os.Stat(filepath.Join(layers, "l", e.Name())); err != nil {
			t.Errorf("short link %s leads nowhere: %v", e.Name(), err)
		}
	}
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// daemonAnswers fails unless `version` answers within a few seconds.
func (d *daemon) daemonAnswers(when string) {
	d.t.Helper()
	start := time.Now()
	r := d.docker("version", "--format", "{{.Server.Version}}")
	if r.code != 0 || strings.TrimSpace(r.stdout) == "" {
		d.t.Fatalf("%s, version failed: %s\ndaemon log:\n%s", when, r, d.log)
	}
	if took := time.Since(start); took > 5*time.Second {
		d.t.Errorf("%s, version took %v", when, took)
	}
}

// startPullToMiddle pushes an 8 MB single-layer image to a slow registry,
// starts a daemon and a docker pull of the image, and returns once the
// download is in the middle of the layer, the registry still slow.
func startPullToMiddle(t *testing.T) (reg *slowRegistry, ref string, d *daemon, pull *exec.Cmd) {
	t.Helper()
	reg = startSlowRegistry(t)
	ref = pushImage(t, reg.host, "aula/grande", tarLayer(t, map[string][]byte{"grande.bin": randomBytes(t, 8<<20)}))
	d = startDaemon(t)
	reg.slow.Store(true)
	pull = startClient(t, []string{"docker", "pull", ref}, d.dockerEnv())
	select {
	case <-reg.mid():
	case <-time.After(20 * time.Second):
		t.Fatalf("the pull never reached the middle of the layer\n%s", d.log)
	}
	return reg, ref, d, pull
}

// SIGKILL in the middle of a layer download: after the restart the image is
// not listed, no temp blob or half layer is left, and the pull is redone.
func TestFaultKillDuringPull(t *testing.T) {
	reg, ref, d, pull := startPullToMiddle(t)
	waitFast(t, "a temp blob of the download", func() bool { return hasTemp(filepath.Join(d.root, "image", "blobs", "sha256")) })
	d.kill9()
	_ = pull.Process.Kill()
	reg.slow.Store(false)

	d.start()
	if got := d.mustDocker("images", "-a", "-q").stdout; got != "" {
		t.Errorf("an interrupted pull left images: %q", got)
	}
	d.assertStoreConsistent()
	r := d.mustDocker("pull", ref)
	if !strings.Contains(r.stdout, "Status: Downloaded newer image for "+ref) {
		t.Errorf("pull after the crash:\n%s", r.stdout)
	}
	if got := d.mustDocker("run", "--rm", ref, "wc", "-c", "/grande.bin").stdout; got != fmt.Sprintf("%d /grande.bin\n", 8<<20) {
		t.Errorf("the pulled layer holds %q", got)
	}
	d.assertStoreConsistent()
}

// A docker pull killed in the middle of a download: the daemon stops the
// pull, keeps no temp blob and lists no image, and serves the next pull.
func TestFaultClientGoneDuringPull(t *testing.T) {
	reg, ref, d, pull := startPullToMiddle(t)
	_ = pull.Process.Kill()
	blobs := filepath.Join(d.root, "image", "blobs", "sha256")
	waitFor(t, "the daemon to drop the abandoned download", func() bool { return !hasTemp(blobs) })
	d.daemonAnswers("after the client left a pull")
	if got := d.mustDocker("images", "-a", "-q").stdout; got != "" {
		t.Errorf("an abandoned pull left images: %q", got)
	}
	reg.slow.Store(false)
	d.mustDocker("pull", ref)
	d.assertStoreConsistent()
}

// state returns a container's State.Status, State.Paused and exit code.
func (d *daemon) state(name string) string {
	d.t.Helper()
	return strings.TrimSpace(d.mustDocker("inspect", "-f", "{{.State.Status}} paused={{.State.Paused}} exit={{.State.ExitCode}}", name).stdout)
}

// SIGKILL while commit writes a large writable layer (its container frozen
// by the commit): after the restart the container is exited and not
// paused, the store lists no half image, and the commit can be redone.
func TestFaultKillDuringCommit(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	const size = 30_000_000
	d.must("run", "-d", "--name", "grande", "busybox", "sh", "-c",
		fmt.Sprintf("head -c %d /dev/urandom > /g.tmp && mv /g.tmp /grande.bin && sleep 1000", size))
	upper := field(d.inspect("grande"), "GraphDriver", "Data", "UpperDir").(string)
	waitFor(t, "the container to write its file", func() bool {
		_, err := os.Stat(filepath.Join(upper, "grande.bin"))
		return err == nil
	})
	commit := startClient(t, []string{filepath.Join(bin, "bolsillo"), "-H", d.host(), "--explicar=false", "commit", "grande", "grande:1"}, nil)
	blobs, layers := filepath.Join(d.root, "image", "blobs", "sha256"), filepath.Join(d.root, "layers")
	waitFast(t, "the commit to start writing", func() bool { return hasTemp(blobs) || hasTemp(layers) })
	d.kill9()
	_ = commit.Process.Kill()

	d.start()
	if got := d.state("grande"); got != "exited paused=false exit=255" {
		t.Errorf("after the crash the committed container is %q", got)
	}
	d.assertStoreConsistent()
	d.must("commit", "grande", "grande:1")
	if got := d.mustDocker("run", "--rm", "grande:1", "wc", "-c", "/grande.bin").stdout; got != fmt.Sprintf("%d /grande.bin\n", size) {
		t.Errorf("the redone commit holds %q", got)
	}
	d.must("rm", "-f", "grande")
	d.assertStoreConsistent()
}

// SIGKILL while rmi removes an image of many layers: after the restart the
// image is either listed whole or gone with all its layers, and it can be
// pulled and removed again.
func TestFaultKillDuringRmi(t *testing.T) {
	reg := startSlowRegistry(t)
	var layers []v1.Layer
	for i := range 20 {
		files := map[string][]byte{}
		for j := range 200 {
			files[fmt.Sprintf("capa%02d/f%03d", i, j)] = []byte(strings.Repeat("x", 100))
		}
		layers = append(layers, tarLayer(t, files))
	}
	ref := pushImage(t, reg.host, "aula/capas", layers...)
	d := startDaemon(t)
	d.mustDocker("pull", ref)
	if got := strings.Count(d.mustDocker("history", "-q", ref).stdout, "\n"); got != 21 {
		t.Fatalf("the pulled image has %d history entries, want 21", got)
	}

	rmi := startClient(t, []string{"docker", "rmi", ref}, d.dockerEnv())
	layerDir := filepath.Join(d.root, "layers")
	waitFast(t, "rmi to remove a layer", func() bool { return hasTemp(layerDir) })
	d.kill9()
	_ = rmi.Process.Kill()

	d.start()
	d.assertStoreConsistent()
	d.mustDocker("pull", ref)
	if got := d.mustDocker("run", "--rm", ref, "cat", "/capa19/f199").stdout; got != strings.Repeat("x", 100) {
		t.Errorf("a file of the top layer reads %q", got)
	}
	d.mustDocker("rmi", ref)
	d.assertStoreConsistent()
	ents, _ := os.ReadDir(layerDir)
	for _, e := range ents {
		if e.Name() != "l" && e.Name() != "init" {
			t.Errorf("layer %s left after the last image went", e.Name())
		}
	}
}

// SIGKILL with containers in every state: after the restart the running
// and the paused ones are exited (and no longer paused), the others keep
// their state, and all of them go with rm -f.
func TestFaultKillWithContainers(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("run", "-d", "--name", "corre", "busybox", "sleep", "1000")
	d.must("run", "-d", "--name", "pausado", "busybox", "sleep", "1000")
	d.must("pause", "pausado")
	d.must("create", "--name", "creado", "busybox", "true")
	if r := d.bolsillo("--explicar=false", "run", "--name", "salio", "busybox", "sh", "-c", "exit 3"); r.code != 3 {
		t.Fatalf("run of a container that exits 3: %s", r)
	}
	want := map[string]string{
		"corre":   "exited paused=false exit=255",
		"pausado": "exited paused=false exit=255",
		"creado":  "created paused=false exit=0",
		"salio":   "exited paused=false exit=3",
	}
	d.kill9()
	d.start()
	for name, w := range want {
		if got := d.state(name); got != w {
			t.Errorf("after the crash %s is %q, want %q", name, got, w)
		}
	}
	if got := d.mustDocker("ps", "-q").stdout; got != "" {
		t.Errorf("ps lists running containers after the crash: %q", got)
	}
	d.assertStoreConsistent()
	// The paused one runs again.
	d.must("start", "pausado")
	if got := d.state("pausado"); got != "running paused=false exit=0" {
		t.Errorf("restarted pausado is %q", got)
	}
	d.must("rm", "-f", "corre", "pausado", "creado", "salio")
}

// startDaemonOnTmpfs starts a daemon whose data root is a tmpfs of size
// (e.g. "24m"): a small disk that fills.
func startDaemonOnTmpfs(t *testing.T, size string) *daemon {
	t.Helper()
	dir, err := os.MkdirTemp("", "bolsillo-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "root")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", root, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	d := &daemon{t: t, root: root, sock: filepath.Join(dir, "api.sock")}
	d.start()
	t.Cleanup(func() {
		d.stop()
		if err := syscall.Unmount(root, 0); err != nil {
			t.Errorf("unmounting the test's tmpfs: %v (something under it is still mounted)", err)
		}
		d.assertNoLeftovers()
		os.RemoveAll(dir)
	})
	return d
}

// freeBytes is the free space of the file system holding dir.
func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * st.Bsize
}

// assertDiskFullExplained checks that a command that filled the disk failed,
// that the error names the full disk and that the Spanish explanation on
// stderr has spanish.
func assertDiskFullExplained(t *testing.T, what string, r result, spanish string) {
	t.Helper()
	if r.code == 0 {
		t.Fatalf("%s on a full disk succeeded:\n%s", what, r)
	}
	if !strings.Contains(strings.ToLower(r.stdout+r.stderr), "no space left on device") || !strings.Contains(r.stderr, spanish) {
		t.Errorf("%s: the error does not explain the full disk (want %q on stderr):\n%s", what, spanish, r)
	}
}

// A disk that fills during a pull, a build step and a commit: each fails
// with a Spanish explanation, the store stays whole, the space the
// operation took is given back, and the daemon goes on working.
func TestFaultDiskFull(t *testing.T) {
	reg := startSlowRegistry(t)
	d := startDaemonOnTmpfs(t, "24m")
	d.labInit()
	free := freeBytes(t, d.root)
	// Data that does not compress, so that its layer takes its size.
	rnd := func(n int) string { return fmt.Sprintf("head -c %d /dev/urandom > /lleno", n) }
	tests := []struct {
		name string
		run  func(t *testing.T) result
		// tag is the image the operation would have made.
		tag string
		// spanish is what the explanation says: the engine's error on a
		// full disk, or the failed step when a RUN filled it.
		spanish string
	}{
		{"pull larger than the disk", func(t *testing.T) result {
			ref := pushImage(t, reg.host, "aula/enorme", tarLayer(t, map[string][]byte{"enorme.bin": randomBytes(t, 30<<20)}))
			return d.bolsillo("pull", ref)
		}, reg.host + "/aula/enorme", "espacio"},
		{"pull whose layer fits once but not unpacked", func(t *testing.T) result {
			ref := pushImage(t, reg.host, "aula/mediana", tarLayer(t, map[string][]byte{"mediana.bin": randomBytes(t, 11<<20)}))
			return d.bolsillo("pull", ref)
		}, reg.host + "/aula/mediana", "espacio"},
		{"build whose RUN fills the disk", func(t *testing.T) result {
			ctx := t.TempDir()
			os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nRUN dd if=/dev/zero of=/lleno bs=1M count=100\n"), 0o644)
			return d.bolsillo("build", "-t", "lleno:1", ctx)
		}, "lleno:1", "Falló el paso 2"},
		{"build whose step layer does not fit", func(t *testing.T) result {
			ctx := t.TempDir()
			os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nRUN "+rnd(11_000_000)+"\n"), 0o644)
			return d.bolsillo("build", "-t", "capa:1", ctx)
		}, "capa:1", "espacio"},
		{"commit whose layer does not fit", func(t *testing.T) result {
			d.must("run", "--name", "escribe", "busybox", "sh", "-c", rnd(11_000_000))
			defer d.must("rm", "escribe")
			return d.bolsillo("commit", "escribe", "escrito:1")
		}, "escrito:1", "espacio"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d.t = t
			defer func() { d.t = t }()
			r := tt.run(t)
			assertDiskFullExplained(t, tt.name, r, tt.spanish)
			if got := d.mustDocker("images", "-q", tt.tag).stdout; got != "" {
				t.Errorf("the failed operation tagged %s: %q", tt.tag, got)
			}
			d.assertStoreConsistent()
			// A little slack for directories and logs.
			if now := freeBytes(t, d.root); now < free-512<<10 {
				t.Errorf("free space is %d bytes, %d before: the failed operation kept %d bytes", now, free, free-now)
			}
			if got := d.mustDocker("run", "--rm", "busybox", "echo", "sigo").stdout; got != "sigo\n" {
				t.Errorf("after the full disk, run printed %q", got)
			}
		})
	}
}

// childCgroups lists the cgroups under the daemon's parent in hierarchy:
// one per live container or build step.
func (d *daemon) childCgroups(hierarchy string) []string {
	ents, _ := os.ReadDir(filepath.Join("/sys/fs/cgroup", hierarchy, d.cgroupParent()))
	var names []string
	for _, e := range ents {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

// A fork bomb under --pids-limit stays within its limit and a container
// that fills its memory under -m is killed by the OOM killer; the daemon
// answers all along and rm -f cleans everything.
func TestFaultGreedyContainers(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	// The bomb runs as an exec: busybox sh gives up at its first failed
	// fork, and the sleeps it forked stay in the container.
	d.must("run", "-d", "--name", "bomba", "--pids-limit", "50", "busybox", "sleep", "1000")
	d.must("exec", "-d", "bomba", "sh", "-c", "while true; do sleep 1000 & done")
	waitFor(t, "the fork bomb to reach its limit", func() bool {
		var n int
		fmt.Sscan(d.cgroupFile("bomba", "pids", "pids.current"), &n)
		return n >= 45
	})
	d.daemonAnswers("during a fork bomb")
	var n int
	fmt.Sscan(d.cgroupFile("bomba", "pids", "pids.current"), &n)
	if n > 50 {
		t.Errorf("the fork bomb has %d processes, over its limit of 50", n)
	}
	if got := d.state("bomba"); got != "running paused=false exit=0" {
		t.Errorf("the fork bomb is %q", got)
	}
	d.must("rm", "-f", "bomba")
	d.daemonAnswers("after removing a fork bomb")

	r := d.bolsillo("--explicar=false", "run", "--name", "memoria", "-m", "32m", "busybox", "sh", "-c", "head -c 100000000 /dev/zero | tail")
	if r.code != 137 {
		t.Errorf("a container that fills its 32 MB: %s", r)
	}
	if got := strings.TrimSpace(d.mustDocker("inspect", "-f", "{{.State.OOMKilled}}", "memoria").stdout); got != "true" {
		t.Errorf("State.OOMKilled = %s, want true", got)
	}
	d.daemonAnswers("after the OOM killer")
	d.must("rm", "-f", "memoria")
	if got := d.childCgroups("pids"); len(got) != 0 {
		t.Errorf("cgroups left after rm -f: %v", got)
	}
}

// Clients that go away in the middle: an attach killed twice leaves the
// container running and attachable; a `run -i` killed ends its container's
// stdin, so it exits and --rm removes it; a build killed while its RUN
// sleeps stops the step and leaves no build directory, mount, cgroup or
// image.
func TestFaultClientGone(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	d.must("run", "-d", "-it", "--name", "charla", "busybox", "sh")
	for range 2 {
		attach := startClient(t, []string{"docker", "attach", "charla"}, d.dockerEnv())
		time.Sleep(300 * time.Millisecond)
		_ = attach.Process.Kill()
		_ = attach.Wait()
	}
	d.daemonAnswers("after attach clients were killed")
	if got := d.state("charla"); got != "running paused=false exit=0" {
		t.Errorf("after its attach clients died, charla is %q", got)
	}
	if got := d.mustDocker("exec", "charla", "echo", "sigo").stdout; got != "sigo\n" {
		t.Errorf("exec after the attaches: %q", got)
	}
	d.must("rm", "-f", "charla")

	run := startClient(t, []string{"docker", "run", "-i", "--rm", "--name", "efimero", "busybox", "cat"}, d.dockerEnv())
	waitFor(t, "the run -i container to start", func() bool {
		return strings.Contains(d.docker("ps", "--format", "{{.Names}}").stdout, "efimero")
	})
	_ = run.Process.Kill()
	waitFor(t, "the --rm container to go when its client died", func() bool {
		return d.mustDocker("ps", "-a", "-q").stdout == ""
	})

	ctx := t.TempDir()
	if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nRUN touch /empezado && sleep 1000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	build := startClient(t, []string{"docker", "build", "-t", "cortado:1", ctx}, d.dockerEnv())
	buildDir := filepath.Join(d.root, "build")
	mounted := func() bool {
		mounts, _ := os.ReadFile("/proc/self/mounts")
		return strings.Contains(string(mounts), buildDir)
	}
	waitFor(t, "the RUN step to start", mounted)
	_ = build.Process.Kill()
	waitFor(t, "the daemon to stop the abandoned build", func() bool {
		ents, _ := os.ReadDir(buildDir)
		return !mounted() && len(ents) == 0 && len(d.childCgroups("pids")) == 0
	})
	d.daemonAnswers("after the build client was killed")
	if got := d.mustDocker("images", "-q", "cortado").stdout; got != "" {
		t.Errorf("the abandoned build tagged an image: %q", got)
	}
	d.assertStoreConsistent()
}
