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
df = c.df()
print("df:", df["LayersSize"] == img.attrs["Size"], [i["Containers"] for i in df["Images"]], len(df["Containers"]), df["BuildCache"])
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
		"df: True [0] 0 []",
	}
	got := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("docker-py saw:\n%s\nwant:\n%s", r.stdout, strings.Join(want, "\n"))
	}
}

// docker-py drives the images API: pull from a registry, tag, history,
// save/load, remove, prune.
func TestDockerPyImages(t *testing.T) {
	if exec.Command("python3", "-c", "import docker").Run() != nil {
		t.Skip("docker-py is not installed in python3")
	}
	d := startDaemon(t)
	d.labInit()
	reg := startRegistry(t)
	if r := d.docker("tag", "busybox", reg+"/py/busybox:1"); r.code != 0 {
		t.Fatal(r)
	}
	if r := d.docker("push", reg+"/py/busybox:1"); r.code != 0 {
		t.Fatal(r)
	}
	d2 := startDaemon(t)

	script := `
import docker, sys, io
c = docker.DockerClient(base_url=sys.argv[1])
reg = sys.argv[2]
img = c.images.pull(reg + "/py/busybox", tag="1")
print("pulled:", img.tags)
img.tag("mio/busybox", "2.0")
img.reload()
print("tags:", sorted(img.tags))
h = img.history()
print("history:", len(h), h[0]["Id"] == img.id, h[0]["Comment"])
data = b"".join(img.save(named=True))
print("saved:", len(data) > 1000000)
c.images.remove("mio/busybox:2.0")
print("after remove:", sorted(c.images.get(img.id).tags))
c.images.remove(reg + "/py/busybox:1")
print("images:", c.images.list())
loaded = c.images.load(data)
print("loaded:", [i.tags for i in loaded])
try:
    c.images.get("noexiste")
except docker.errors.ImageNotFound:
    print("notfound: ImageNotFound")
try:
    c.images.pull("127.0.0.1:1/nada", tag="1")
except docker.errors.APIError as e:
    print("unreachable: APIError")
print("prune:", c.images.prune(filters={"dangling": True})["ImagesDeleted"])
`
	r := d2.exec([]string{"python3", "-c", script, d2.host(), reg}, nil)
	if r.code != 0 {
		t.Fatalf("docker-py: %s\ndaemon log:\n%s", r, d2.log)
	}
	want := []string{
		"pulled: ['" + reg + "/py/busybox:1']",
		"tags: ['" + reg + "/py/busybox:1', 'mio/busybox:2.0']",
		"history: 1 True Imported from -",
		"saved: True",
		"after remove: ['" + reg + "/py/busybox:1']",
		"images: []",
		"loaded: [['" + reg + "/py/busybox:1']]",
		"notfound: ImageNotFound",
		"unreachable: APIError",
		"prune: []",
	}
	if got := strings.TrimSpace(r.stdout); got != strings.Join(want, "\n") {
		t.Errorf("docker-py saw:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}
