package e2e

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A root filesystem tar becomes a one-layer image, with CMD from --change.
func TestImport(t *testing.T) {
	d := startDaemon(t)

	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skip("no static busybox at /bin/busybox")
	}
	path := filepath.Join(t.TempDir(), "rootfs.tar")
	writeRootfsTar(t, path, bb)
	msg := "desde un tar\n"

	r := d.must("import", "-c", `CMD ["cat", "/etc/mensaje"]`, path, "mi-imagen:1.0")
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}\n$`).MatchString(r.stdout) {
		t.Errorf("import stdout = %q, want sha256:ID", r.stdout)
	}
	images := d.must("images")
	if !regexp.MustCompile(`(?m)^mi-imagen +1\.0 +` + r.stdout[7:19] + ` `).MatchString(images.stdout) {
		t.Errorf("images does not list mi-imagen:1.0 with ID %s:\n%s", r.stdout[7:19], images.stdout)
	}
	if got := d.must("run", "--rm", "mi-imagen:1.0").stdout; got != msg {
		t.Errorf("run of the imported image = %q, want %q", got, msg)
	}
	if got := d.must("images", "-q").stdout; strings.TrimSpace(got) != r.stdout[7:19] {
		t.Errorf("images -q = %q", got)
	}
}

func TestVersionInfo(t *testing.T) {
	d := startDaemon(t)
	v := d.must("version")
	for _, want := range []string{"Client:", "Server:", "1.50"} {
		if !strings.Contains(v.stdout, want) {
			t.Errorf("version lacks %q:\n%s", want, v.stdout)
		}
	}
	if !strings.Contains(v.stderr, "API") {
		t.Errorf("version explanation does not talk about the API:\n%s", v.stderr)
	}
	info := d.must("info")
	if !strings.Contains(info.stdout, d.root) {
		t.Errorf("info does not show the data root %s:\n%s", d.root, info.stdout)
	}
	if got := d.must("info", "--format", "{{.DockerRootDir}}").stdout; got != d.root+"\n" {
		t.Errorf("info --format = %q", got)
	}
}

// writeRootfsTar writes a minimal root filesystem: busybox with sh, cat, echo
// and sleep, and /etc/mensaje.
func writeRootfsTar(t *testing.T, path string, busybox []byte) {
	t.Helper()
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
	add(&tar.Header{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(busybox))}, busybox)
	for _, applet := range []string{"sh", "cat", "echo", "sleep"} {
		add(&tar.Header{Name: "bin/" + applet, Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777}, nil)
	}
	add(&tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755}, nil)
	msg := []byte("desde un tar\n")
	add(&tar.Header{Name: "etc/mensaje", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(msg))}, msg)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Children of an untagged parent removed at once, by clients of their own:
// each removal may find the parent with no child left and prune it, and
// the parent must go once, with no client seeing an error.
func TestRmiSiblingsAtOnce(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	base := t.TempDir()
	loadContext(t, base, "FROM busybox\nCOPY padre.txt /\n", map[string]string{"padre.txt": "padre\n"})
	d.must("--explicar=false", "build", "-q", "-t", "padre:1", base)
	const children = 12
	for i := range children {
		dir := t.TempDir()
		loadContext(t, dir, fmt.Sprintf("FROM padre:1\nLABEL hijo=%d\n", i), map[string]string{})
		d.must("--explicar=false", "build", "-q", "-t", fmt.Sprintf("hijo:%d", i), dir)
	}
	// The parent keeps its image for its children, untagged.
	d.must("--explicar=false", "rmi", "padre:1")

	errs := loadParallel(children, children, func(i int) error {
		if r := d.bolsillo("--explicar=false", "rmi", fmt.Sprintf("hijo:%d", i)); r.code != 0 {
			return fmt.Errorf("rmi hijo:%d: %s", i, r)
		}
		return nil
	})
	for _, err := range errs {
		t.Error(err)
	}
	if got := strings.Fields(d.must("--explicar=false", "images", "-a", "-q").stdout); len(got) != 1 {
		t.Errorf("images -a after removing every child: %v, want busybox alone", got)
	}
}

// system df: the daemon's figures, as the real docker CLI prints them and
// as bolsillo does, the same table; a volume's size is what was written in
// it, and what is in use is not reclaimable.
func TestSystemDf(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("--explicar=false", "volume", "create", "datos")
	d.must("--explicar=false", "run", "--name", "escribe", "-v", "datos:/datos", "busybox", "sh", "-c", "head -c 300000 /dev/zero > /datos/ceros; head -c 50000 /dev/zero > /capa")
	d.must("--explicar=false", "run", "-d", "--name", "corre", "busybox", "sleep", "1000")

	ours := d.must("system", "df")
	theirs := d.mustDocker("system", "df")
	if ours.stdout != theirs.stdout {
		t.Errorf("bolsillo system df:\n%s\ndocker system df:\n%s", ours.stdout, theirs.stdout)
	}
	// A stopped container keeps its volume in use, as in Docker.
	want := []string{
		`(?m)^Images +1 +1 `,
		`(?m)^Containers +2 +1 +50kB +50kB \(100%\)$`,
		`(?m)^Local Volumes +1 +1 +300kB +0B \(0%\)$`,
		`(?m)^Build Cache +0 +0 +0B +0B$`,
	}
	for _, w := range want {
		if !regexp.MustCompile(w).MatchString(ours.stdout) {
			t.Errorf("system df lacks %s:\n%s", w, ours.stdout)
		}
	}
	d.must("--explicar=false", "rm", "escribe")
	after := d.must("--explicar=false", "system", "df").stdout
	for _, w := range []string{`(?m)^Containers +1 +1 +0B +0B$`, `(?m)^Local Volumes +1 +0 +300kB +300kB \(100%\)$`} {
		if !regexp.MustCompile(w).MatchString(after) {
			t.Errorf("after rm, system df lacks %s:\n%s", w, after)
		}
	}
	if !strings.Contains(ours.stderr, "`bolsillo container prune`") {
		t.Errorf("the explanation does not say how to get the space back:\n%s", ours.stderr)
	}
}

// system prune: stopped containers, then dangling images, and volumes only
// with --volumes; what runs and what it uses stays. The real docker CLI's
// system prune asks the same API and leaves the same.
func TestSystemPrune(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	ctx := t.TempDir()
	loadContext(t, ctx, "FROM busybox\nRUN echo uno > /version\n", map[string]string{})
	d.must("--explicar=false", "build", "-q", "-t", "app:1", ctx)
	loadContext(t, ctx, "FROM busybox\nRUN echo dos > /version\n", map[string]string{})
	d.must("--explicar=false", "build", "-q", "-t", "app:1", ctx) // the first app:1 is left dangling
	d.must("--explicar=false", "run", "--name", "parado", "-v", "/anonimo", "busybox", "true")
	d.must("--explicar=false", "run", "-d", "--name", "corre", "busybox", "sleep", "1000")

	// Without --volumes, the anonymous volume stays, even once its
	// container is gone.
	r := d.must("system", "prune", "-f")
	for _, want := range []string{"Deleted Containers:\n", "Deleted Images:\n", "Total reclaimed space:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("system prune printed no %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "Borró 1 contenedor detenido") || !strings.Contains(r.stderr, "`--volumes`") {
		t.Errorf("the explanation does not say what went and what stayed:\n%s", r.stderr)
	}
	if got := d.must("--explicar=false", "ps", "-a", "--format", "{{.Names}}").stdout; got != "corre\n" {
		t.Errorf("containers after system prune: %q, want corre alone", got)
	}
	if got := d.must("--explicar=false", "images", "--filter", "dangling=true", "-q").stdout; got != "" {
		t.Errorf("dangling images after system prune: %q", got)
	}
	if got := strings.Fields(d.must("--explicar=false", "volume", "ls", "-q").stdout); len(got) != 1 {
		t.Errorf("volumes after system prune without --volumes: %v, want the anonymous one", got)
	}

	// The docker CLI, with --volumes: the volume goes; busybox and app:1
	// stay, one is used by corre.
	d.mustDocker("system", "prune", "-f", "--volumes")
	if got := strings.Fields(d.must("--explicar=false", "volume", "ls", "-q").stdout); len(got) != 0 {
		t.Errorf("volumes after docker system prune --volumes: %v, want none", got)
	}
	if got := strings.Fields(d.must("--explicar=false", "images", "--format", "{{.Repository}}:{{.Tag}}").stdout); len(got) != 2 {
		t.Errorf("images after both prunes: %v, want busybox and app:1", got)
	}
}
