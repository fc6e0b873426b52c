package e2e

import (
	"os/exec"
	"strings"
	"testing"
)

// docker-py 7.1, the Python SDK, drives bolsillod too.
func TestDockerPy(t *testing.T) {
	if exec.Command("python3", "-c", "import docker").Run() != nil {
		t.Skip("docker-py is not installed in python3")
	}
	d := startDaemon(t)
	d.labInit()

	script := `
import docker, sys
c = docker.DockerClient(base_url=sys.argv[1])
assert c.ping()
out = c.containers.run("busybox", ["sh", "-c", "echo hola; echo ay >&2"], remove=True, stderr=True)
# stdout and stderr come through two pipes: their relative order is not kept.
print("run:", sorted(out.decode().split()))
ctr = c.containers.run("busybox", ["sh", "-c", "echo tic; sleep 1000"], detach=True, name="py")
ctr.reload()
print("status:", ctr.status, ctr.name)
print("list:", [x.name for x in c.containers.list()])
ctr.stop(timeout=1)
print("exit:", ctr.wait()["StatusCode"])
print("logs:", ctr.logs().decode().strip())
ctr.remove()
print("all:", c.containers.list(all=True))
img = c.images.get("busybox")
print("image:", img.tags, len(img.attrs["RootFS"]["Layers"]))
try:
    c.containers.get("fantasma")
except docker.errors.NotFound as e:
    print("notfound:", "No such container" in str(e))
print("info:", c.info()["Driver"], c.version()["ApiVersion"])
`
	r := d.exec([]string{"python3", "-c", script, d.host()}, nil)
	if r.code != 0 {
		t.Fatalf("docker-py script failed: %s\ndaemon log:\n%s", r, d.log)
	}
	want := []string{
		"run: ['ay', 'hola']",
		"status: running py",
		"list: ['py']",
		"exit: 137",
		"logs: tic",
		"all: []",
		"image: ['busybox:latest'] 1",
		"notfound: True",
		"info: overlay2 1.50",
	}
	got := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("docker-py saw:\n%s\nwant:\n%s", r.stdout, strings.Join(want, "\n"))
	}
}
