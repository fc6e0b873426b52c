package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bolsillo speaks only the Docker Engine API, so pointed at a real Docker
// daemon it runs and explains Docker's own containers. Runs only where a
// Docker daemon answers on /var/run/docker.sock; it uses a tag of its own
// and removes it.
func TestAgainstRealDocker(t *testing.T) {
	const sock = "unix:///var/run/docker.sock"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if exec.CommandContext(ctx, "docker", "-H", sock, "version").Run() != nil {
		t.Skip("no Docker daemon answers on /var/run/docker.sock")
	}
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skip("no static busybox at /bin/busybox")
	}
	tarPath := filepath.Join(t.TempDir(), "rootfs.tar")
	writeRootfsTar(t, tarPath, bb)

	d := &daemon{t: t}
	real := func(args ...string) result {
		t.Helper()
		return d.exec(append([]string{filepath.Join(bin, "bolsillo"), "-H", sock}, args...), nil)
	}
	const tag = "bolsillo-e2e/busybox:prueba"
	if r := real("import", "-c", `CMD ["sh"]`, tarPath, tag); r.code != 0 {
		t.Fatalf("import into Docker: %s", r)
	}
	t.Cleanup(func() { exec.Command("docker", "-H", sock, "rmi", "-f", tag).Run() })

	r := real("run", "--rm", tag, "echo", "hola")
	if r.code != 0 || r.stdout != "hola\n" {
		t.Fatalf("run on Docker: %s", r)
	}
	// The explanation reads Docker's data: its own overlay2 directories.
	if !strings.Contains(r.stderr, "/overlay2/") || !strings.Contains(r.stderr, "capa de solo lectura") {
		t.Errorf("the explanation does not use Docker's data:\n%s", r.stderr)
	}

	// And bolsillo prints what docker prints, on Docker's own data.
	t.Cleanup(func() { exec.Command("docker", "-H", sock, "rm", "-f", "corre", "termino", "creado").Run() })
	prepareContainers(t, d, sock, tag)
	compareStdout(t, d, sock)
}
