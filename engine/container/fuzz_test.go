package container

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	securejoin "github.com/cyphar/filepath-securejoin"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/container"

	"bolsillo/internal/fuzztar"
)

// TestParseCPUSetBounds: a cpuset that names huge CPU numbers or repeats
// ranges is refused or folded, never expanded into gigabytes.
func TestParseCPUSetBounds(t *testing.T) {
	tests := []struct {
		in      string
		want    int // number of CPUs
		wantErr bool
	}{
		{"0-2000000000", 0, true},
		{"8191", 1, false},
		{"8192", 0, true},
		{"0-8191", 8192, false},
		{strings.Repeat("0-8191,", 1000) + "0", 8192, false},
		{"3,1,1-2", 3, false},
	}
	for _, tt := range tests {
		got, err := parseCPUSet(tt.in)
		if (err != nil) != tt.wantErr || len(got) != tt.want {
			t.Errorf("parseCPUSet(%.20q) = %d CPUs, %v; want %d, error %v", tt.in, len(got), err, tt.want, tt.wantErr)
		}
	}
}

// FuzzParseCPUSet: every cpuset parses into at most maxCPUs numbers, in
// order and in range, or is refused.
func FuzzParseCPUSet(f *testing.F) {
	for _, s := range []string{"0", "0-3", "0,2-3", "1-0", "-1", "0-2000000000", "a", ",", "0-", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cpus, err := parseCPUSet(s)
		if err != nil {
			return
		}
		if len(cpus) > maxCPUs {
			t.Fatalf("%d CPUs", len(cpus))
		}
		for i, c := range cpus {
			if c < 0 || c >= maxCPUs || (i > 0 && c <= cpus[i-1]) {
				t.Fatalf("parseCPUSet(%q) = %v: out of range or order", s, cpus)
			}
		}
	})
}

// cpRoot makes a container root for the docker cp fuzz targets, under
// base/root, with symlinks that lead out of it if followed on the host.
func cpRoot(t *testing.T, base, outside string) string {
	t.Helper()
	root := filepath.Join(base, "root")
	for _, d := range []string{"etc", "a/b", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0::/root:/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"up": "../..", "abs": "/", "host": outside, "a/b/back": "../../..",
		"loop": "loop", "etc/mtab": "/proc/mounts", "tmp/victim": outside + "/victim",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// inside reports whether the host path p is root or under it.
func inside(root, p string) bool {
	p = filepath.Clean(p)
	return p == root || strings.HasPrefix(p, root+string(filepath.Separator))
}

// FuzzResolvePath: whatever path a `docker cp` names, it resolves to a host
// path under the container's root, a symlink's target shows as a path of
// the container, and the tar of it has only entries under its base name.
func FuzzResolvePath(f *testing.F) {
	for _, p := range []string{
		"/etc/passwd", "etc", "/", "", ".", "..", "../../../../etc/passwd", "/up/up/etc/shadow", "/abs/etc",
		"/host/victim", "/a/b/back/back/x", "/loop/x", "/etc/mtab", "/tmp/victim", "/etc/.", "/a/b/", "//a//b/../../..",
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		base := t.TempDir()
		outside, err := fuzztar.Sandbox(base)
		if err != nil {
			t.Fatal(err)
		}
		root := cpRoot(t, base, outside)
		resolved, abs, err := resolvePath(root, p)
		if err != nil {
			return
		}
		if !inside(root, resolved) {
			t.Fatalf("resolvePath(%q) = %s, outside %s", p, resolved, root)
		}
		if !path.IsAbs(abs) {
			t.Fatalf("resolvePath(%q): container path %q is not absolute", p, abs)
		}
		st, err := statPath(root, resolved, abs)
		if err != nil {
			return
		}
		if st.LinkTarget != "" && (!path.IsAbs(st.LinkTarget) || path.Clean(st.LinkTarget) != st.LinkTarget) {
			t.Errorf("LinkTarget %q is not a clean container path", st.LinkTarget)
		}
		rebase := path.Base(abs)
		if rebase == "/" {
			rebase = "."
		}
		var buf bytes.Buffer
		if err := writeTar(&buf, resolved, rebase); err != nil {
			return
		}
		tr := tar.NewReader(&buf)
		for {
			hdr, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n := strings.TrimSuffix(hdr.Name, "/")
			if n != rebase && !strings.HasPrefix(n, rebase+"/") && rebase != "." {
				t.Errorf("tar of %q holds %q, not under %q", p, hdr.Name, rebase)
			}
		}
	})
}

// FuzzExtractArchive: no tar uploaded with `docker cp` (PUT
// /containers/{name}/archive) into any directory of the container writes
// outside the container's root. The input is a fuzztar spec and the
// container path of the destination, resolved as ExtractToDir does; seeds
// are in testdata/fuzz/FuzzExtractArchive.
func FuzzExtractArchive(f *testing.F) {
	f.Add("f a y\nl b /\nf b/victim z", "/")
	f.Fuzz(func(t *testing.T, spec, dest string) {
		base := t.TempDir()
		outside, err := fuzztar.Sandbox(base)
		if err != nil {
			t.Fatal(err)
		}
		root := cpRoot(t, base, outside)
		resolved, err := resolveDest(root, dest)
		if err != nil {
			return
		}
		if !inside(root, resolved) {
			t.Fatalf("destination %q resolves to %s, outside %s", dest, resolved, root)
		}
		rel, _ := filepath.Rel(root, resolved)
		up := 1 // root is one level below base
		if rel != "." {
			up += len(strings.Split(rel, string(filepath.Separator)))
		}
		data := fuzztar.Build(spec, fuzztar.Options{Outside: outside, Up: up})
		before, err := fuzztar.Snapshot(base, root)
		if err != nil {
			t.Fatal(err)
		}
		for _, noOverwrite := range []bool{true, false} {
			xerr := extractTar(bytes.NewReader(data), root, path.Join("/", filepath.ToSlash(rel)), extractOptions{NoOverwriteDirNonDir: noOverwrite})
			after, err := fuzztar.Snapshot(base, root)
			if err != nil {
				t.Fatal(err)
			}
			if d := fuzztar.Diff(before, after); len(d) > 0 {
				t.Fatalf("extracting into %q wrote outside the container's root (err %v):\n%s", dest, xerr, strings.Join(d, "\n"))
			}
		}
	})
}

// resolveDest is ExtractToDir's resolution of the destination directory.
func resolveDest(root, p string) (string, error) {
	full, err := securejoin.SecureJoin(root, containerPath(p))
	if err != nil {
		return "", err
	}
	if fi, err := os.Lstat(full); err != nil || !fi.IsDir() {
		return "", errors.New("not a directory")
	}
	return full, nil
}

// FuzzCreate: no create request body (as POST /containers/create decodes
// it) makes Manager.Create panic, and a container it records has a valid
// name, network mode and cpuset.
func FuzzCreate(f *testing.F) {
	for _, body := range []string{
		`{"Image":"busybox","Cmd":["sh"]}`,
		`{"HostConfig":{"CpusetCpus":"0-2000000000"}}`,
		`{"HostConfig":{"Memory":1,"MemorySwap":-1,"NanoCpus":-5}}`,
		`{"HostConfig":{"NetworkMode":"container:x","RestartPolicy":{"Name":"on-failure","MaximumRetryCount":-1}}}`,
		`{"Entrypoint":[],"Cmd":null,"Env":["=","A"],"ExposedPorts":{"80/tcp":{},"x/udp":{}}}`,
		`{"HostConfig":{"PortBindings":{"80/tcp":[{"HostIp":"::1","HostPort":"99999"}]},"PublishAllPorts":true}}`,
		`{"User":"../../root","WorkingDir":"../..","StopSignal":"SIGKILLX","Hostname":"` + strings.Repeat("h", 300) + `"}`,
	} {
		f.Add(body, "web")
	}
	f.Add(`{}`, "/../etc")
	f.Fuzz(func(t *testing.T, body, name string) {
		var req struct {
			container.Config
			HostConfig *container.HostConfig `json:"HostConfig,omitempty"`
		}
		if json.Unmarshal([]byte(body), &req) != nil {
			return
		}
		root := filepath.Join(t.TempDir(), "containers")
		m, err := New(root, nil)
		if err != nil {
			t.Fatal(err)
		}
		c, err := m.Create(CreateOptions{
			Name:       name,
			Config:     &req.Config,
			HostConfig: req.HostConfig,
			Image:      Image{ID: "sha256:0", Config: dockerspec.DockerOCIImageConfig{}},
		})
		if err != nil {
			return
		}
		if !validName().MatchString(c.Name) {
			t.Errorf("created a container named %q", c.Name)
		}
		if !inside(root, c.dir) {
			t.Errorf("container directory %s outside %s", c.dir, root)
		}
		if cs := c.HostConfig.CpusetCpus; cs != "" {
			if _, err := parseCPUSet(cs); err != nil {
				t.Errorf("created with cpuset %q: %v", cs, err)
			}
		}
	})
}
