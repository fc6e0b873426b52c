package runtime

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	// libcontainer's re-exec of this test binary as "init" needs nsenter's
	// constructor to join the namespaces before the Go runtime starts.
	_ "github.com/opencontainers/runc/libcontainer/nsenter"
)

func TestMain(m *testing.M) {
	Init()
	os.Exit(m.Run())
}

// requireRoot skips tests that need namespaces, mounts and cgroups.
func requireRoot(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("skipping test that requires root")
	}
}

// newID returns a random 64-hex container ID.
func newID(tb testing.TB) string {
	tb.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// newTestRuntime returns a Runtime with its own state root and cgroup
// parent. At the end of the test it removes the cgroup parent and fails if
// any cgroup directory of it is left.
func newTestRuntime(tb testing.TB) *Runtime {
	tb.Helper()
	requireRoot(tb)
	parent := "bolsillo-test-" + newID(tb)[:12]
	r, err := New(filepath.Join(tb.TempDir(), "runtime"), parent)
	if err != nil {
		tb.Fatalf("New() error = %v", err)
	}
	tb.Cleanup(func() {
		if err := r.Close(); err != nil {
			tb.Errorf("Close() error = %v", err)
		}
		if dirs := cgroupDirs(parent); len(dirs) > 0 {
			tb.Errorf("cgroup directories left behind: %v", dirs)
		}
	})
	return r
}

// cgroupDirs returns the directories of the cgroup at path (relative to the
// hierarchy roots) in every mounted hierarchy, v1 or v2.
func cgroupDirs(path string) []string {
	path = strings.TrimPrefix(path, "/")
	var dirs []string
	for _, pattern := range []string{"/sys/fs/cgroup/" + path, "/sys/fs/cgroup/*/" + path} {
		matches, _ := filepath.Glob(pattern)
		dirs = append(dirs, matches...)
	}
	return dirs
}

// applets are the busybox commands the test root filesystem links.
var applets = []string{
	"cat", "echo", "env", "grep", "head", "hostname", "id", "ip", "kill", "ls",
	"mount", "ps", "pwd", "sh", "sleep", "stty", "touch", "tr", "true", "tty", "wc",
}

// newRootfs builds a minimal root filesystem from the host's static
// busybox, with root, nobody and estudiante (1000) users.
func newRootfs(tb testing.TB) string {
	tb.Helper()
	root := tb.TempDir()
	for _, dir := range []string{"bin", "etc", "root", "home/estudiante", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	src, err := os.Open("/bin/busybox")
	if err != nil {
		tb.Skipf("static busybox not available: %v", err)
	}
	defer src.Close()
	dst, err := os.OpenFile(filepath.Join(root, "bin/busybox"), os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		tb.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		tb.Fatal(err)
	}
	for _, a := range applets {
		if err := os.Symlink("busybox", filepath.Join(root, "bin", a)); err != nil {
			tb.Fatal(err)
		}
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\n" +
			"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n" +
			"estudiante:x:1000:1000:Estudiante:/home/estudiante:/bin/sh\n",
		"etc/group": "root:x:0:\nalumnos:x:2000:estudiante\nnogroup:x:65534:\nestudiante:x:1000:\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return root
}

// result is what a container run produced.
type result struct {
	stdout, stderr string
	code           int
}

// run starts spec, waits for it and destroys it. A zero ID or Rootfs is
// filled in.
func run(tb testing.TB, r *Runtime, spec Spec) result {
	tb.Helper()
	if spec.ID == "" {
		spec.ID = newID(tb)
	}
	if spec.Rootfs == "" {
		spec.Rootfs = newRootfs(tb)
	}
	var stdout, stderr bytes.Buffer
	c, err := r.Start(spec, Stdio{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		tb.Fatalf("Start(%q) error = %v", strings.Join(spec.Args, " "), err)
	}
	code, err := c.Wait()
	if err != nil {
		tb.Fatalf("Wait() error = %v", err)
	}
	if err := c.Destroy(); err != nil {
		tb.Fatalf("Destroy() error = %v", err)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// assertGone fails if container id left its state directory or cgroup.
func assertGone(tb testing.TB, r *Runtime, id string) {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(r.stateRoot, id)); !os.IsNotExist(err) {
		tb.Errorf("state directory of %s: Stat error = %v, want not exist", id[:12], err)
	}
	if dirs := cgroupDirs(r.cgroupPath(id)); len(dirs) > 0 {
		tb.Errorf("cgroup of %s left behind: %v", id[:12], dirs)
	}
}
