package e2e

import (
	"strings"
	"testing"
	"time"
)

func TestRenameWaitPrune(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("run", "-d", "--name", "web", "busybox", "sh", "-c", "sleep 1; exit 4")
	id := field(d.inspect("web"), "Id").(string)

	r := d.must("rename", "web", "servidor")
	if r.stdout != "" || !strings.Contains(r.stderr, "`servidor`") {
		t.Errorf("rename: %s", r)
	}
	if got := field(d.inspect("servidor"), "Id"); got != id {
		t.Errorf("the renamed container has ID %v, want %s", got, id)
	}
	if r := d.bolsillo("inspect", "web"); r.code == 0 {
		t.Error("the old name still answers after rename")
	}
	d.must("create", "--name", "otro", "busybox", "true")
	if r := d.bolsillo("rename", "otro", "servidor"); r.code == 0 || !strings.Contains(r.stderr, "ya está en uso") {
		t.Errorf("rename to a taken name: %s", r)
	}

	w := d.must("wait", "servidor")
	if w.stdout != "4\n" {
		t.Errorf("wait printed %q, want the exit code 4", w.stdout)
	}
	if r := d.docker("wait", "servidor"); r.stdout != "4\n" {
		t.Errorf("docker wait of an exited container: %s", r)
	}

	d.must("run", "-d", "--name", "vivo", "busybox", "sleep", "1000")
	p := d.must("container", "prune", "-f")
	if !strings.Contains(p.stdout, "Deleted Containers:\n") || !strings.Contains(p.stdout, id) || !strings.Contains(p.stdout, "Total reclaimed space:") {
		t.Errorf("container prune -f:\n%s", p.stdout)
	}
	if got := strings.TrimSpace(d.must("--explicar=false", "ps", "-a", "--format", "{{.Names}}").stdout); got != "vivo" {
		t.Errorf("after prune ps -a shows %q, want only the running container", got)
	}
	d.must("rm", "-f", "vivo")
}

// A restart policy brings a container back after it exits, counts the
// restarts, stops at on-failure's maximum, and a user's stop ends it.
func TestRestartPolicies(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	d.must("run", "-d", "--name", "falla", "--restart", "on-failure:3", "busybox", "sh", "-c", "exit 1")
	waitFor(t, "three restarts of falla", func() bool {
		c := d.inspect("falla")
		return field(c, "RestartCount") == float64(3) && field(c, "State", "Status") == "exited"
	})
	time.Sleep(500 * time.Millisecond)
	if got := field(d.inspect("falla"), "RestartCount"); got != float64(3) {
		t.Errorf("on-failure:3 restarted %v times", got)
	}
	if got := field(d.inspect("falla"), "HostConfig", "RestartPolicy", "Name"); got != "on-failure" {
		t.Errorf("RestartPolicy = %v", got)
	}

	d.must("run", "-d", "--name", "siempre", "--restart", "always", "busybox", "sh", "-c", "sleep 0.2")
	waitFor(t, "siempre restarted twice", func() bool {
		n, _ := field(d.inspect("siempre"), "RestartCount").(float64)
		return n >= 2
	})
	d.must("stop", "-t", "0", "siempre")
	before := field(d.inspect("siempre"), "RestartCount")
	time.Sleep(time.Second)
	c := d.inspect("siempre")
	if field(c, "State", "Running") == true || field(c, "RestartCount") != before {
		t.Errorf("a stopped always-container came back: %v restarts (was %v), running %v", field(c, "RestartCount"), before, field(c, "State", "Running"))
	}

	// Across a restart of bolsillod: "always" containers run again, even one
	// stopped by hand (Docker's rule); "unless-stopped" ones only if nobody
	// stopped them.
	d.must("run", "-d", "--name", "servicio", "--restart", "unless-stopped", "busybox", "sleep", "1000")
	d.must("run", "-d", "--name", "parado", "--restart", "unless-stopped", "busybox", "sleep", "1000")
	d.must("stop", "-t", "0", "parado")
	d.stop()
	d.start()
	waitFor(t, "servicio and siempre running again after the daemon restart", func() bool {
		return field(d.inspect("servicio"), "State", "Running") == true && field(d.inspect("siempre"), "State", "Running") == true
	})
	if got := field(d.inspect("parado"), "State", "Running"); got == true {
		t.Error("an unless-stopped container stopped by hand came back after the daemon restart")
	}

	for _, bad := range []string{"a veces", "no:3", "on-failure:x"} {
		if r := d.bolsillo("run", "--restart", bad, "busybox", "true"); r.code != 125 {
			t.Errorf("--restart %q: exit %d, want 125\n%s", bad, r.code, r)
		}
	}
	if r := d.bolsillo("run", "--rm", "--restart", "always", "busybox", "true"); r.code != 125 {
		t.Errorf("--rm with --restart: exit %d", r.code)
	}
	d.must("rm", "-f", "servicio", "siempre", "falla", "parado")
}
