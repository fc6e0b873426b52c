package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A named volume outlives the container that wrote it; a bind mount shows a
// host folder both ways, and refuses writes with :ro.
func TestVolumeNamedAndBind(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	d.must("run", "-d", "--name", "escritor", "-v", "datos:/data", "busybox", "sh", "-c", "echo hola > /data/f; sleep 1000")
	waitFor(t, "the file in the volume", func() bool { return d.bolsillo("exec", "escritor", "test", "-f", "/data/f").code == 0 })
	if r := d.must("ps", "--format", "{{.Mounts}}"); strings.TrimSpace(r.stdout) != "datos" {
		t.Errorf("ps Mounts = %q, want datos", r.stdout)
	}
	d.must("rm", "-f", "escritor")
	if r := d.must("run", "--rm", "-v", "datos:/data", "busybox", "cat", "/data/f"); r.stdout != "hola\n" {
		t.Errorf("a new container read %q from the volume, want hola", r.stdout)
	}
	mp := strings.TrimSpace(d.must("volume", "inspect", "-f", "{{.Mountpoint}}", "datos").stdout)
	if want := filepath.Join(d.root, "volumes", "datos", "_data"); mp != want {
		t.Errorf("Mountpoint = %s, want %s", mp, want)
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "de-la-maquina"), []byte("host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := d.must("run", "--rm", "-v", dir+":/src", "busybox", "sh", "-c", "cat /src/de-la-maquina; echo ctr > /src/del-contenedor")
	if r.stdout != "host\n" {
		t.Errorf("container read %q from the bind mount", r.stdout)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "del-contenedor")); err != nil || string(b) != "ctr\n" {
		t.Errorf("host read %q, %v from what the container wrote", b, err)
	}
	r = d.bolsillo("run", "--rm", "-v", dir+":/src:ro", "busybox", "sh", "-c", "echo x > /src/no")
	if r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Errorf("write to a :ro bind: %s", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "no")); !os.IsNotExist(err) {
		t.Errorf("a :ro bind let the container write: %v", err)
	}
	r = d.must("run", "--rm", "--mount", "type=bind,source="+dir+",target=/m,readonly", "busybox", "cat", "/m/de-la-maquina")
	if r.stdout != "host\n" {
		t.Errorf("--mount bind read %q", r.stdout)
	}

	// Bad input is refused before anything is created.
	for _, args := range [][]string{
		{"run", "--rm", "-v", "rel/dir:/x", "busybox", "true"},
		{"run", "--rm", "--mount", "type=bind,source=/no/existe,target=/x", "busybox", "true"},
		{"run", "--rm", "-v", "datos:relativo", "busybox", "true"},
	} {
		if r := d.bolsillo(args...); r.code != 125 {
			t.Errorf("%v: %s, want exit 125", args, r)
		}
	}
	if r := d.must("volume", "ls", "-q"); r.stdout != "datos\n" {
		t.Errorf("volumes after refused creates: %q", r.stdout)
	}
}

// An image's VOLUME gets an anonymous volume filled with the image's files;
// rm -v removes anonymous volumes, never named ones; volume rm of a volume in
// use fails with the explanation; prune removes unused anonymous volumes.
func TestVolumeAnonymousRmPrune(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	ctx := t.TempDir()
	if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nRUN mkdir /datos && echo imagen > /datos/x\nVOLUME /datos\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.must("build", "-q", "-t", "convol", ctx)

	if r := d.must("run", "--name", "cv", "-v", "nombrado:/otro", "convol", "cat", "/datos/x"); r.stdout != "imagen\n" {
		t.Errorf("the anonymous volume has %q, want the image's file", r.stdout)
	}
	anon := strings.TrimSpace(d.must("inspect", "-f", `{{range .Mounts}}{{if eq .Destination "/datos"}}{{.Name}}{{end}}{{end}}`, "cv").stdout)
	if len(anon) != 64 {
		t.Fatalf("anonymous volume name %q", anon)
	}
	r := d.bolsillo("volume", "rm", anon)
	if r.code != 1 || !strings.Contains(r.stderr, "está en uso") || !strings.Contains(r.stderr, "volume is in use") {
		t.Errorf("volume rm of a volume in use: %s", r)
	}
	d.must("rm", "-v", "cv")
	if r := d.must("volume", "ls", "-q"); r.stdout != "nombrado\n" {
		t.Errorf("after rm -v: volumes %q, want only the named one", r.stdout)
	}

	d.must("run", "--name", "sinrm", "-v", "/anon", "busybox", "true")
	d.must("rm", "sinrm")
	r = d.must("volume", "prune", "-f")
	if !strings.HasPrefix(r.stdout, "Deleted Volumes:\n") || !strings.HasSuffix(r.stdout, "\n\nTotal reclaimed space: 0B\n") {
		t.Errorf("volume prune stdout:\n%s", r.stdout)
	}
	if r := d.must("volume", "ls"); r.stdout != "DRIVER    VOLUME NAME\nlocal     nombrado\n" {
		t.Errorf("volume ls after prune:\n%s", r.stdout)
	}
	if r := d.must("volume", "prune", "-a", "-f"); r.stdout != "Deleted Volumes:\nnombrado\n\nTotal reclaimed space: 0B\n" {
		t.Errorf("volume prune -a stdout:\n%s", r.stdout)
	}
}

// volume create/ls/inspect/rm print what docker prints.
func TestVolumeCommandsStdout(t *testing.T) {
	d := startDaemon(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"volume", "create", "datos"}, "datos\n"},
		{[]string{"volume", "create", "--name", "otro", "-l", "curso=docker"}, "otro\n"},
		{[]string{"volume", "ls"}, "DRIVER    VOLUME NAME\nlocal     datos\nlocal     otro\n"},
		{[]string{"volume", "ls", "-q", "-f", "label=curso"}, "otro\n"},
		{[]string{"volume", "ls", "--format", "{{.Name}} {{.Scope}} {{.Labels}}", "-f", "name=ot"}, "otro local curso=docker\n"},
		{[]string{"volume", "inspect", "-f", "{{.Driver}} {{.Labels.curso}}", "otro"}, "local docker\n"},
		{[]string{"volume", "rm", "datos", "otro"}, "datos\notro\n"},
		{[]string{"volume", "rm", "-f", "fantasma"}, "fantasma\n"},
		{[]string{"volume", "ls", "-q"}, ""},
	} {
		if r := d.must(tt.args...); r.stdout != tt.want {
			t.Errorf("%v stdout = %q, want %q", tt.args, r.stdout, tt.want)
		}
	}
	if r := d.bolsillo("volume", "rm", "fantasma"); r.code != 1 || r.stdout != "" {
		t.Errorf("volume rm of a missing volume: %s", r)
	}
}

// commit takes the writable layer only: a volume's data stays out.
func TestVolumeCommitLeavesVolumeOut(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("run", "--name", "fuente", "-v", "datos:/data", "busybox", "sh", "-c", "echo secreto > /data/s; echo capa > /capa")
	d.must("commit", "fuente", "sinvol:1")
	if r := d.must("run", "--rm", "sinvol:1", "cat", "/capa"); r.stdout != "capa\n" {
		t.Errorf("the writable layer's file in the image: %q", r.stdout)
	}
	if r := d.bolsillo("run", "--rm", "sinvol:1", "cat", "/data/s"); r.code == 0 {
		t.Errorf("the volume's data got into the committed image: %s", r)
	}
	d.must("rm", "fuente")
}

// The real docker CLI and docker-py drive volumes.
func TestVolumeDockerClients(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"volume", "create", "dv"}, "dv\n"},
		{[]string{"volume", "ls"}, "DRIVER    VOLUME NAME\nlocal     dv\n"},
		{[]string{"run", "--rm", "-v", "dv:/d", "busybox", "sh", "-c", "echo x > /d/y"}, ""},
		{[]string{"run", "--rm", "-v", "dv:/d:ro", "busybox", "cat", "/d/y"}, "x\n"},
		{[]string{"volume", "inspect", "-f", "{{.Name}} {{.Driver}} {{.Scope}}", "dv"}, "dv local local\n"},
		{[]string{"volume", "rm", "dv"}, "dv\n"},
	} {
		if r := d.docker(tt.args...); r.code != 0 || r.stdout != tt.want {
			t.Errorf("docker %v: %s\nwant stdout %q", tt.args, r, tt.want)
		}
	}

	if exec.Command("python3", "-c", "import docker").Run() != nil {
		t.Skip("docker-py is not installed in python3")
	}
	script := `
import docker, sys
c = docker.DockerClient(base_url=sys.argv[1])
v = c.volumes.create("pyv", labels={"curso": "docker"})
print("create:", v.name, v.attrs["Driver"], v.attrs["Labels"])
out = c.containers.run("busybox", ["sh", "-c", "echo py > /d/f; cat /d/f"], volumes={"pyv": {"bind": "/d", "mode": "rw"}}, remove=True)
print("run:", out.decode().strip())
print("list:", [x.name for x in c.volumes.list()])
print("get:", c.volumes.get("pyv").attrs["Scope"])
c.volumes.get("pyv").remove()
try:
    c.volumes.get("pyv")
except docker.errors.NotFound:
    print("gone")
`
	r := d.exec([]string{"python3", "-c", script, d.host()}, nil)
	want := "create: pyv local {'curso': 'docker'}\nrun: py\nlist: ['pyv']\nget: local\ngone\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("docker-py: %s\nwant stdout:\n%s", r, want)
	}
}

// cp reaches a stopped container's volumes, not the writable layer under
// them.
func TestVolumeCpStopped(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("create", "--name", "parado", "-v", "datos:/data", "busybox", "true")
	src := filepath.Join(t.TempDir(), "nota")
	if err := os.WriteFile(src, []byte("copiado\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.must("cp", src, "parado:/data/nota")
	if r := d.must("run", "--rm", "-v", "datos:/data", "busybox", "cat", "/data/nota"); r.stdout != "copiado\n" {
		t.Errorf("the volume has %q after cp into the stopped container", r.stdout)
	}
	out := filepath.Join(t.TempDir(), "vuelta")
	d.must("cp", "parado:/data/nota", out)
	if b, err := os.ReadFile(out); err != nil || string(b) != "copiado\n" {
		t.Errorf("cp out of the volume: %q, %v", b, err)
	}
	d.must("rm", "parado")
}
