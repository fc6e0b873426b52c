package cli

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// realDockerHost is where a real Docker daemon may answer on this machine.
const realDockerHost = "unix:///var/run/docker.sock"

// realDocker returns a client of the real Docker daemon, skipping the test
// when neither the daemon nor the docker CLI is available.
func realDocker(t *testing.T) client.APIClient {
	t.Helper()
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("docker CLI not installed")
	}
	api, err := client.New(client.WithHost(realDockerHost), client.WithAPIVersionNegotiation())
	if err != nil {
		t.Skipf("no Docker client: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if _, err := api.Ping(ctx, client.PingOptions{}); err != nil {
		api.Close()
		t.Skipf("no Docker daemon answers on %s: %v", realDockerHost, err)
	}
	t.Cleanup(func() { api.Close() })
	return api
}

// importTestImage imports a one-file image into the real daemon under a
// name of its own and removes it (every tag) when the test ends.
func importTestImage(t *testing.T, api client.APIClient, ref string) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	body := []byte("hola\n")
	if err := tw.WriteHeader(&tar.Header{Name: "hola.txt", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	id, err := importImage(t.Context(), &out, api, &buf, ref, []string{`CMD ["sh"]`}, "")
	if err != nil {
		t.Fatalf("importing %s: %v", ref, err)
	}
	t.Cleanup(func() {
		_, _ = api.ImageRemove(context.Background(), id, client.ImageRemoveOptions{Force: true, PruneChildren: true})
	})
}

// dockerOut runs the real docker CLI against the real daemon.
func dockerOut(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+realDockerHost)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("docker %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

// bolsilloOut runs a bolsillo command line against the real daemon with the
// real clock.
func bolsilloOut(t *testing.T, args ...string) string {
	t.Helper()
	f, out, errOut := testFactory(realDockerHost, map[string]string{envExplicar: "0"})
	f.now = time.Now
	if code := execute(t.Context(), f, args); code != 0 {
		t.Fatalf("bolsillo %s: exit code %d; stderr:\n%s", strings.Join(args, " "), code, errOut)
	}
	return out.String()
}

// TestImagesCommandsMatchDocker compares stdout of history, images
// --digests, tag and rmi with the docker CLI's on the same image.
func TestImagesCommandsMatchDocker(t *testing.T) {
	api := realDocker(t)
	repo := fmt.Sprintf("bolsillo-test-%d", os.Getpid())
	ref := repo + ":1.0"
	importTestImage(t, api, ref)

	for _, args := range [][]string{
		{"history", ref},
		{"history", "--no-trunc", ref},
		{"history", "-H=false", ref},
		{"history", "-q", ref},
		{"images", "--digests", repo},
		{"images", "-a", "--no-trunc", "-f", "reference=" + repo},
	} {
		// "N seconds ago" may tick between the two runs: retry once.
		var got, want string
		for range 2 {
			want, got = dockerOut(t, args...), bolsilloOut(t, args...)
			if got == want {
				break
			}
		}
		if got != want {
			t.Errorf("%s:\nbolsillo:\n%s\ndocker:\n%s", strings.Join(args, " "), got, want)
		}
	}

	if got := bolsilloOut(t, "tag", ref, repo+":a"); got != "" {
		t.Errorf("bolsillo tag printed %q, want nothing", got)
	}
	if got := dockerOut(t, "tag", ref, repo+":b"); got != "" {
		t.Errorf("docker tag printed %q", got)
	}
	got := bolsilloOut(t, "rmi", repo+":a")
	want := strings.ReplaceAll(dockerOut(t, "rmi", repo+":b"), repo+":b", repo+":a")
	if got != want || got == "" {
		t.Errorf("rmi: bolsillo %q, docker (renamed) %q", got, want)
	}
}
