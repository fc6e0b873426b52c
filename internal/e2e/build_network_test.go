package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// RUN steps are on the daemon's bridge, as in Docker's builder, so that
// `RUN apt-get update` reaches the internet where the host does; the docker
// CLI's --network none takes the network away.
func TestBuildRunStepNetwork(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	ctx := t.TempDir()
	df := "FROM busybox\nRUN ls /sys/class/net | tr '\\n' ' ' > /redes && ip route | grep -c default > /rutas || true\n"
	if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"DOCKER_HOST=" + d.host(), "DOCKER_CONFIG=" + t.TempDir(), "DOCKER_BUILDKIT=0"}
	tests := []struct {
		name  string
		flags []string
		want  string
	}{
		{"default", nil, "eth0 lo "},
		{"none", []string{"--network", "none"}, "lo "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tag := "red-" + tt.name + ":1"
			args := append([]string{"docker", "build", "--no-cache", "-t", tag}, tt.flags...)
			if r := d.exec(append(args, ctx), env); r.code != 0 {
				t.Fatalf("docker build: %s", r)
			}
			got := d.must("--explicar=false", "run", "--rm", "--network", "none", tag, "cat", "/redes").stdout
			if got != tt.want {
				t.Errorf("interfaces seen by RUN = %q, want %q", got, tt.want)
			}
		})
	}
	if r := d.exec([]string{"docker", "build", "--network", "mired", ctx}, env); r.code == 0 || !strings.Contains(r.stderr, "mired") {
		t.Errorf("build on an unknown network: %s", r)
	}
	// bolsillo build --network sends the same query.
	d.must("build", "--no-cache", "--network", "none", "-t", "red-bolsillo:1", ctx)
	if got := d.must("--explicar=false", "run", "--rm", "red-bolsillo:1", "cat", "/redes").stdout; got != "lo " {
		t.Errorf("bolsillo build --network none: RUN saw %q, want %q", got, "lo ")
	}
}
