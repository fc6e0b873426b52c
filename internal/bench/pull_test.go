package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestBenchImage(t *testing.T) {
	sizes := []int64{1 << 10, 2 << 10, 3 << 10}
	img, err := benchImage(7, sizes)
	if err != nil {
		t.Fatalf("benchImage() error = %v", err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != len(sizes) {
		t.Fatalf("benchImage() has %d layers, want %d", len(layers), len(sizes))
	}
	for i, l := range layers {
		// One file of sizes[i] bytes in a tar: the content plus headers and padding.
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if n < sizes[i] || n > sizes[i]+4096 {
			t.Errorf("layer %d is %d bytes uncompressed, want about %d", i, n, sizes[i])
		}
		mt, err := l.MediaType()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(mt), "application/vnd.docker.image.rootfs.diff.tar.gzip"; got != want {
			t.Errorf("layer %d media type = %s, want %s", i, got, want)
		}
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OS != "linux" || cfg.Architecture != runtime.GOARCH {
		t.Errorf("platform = %s/%s, want linux/%s", cfg.OS, cfg.Architecture, runtime.GOARCH)
	}
	if len(cfg.RootFS.DiffIDs) != len(sizes) || len(cfg.History) != len(sizes) {
		t.Errorf("config has %d diff IDs and %d history entries, want %d of each", len(cfg.RootFS.DiffIDs), len(cfg.History), len(sizes))
	}

	digest := func(seed int64) string {
		img, err := benchImage(seed, sizes)
		if err != nil {
			t.Fatal(err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return d.String()
	}
	if a, b := digest(7), digest(7); a != b {
		t.Errorf("the same seed gave two images: %s and %s", a, b)
	}
	if a, b := digest(7), digest(8); a == b {
		t.Errorf("seeds 7 and 8 gave the same image %s", a)
	}
}

func TestBlobsServed(t *testing.T) {
	const (
		a = "sha256:aaaa"
		b = "sha256:bbbb"
	)
	line := func(method, uri string, status int) string {
		return fmt.Sprintf("2026-11-28 02:30:00 127.0.0.1:40412 %s %s %d 3ms\n", method, uri, status)
	}
	tests := []struct {
		name string
		log  string
		want []string
	}{
		{"empty log", "", nil},
		{
			name: "layers fetched",
			log: line("GET", "/v2/", 200) +
				line("HEAD", "/v2/bench/cinco/manifests/1", 200) +
				line("GET", "/v2/bench/cinco/blobs/"+a, 200) +
				line("GET", "/v2/bench/cinco/blobs/"+b, 206) +
				line("GET", "/v2/bench/cinco/blobs/"+a, 200),
			want: []string{a, b},
		},
		{"only checked for existence", line("HEAD", "/v2/bench/cinco/blobs/"+a, 200), nil},
		{"not found", line("GET", "/v2/bench/cinco/blobs/"+a, 404), nil},
		{"another repository", line("GET", "/v2/other/blobs/"+a, 200), nil},
		{"an upload", line("GET", "/v2/bench/cinco/blobs/uploads/123", 204), nil},
		{
			name: "distribution's own messages are ignored",
			log:  `time="2026-11-28T02:30:00Z" level=info msg="GET /v2/bench/cinco/blobs/sha256:aaaa 200"` + "\n",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			served, err := blobsServed([]byte(tt.log), "bench/cinco")
			if err != nil {
				t.Fatalf("blobsServed() error = %v", err)
			}
			var got []string
			for d := range served {
				got = append(got, d)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("blobsServed() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestTimedPull drives timedPull with shell commands in place of the
// engines: the "pull" appends access-log lines to the registry's log and
// the "rmi" leaves a mark that it ran.
func TestTimedPull(t *testing.T) {
	dir := t.TempDir()
	reg := &localRegistry{child: &child{log: filepath.Join(dir, "registry.log")}}
	img := &pullImage{ref: "127.0.0.1:1/bench/cinco:1", layers: []string{"sha256:aaaa", "sha256:bbbb"}}
	fetch := func(digests ...string) []string {
		var script strings.Builder
		for _, d := range digests {
			fmt.Fprintf(&script, "echo '2026-11-28 02:30:00 127.0.0.1:1 GET /v2/bench/cinco/blobs/%s 200 1ms' >> %s\n", d, reg.log)
		}
		return []string{"sh", "-c", script.String()}
	}
	removed := filepath.Join(dir, "removed")
	rmi := []string{"touch", removed}

	tests := []struct {
		name    string
		pull    []string
		wantErr error
	}{
		{"every layer downloaded", fetch("sha256:aaaa", "sha256:bbbb"), nil},
		{"a layer already present", fetch("sha256:bbbb"), errNotAllLayers},
		{"the earlier pull does not count", fetch(), errNotAllLayers},
	}
	if err := os.WriteFile(reg.log, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(removed)
			d, err := img.timedPull(reg, tt.pull, rmi, nil)(t.Context(), 0)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("timedPull() error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && d <= 0 {
				t.Errorf("timedPull() = %v, want a positive wall time", d)
			}
			if _, err := os.Stat(removed); err != nil {
				t.Errorf("rmi did not run after the pull: %v", err)
			}
		})
	}

	_, err := img.timedPull(reg, []string{"sh", "-c", "echo manifest unknown >&2; exit 1"}, rmi, nil)(t.Context(), 0)
	if err == nil || !strings.Contains(err.Error(), "manifest unknown") {
		t.Errorf("timedPull() of a failing pull: error = %v, want the pull's message", err)
	}
}

// TestLocalRegistry builds bolsillo-registry, starts it as the benchmark
// does, pushes the benchmark image and pulls it with go-containerregistry:
// the registry's log must show every layer served, and the registry must
// stop on SIGTERM.
func TestLocalRegistry(t *testing.T) {
	if testing.Short() {
		t.Skip("builds bolsillo-registry")
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin, "bolsillo/cmd/bolsillo-registry")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	reg, err := startRegistry(t.Context(), bin, t.TempDir())
	if err != nil {
		t.Fatalf("startRegistry() error = %v", err)
	}
	defer func() {
		if err := reg.stop(); err != nil {
			t.Errorf("stop() error = %v", err)
		}
		if gone, _ := reg.exited(); !gone {
			t.Errorf("bolsillo-registry (PID %d) still runs after stop()", reg.pid())
		}
	}()
	if !strings.HasPrefix(reg.host, "127.0.0.1:") {
		t.Errorf("registry host = %s, want 127.0.0.1:PORT", reg.host)
	}

	img, err := pushBenchImage(t.Context(), reg.host)
	if err != nil {
		t.Fatalf("pushBenchImage() error = %v", err)
	}
	if len(img.layers) != len(pullLayerSizes) {
		t.Errorf("pushed %d layers, want %d", len(img.layers), len(pullLayerSizes))
	}
	var total int64
	for _, s := range pullLayerSizes {
		total += s
	}
	if img.compressed < total {
		t.Errorf("compressed size = %d, want at least %d: random bytes do not compress", img.compressed, total)
	}

	mark, err := reg.logSize()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(img.ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	pulled, err := remote.Image(ref, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatalf("pulling %s: %v", img.ref, err)
	}
	layers, err := pulled.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers[:2] { // download two of the five
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	log, err := reg.logSince(mark)
	if err != nil {
		t.Fatal(err)
	}
	served, err := blobsServed(log, pullRepo)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range img.layers {
		if got, want := served[l], i < 2; got != want {
			t.Errorf("layer %d (%s) served = %v, want %v; log:\n%s", i, l, got, want, log)
		}
	}
}

func TestStartRegistryFailures(t *testing.T) {
	t.Run("exits at start", func(t *testing.T) {
		bin, dir := t.TempDir(), t.TempDir()
		script := "#!/bin/sh\necho \"$*\" >> " + filepath.Join(dir, "starts") + "\necho 'address already in use' >&2\nexit 1\n"
		if err := os.WriteFile(filepath.Join(bin, "bolsillo-registry"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := startRegistry(t.Context(), bin, dir)
		if !errors.Is(err, errExitedAtStart) || !strings.Contains(err.Error(), "address already in use") {
			t.Errorf("startRegistry() error = %v, want %v with the registry's last line", err, errExitedAtStart)
		}
		starts, err := os.ReadFile(filepath.Join(dir, "starts"))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(string(starts), "--addr 127.0.0.1:"); got != registryStartTries {
			t.Errorf("registry started %d times on 127.0.0.1, want %d:\n%s", got, registryStartTries, starts)
		}
	})
	t.Run("missing binary", func(t *testing.T) {
		_, err := startRegistry(t.Context(), t.TempDir(), t.TempDir())
		if err == nil || errors.Is(err, errExitedAtStart) {
			t.Errorf("startRegistry() error = %v, want a start error without retries", err)
		}
	})
}
