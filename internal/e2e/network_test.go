package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// webCmd serves /www/index.html, holding text, with busybox httpd on port 80.
func webCmd(text string) []string {
	return []string{"busybox", "sh", "-c", "mkdir -p /www && echo " + text + " > /www/index.html && exec httpd -f -p 80 -h /www"}
}

// httpGet fetches url, retrying while the server starts.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	var lastErr error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := client.Get(url)
		if err != nil {
			lastErr = err
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode == http.StatusOK {
			return string(body)
		}
		lastErr = fmt.Errorf("status %d, %v", resp.StatusCode, err)
	}
	t.Fatalf("GET %s: %v", url, lastErr)
	return ""
}

// bridgeName is the Linux bridge of a daemon (network.BridgeName of its id).
func (d *daemon) bridgeName() string {
	sum := sha256.Sum256([]byte(d.root))
	return "bsl" + hex.EncodeToString(sum[:])[:8]
}

// bridgePorts lists the interfaces plugged into the daemon's bridge.
func (d *daemon) bridgePorts() []string {
	ents, _ := os.ReadDir(filepath.Join("/sys/class/net", d.bridgeName(), "brif"))
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// spareEndpoints is how many namespaces, each with its veth on the bridge,
// the daemon keeps ready for the next container.
const spareEndpoints = 1

// waitBridge waits until the bridge has one port and one network namespace
// per attached container plus the spares: deleting an exited container's
// veth pair happens in the background.
func (d *daemon) waitBridge(attached int) {
	d.t.Helper()
	want := attached + spareEndpoints
	var ports []string
	var ns int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		ports = d.bridgePorts()
		ents, _ := os.ReadDir(filepath.Join(d.root, "network", "netns"))
		ns = len(ents)
		if len(ports) == want && ns == want {
			return
		}
	}
	d.t.Errorf("bridge ports %v and %d network namespaces, want %d of each (%d attached, %d spare)", ports, ns, want, attached, spareEndpoints)
}

// assertNoNetworkLeftovers checks, after the daemon stopped, that its
// bridge and NAT rules are gone.
func (d *daemon) assertNoNetworkLeftovers() {
	d.t.Helper()
	if _, err := os.Stat(filepath.Join("/sys/class/net", d.bridgeName())); err == nil {
		d.t.Errorf("bridge %s left behind", d.bridgeName())
	}
	for _, table := range []string{"nat", "filter"} {
		out, _ := exec.Command("iptables", "-w", "-t", table, "-S").Output()
		if strings.Contains(string(out), d.bridgeName()) {
			d.t.Errorf("iptables rules left behind in %s:\n%s", table, out)
		}
	}
}

// freePort returns a TCP port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestPublishedPortServesHTTP(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	port := freePort(t)

	r := d.must(append([]string{"run", "-d", "-p", fmt.Sprintf("%d:80", port), "--name", "web"}, webCmd("hola-desde-web")...)...)
	if want := fmt.Sprintf("Tu puerto %d lleva al puerto 80 del contenedor `web`", port); !strings.Contains(r.stderr, want) {
		t.Errorf("run explanation lacks %q:\n%s", want, r.stderr)
	}
	if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", port)); got != "hola-desde-web\n" {
		t.Errorf("GET through the published port = %q, want %q", got, "hola-desde-web\n")
	}
	if got, want := d.must("--explicar=false", "port", "web").stdout, fmt.Sprintf("80/tcp -> 0.0.0.0:%d\n", port); got != want {
		t.Errorf("port web = %q, want %q", got, want)
	}
	ps := d.must("--explicar=false", "ps", "--format", "{{.Ports}}").stdout
	if want := fmt.Sprintf("0.0.0.0:%d->80/tcp", port); !strings.Contains(ps, want) {
		t.Errorf("ps PORTS = %q, want %q", ps, want)
	}
	c := d.inspect("web")
	ip, _ := field(c, "NetworkSettings", "Networks", "bridge", "IPAddress").(string)
	if ip == "" {
		t.Fatalf("inspect has no bridge address: %v", field(c, "NetworkSettings"))
	}
	// The docker CLI speaks API 1.50, which still has the top-level address
	// that courses read with inspect -f.
	if got := d.docker("inspect", "-f", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.IPPrefixLen}}", "web").stdout; got != ip+" 24\n" {
		t.Errorf("docker inspect -f {{.NetworkSettings.IPAddress}} = %q, want %q", got, ip+" 24\n")
	}
	if hosts := d.must("--explicar=false", "exec", "web", "cat", "/etc/hosts").stdout; !strings.Contains(hosts, ip+"\t") {
		t.Errorf("/etc/hosts lacks the container's address %s:\n%s", ip, hosts)
	}

	// Two containers on the bridge reach each other by address.
	r = d.must("--explicar=false", "run", "--rm", "--network", "bridge", "busybox", "wget", "-q", "-O-", "http://"+ip+"/")
	if r.stdout != "hola-desde-web\n" {
		t.Errorf("wget from another container = %q", r.stdout)
	}

	// The port is taken: the start fails with Docker's message and a
	// Spanish explanation, and nothing of the second container is left.
	r = d.bolsillo(append([]string{"run", "-d", "-p", fmt.Sprintf("%d:80", port), "--name", "web2"}, webCmd("dos")...)...)
	if r.code != 125 {
		t.Fatalf("run on a taken port: exit %d, want 125\n%s", r.code, r)
	}
	if !strings.Contains(r.stderr, "port is already allocated") || !strings.Contains(r.stderr, fmt.Sprintf("El puerto %d de tu máquina ya está ocupado", port)) ||
		!strings.Contains(r.stderr, "Lo tiene el contenedor `web`") {
		t.Errorf("taken port stderr:\n%s", r.stderr)
	}
	d.waitBridge(1)

	// stop releases the port at once: the second container can take it now.
	d.must("stop", "-t", "1", "web")
	d.must("start", "web2")
	if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", port)); got != "dos\n" {
		t.Errorf("GET after the port changed hands = %q, want %q", got, "dos\n")
	}
	d.must("rm", "-f", "web", "web2")
	d.waitBridge(0)
	if l, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", port)); err != nil {
		t.Errorf("port %d still held after rm: %v", port, err)
	} else {
		l.Close()
	}
}

func TestRandomAndExposedPorts(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	// -p 80: a free host port, read back with `port`.
	d.must(append([]string{"run", "-d", "-p", "80", "--name", "azar"}, webCmd("azar")...)...)
	hostAddr := strings.TrimSpace(d.must("--explicar=false", "port", "azar", "80").stdout)
	_, hostPort, err := net.SplitHostPort(hostAddr)
	if err != nil || hostPort == "0" {
		t.Fatalf("port azar 80 = %q", hostAddr)
	}
	if got := httpGet(t, "http://127.0.0.1:"+hostPort+"/"); got != "azar\n" {
		t.Errorf("GET through the random port = %q", got)
	}

	// -P: every EXPOSEd port of the image.
	ctx := t.TempDir()
	if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nEXPOSE 80\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.must("build", "-t", "expuesta:1", ctx)
	d.must(append([]string{"run", "-d", "-P", "--name", "todos", "expuesta:1"}, webCmd("todos")[1:]...)...)
	lines := strings.Split(strings.TrimSpace(d.must("--explicar=false", "port", "todos").stdout), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "80/tcp -> 0.0.0.0:") {
		t.Fatalf("port todos = %q", lines)
	}
	if got := httpGet(t, "http://127.0.0.1:"+strings.TrimPrefix(lines[0], "80/tcp -> 0.0.0.0:")+"/"); got != "todos\n" {
		t.Errorf("GET through -P = %q", got)
	}

	// A published port nothing listens on, and one the image does not EXPOSE.
	port := freePort(t)
	r := d.must("run", "-d", "-p", fmt.Sprintf("%d:8080", port), "--name", "sorda", "expuesta:1", "sleep", "100")
	for _, want := range []string{"nada escucha en el puerto 8080", "no declara el puerto 8080"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("run explanation lacks %q:\n%s", want, r.stderr)
		}
	}
	// Bad -p input never reaches the daemon.
	r = d.bolsillo("run", "-d", "-p", "80:abc", "busybox", "true")
	if r.code != 125 || !strings.Contains(r.stderr, "PUERTO_TUYO:PUERTO_DEL_CONTENEDOR") {
		t.Errorf("run -p 80:abc: %s", r)
	}
	d.must("rm", "-f", "azar", "todos", "sorda")
}

func TestPortsWithDockerCLIAndDockerPy(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	port := freePort(t)
	r := d.docker(append([]string{"run", "-d", "-p", fmt.Sprintf("%d:80", port), "--name", "dweb"}, webCmd("docker-cli")...)...)
	if r.code != 0 {
		t.Fatalf("docker run -p: %s\n%s", r, d.log)
	}
	if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", port)); got != "docker-cli\n" {
		t.Errorf("GET = %q", got)
	}
	if r := d.docker("port", "dweb"); r.stdout != fmt.Sprintf("80/tcp -> 0.0.0.0:%d\n", port) {
		t.Errorf("docker port = %s", r)
	}
	if r := d.docker("network", "ls", "--format", "{{.Name}} {{.Driver}}"); r.stdout != "bridge bridge\nhost host\nnone null\n" {
		t.Errorf("docker network ls = %s", r)
	}
	d.docker("rm", "-f", "dweb")

	if exec.Command("python3", "-c", "import docker").Run() != nil {
		t.Skip("docker-py is not installed in python3")
	}
	port = freePort(t)
	script := `
import docker, sys
c = docker.DockerClient(base_url=sys.argv[1])
ctr = c.containers.run("busybox", ["sh", "-c", "mkdir -p /www && echo py > /www/index.html && exec httpd -f -p 80 -h /www"],
                       detach=True, name="pyweb", ports={"80/tcp": int(sys.argv[2])})
ctr.reload()
print(ctr.ports)
`
	r = d.exec([]string{"python3", "-c", script, d.host(), fmt.Sprint(port)}, nil)
	if want := fmt.Sprintf("{'80/tcp': [{'HostIp': '0.0.0.0', 'HostPort': '%d'}]}\n", port); r.code != 0 || r.stdout != want {
		t.Fatalf("docker-py: %s\nwant stdout %q\ndaemon log:\n%s", r, want, d.log)
	}
	if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", port)); got != "py\n" {
		t.Errorf("GET = %q", got)
	}
	d.must("rm", "-f", "pyweb")
}
