package image

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// realDocker returns a function running the docker CLI against the Docker
// daemon on /var/run/docker.sock, skipping the test if none answers.
func realDocker(t *testing.T) func(stdin []byte, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("no docker CLI on PATH")
	}
	run := func(stdin []byte, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "docker", args...)
		cmd.Env = append(os.Environ(), "DOCKER_HOST=unix:///var/run/docker.sock")
		cmd.Stdin = bytes.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	if _, err := run(nil, "version", "--format", "{{.Server.Version}}"); err != nil {
		t.Skip("no Docker daemon answers on /var/run/docker.sock")
	}
	return run
}

func TestSaveLoadsInRealDocker(t *testing.T) {
	docker := realDocker(t)
	s := newTestStore(t)
	ref := fmt.Sprintf("bolsillo-test/save:%d", time.Now().UnixNano())
	img := s.mustImport(t, makeTar(t, "hola.txt", "etc/motd"), ImportOptions{Ref: ref, Changes: []string{`CMD ["cat", "/hola.txt"]`}})
	var archive bytes.Buffer
	if err := s.Save(context.Background(), &archive, []string{ref}); err != nil {
		t.Fatal(err)
	}
	out, err := docker(archive.Bytes(), "load")
	if err != nil {
		t.Fatalf("docker load: %v: %s", err, out)
	}
	t.Cleanup(func() { docker(nil, "rmi", ref) })
	if want := "Loaded image: " + ref; !strings.Contains(out, want) {
		t.Errorf("docker load says %q, want %q", out, want)
	}
	id, err := docker(nil, "image", "inspect", "--format", "{{.Id}}", ref)
	if err != nil {
		t.Fatalf("docker image inspect: %v: %s", err, id)
	}
	if id != img.ID.String() {
		t.Errorf("Docker's image ID = %s, bolsillo's = %s", id, img.ID)
	}
}
