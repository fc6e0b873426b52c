package e2e

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cp both ways on a running and on a stopped container, a missing path,
// diff after writes and deletes, commit with -m and -c.
func TestFilesCpDiffCommit(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	dir := t.TempDir()
	local := filepath.Join(dir, "index.html")
	if err := os.WriteFile(local, []byte("hola desde el anfitrión\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.must("run", "-d", "--name", "web", "busybox", "sh", "-c", "mkdir /www && rm /bin/true && sleep 1000")
	waitFor(t, "the container wrote /www", func() bool {
		return d.bolsillo("--explicar=false", "cp", "web:/www", dir+"/probe").code == 0
	})

	for _, state := range []string{"running", "stopped"} {
		if state == "stopped" {
			d.must("stop", "-t", "0", "web")
		}
		t.Run(state, func(t *testing.T) {
			r := d.must("cp", local, "web:/www/"+state+".html")
			if !strings.Contains(r.stderr, "corriendo **y** parado") || !strings.Contains(r.stderr, "/rw/www/"+state+".html") {
				t.Errorf("cp in explanation does not say it works stopped too or where the file landed:\n%s", r.stderr)
			}
			back := filepath.Join(dir, state+".back")
			d.must("cp", "web:/www/"+state+".html", back)
			if got, _ := os.ReadFile(back); string(got) != "hola desde el anfitrión\n" {
				t.Errorf("copied back %q", got)
			}
			r = d.bolsillo("cp", "web:/no/existe", dir)
			if r.code != 1 || !strings.Contains(r.stderr, "No existe `/no/existe` en `web`") {
				t.Errorf("cp of a missing path: %s", r)
			}
			// A local folder that does not exist is not created, as in docker.
			missing := filepath.Join(dir, "no", "existe")
			r = d.bolsillo("cp", "web:/www/"+state+".html", filepath.Join(missing, "copia.html"))
			if r.code != 1 || !strings.Contains(r.stderr, "`mkdir -p "+missing+"`") {
				t.Errorf("cp into a missing local folder: %s", r)
			}
			if _, err := os.Stat(filepath.Join(dir, "no")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("cp into a missing local folder created %s: %v", filepath.Join(dir, "no"), err)
			}
		})
	}

	r := d.must("--explicar=false", "diff", "web")
	for _, want := range []string{"C /bin\n", "D /bin/true\n", "A /www\n", "A /www/running.html\n", "A /www/stopped.html\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("diff lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "/etc/hostname") || strings.Contains(r.stdout, "/proc") {
		t.Errorf("diff lists the runtime's mount points:\n%s", r.stdout)
	}

	r = d.must("commit", "-m", "con index", "-c", `CMD ["cat","/www/stopped.html"]`, "web", "web:2")
	if !strings.HasPrefix(r.stdout, "sha256:") || !strings.Contains(r.stderr, "capa nueva de solo lectura") {
		t.Errorf("commit: %s", r)
	}
	if got := d.must("--explicar=false", "run", "--rm", "web:2").stdout; got != "hola desde el anfitrión\n" {
		t.Errorf("run of the committed image printed %q", got)
	}
	hist := d.must("--explicar=false", "history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}", "web:2").stdout
	if first := strings.SplitN(hist, "\n", 2)[0]; !strings.Contains(first, "sleep 1000") || !strings.HasSuffix(first, "|con index") {
		t.Errorf("history's top row = %q", first)
	}
	parent := d.must("--explicar=false", "inspect", "-f", "{{.Image}}", "web").stdout
	img := d.inspect("web:2")
	if got := img["Parent"]; got != strings.TrimSpace(parent) {
		t.Errorf("Parent = %v, want the container's image %s", got, parent)
	}
}

// The real docker CLI and docker-py drive cp, diff and commit.
func TestFilesDockerClients(t *testing.T) {
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("docker CLI not on PATH")
	}
	d := startDaemon(t)
	d.labInit()
	dir := t.TempDir()
	local := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(local, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.must("create", "--name", "caja", "busybox", "sleep", "1000")
	for _, args := range [][]string{
		{"cp", local, "caja:/tmp/"},
		{"cp", "caja:/tmp/a.txt", filepath.Join(dir, "b.txt")},
		{"diff", "caja"},
		{"commit", "caja", "caja:1"},
	} {
		if r := d.docker(args...); r.code != 0 {
			t.Fatalf("docker %v: %s", args, r)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "b.txt")); string(got) != "a\n" {
		t.Errorf("docker cp back: %q", got)
	}
	if r := d.docker("diff", "caja"); r.stdout != "C /tmp\nA /tmp/a.txt\n" {
		t.Errorf("docker diff = %q", r.stdout)
	}

	if exec.Command("python3", "-c", "import docker").Run() != nil {
		t.Skip("docker-py is not installed in python3")
	}
	script := `
import docker, io, sys, tarfile
c = docker.DockerClient(base_url=sys.argv[1])
ct = c.containers.get("caja")
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    ti = tarfile.TarInfo("py.txt"); ti.size = 3
    t.addfile(ti, io.BytesIO(b"py\n"))
assert ct.put_archive("/tmp", buf.getvalue())
strm, stat = ct.get_archive("/tmp/py.txt")
names = tarfile.open(fileobj=io.BytesIO(b"".join(strm))).getnames()
assert stat["name"] == "py.txt" and stat["size"] == 3 and names == ["py.txt"], (stat, names)
img = ct.commit(repository="caja", tag="py")
assert img.attrs["Parent"] == ct.attrs["Image"], img.attrs["Parent"]
print("ok")
`
	if r := d.exec([]string{"python3", "-c", script, d.host()}, nil); r.code != 0 || r.stdout != "ok\n" {
		t.Errorf("docker-py: %s", r)
	}
}
