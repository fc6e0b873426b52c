package runtime

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// assertGolden compares got with testdata/<test name>.golden, or rewrites
// the file with -update.
func assertGolden(t *testing.T, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", filepath.FromSlash(t.Name())+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file %s; got:\n%s", t.Name(), path, got)
	}
}

// fixedHost is a machine without CAP_NET_RAW and CAP_AUDIT_WRITE in its
// bounding set and a hard NOFILE limit of 20000.
func fixedHost(cgroup2 bool) host {
	return host{
		bounding: func(c int) bool {
			return c != unix.CAP_NET_RAW && c != unix.CAP_AUDIT_WRITE
		},
		nofileHard: 20000,
		cgroup2:    cgroup2,
	}
}

// seccompHost is fixedHost(false) with seccomp support, a 6.1 kernel and
// two host devices.
func seccompHost() host {
	h := fixedHost(false)
	h.seccomp = true
	h.kernel = "6.1.0-18-amd64"
	h.devices = func() ([]specs.LinuxDevice, error) {
		mode := os.FileMode(0o660)
		var zero uint32
		return []specs.LinuxDevice{
			{Path: "/dev/sda", Type: "b", Major: 8, Minor: 0, FileMode: &mode, UID: &zero, GID: &zero},
			{Path: "/dev/kmsg", Type: "c", Major: 1, Minor: 11, FileMode: &mode, UID: &zero, GID: &zero},
		}, nil
	}
	return h
}

const testID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestOCISpec(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		user execUser
		host host
	}{
		{
			name: "minimal",
			spec: Spec{ID: testID, Rootfs: "/var/lib/bolsillo/containers/0123/merged", Args: []string{"true"}},
			host: fixedHost(false),
		},
		{
			name: "full",
			spec: Spec{
				ID:             testID,
				Rootfs:         "/var/lib/bolsillo/containers/0123/merged",
				Args:           []string{"sh", "-c", "echo hola"},
				Env:            []string{"PATH=/bin", "CURSO=docker"},
				Cwd:            "/app/",
				User:           "estudiante",
				Hostname:       "web",
				Tty:            true,
				ReadonlyRootfs: true,
				Mounts: []Mount{
					{Source: "/var/lib/bolsillo/containers/0123/hostname", Destination: "/etc/hostname", ReadOnly: true},
					{Source: "/var/lib/bolsillo/containers/0123/hosts", Destination: "/etc/hosts"},
				},
				NetworkMode: NetworkHost,
				Memory:      64 << 20,
				CpusetCpus:  "0-1",
				CPUShares:   512,
				PidsLimit:   100,
			},
			user: execUser{UID: 1000, GID: 1000, AdditionalGIDs: []uint32{2000}},
			host: fixedHost(false),
		},
		{
			name: "cgroup2",
			spec: Spec{ID: testID, Rootfs: "/rootfs", Args: []string{"true"}, NetworkMode: NetworkNone},
			host: fixedHost(true),
		},
		{
			name: "seccomp default",
			spec: Spec{ID: testID, Rootfs: "/rootfs", Args: []string{"true"}},
			host: seccompHost(),
		},
		{
			name: "cap-add cap-drop no-new-privileges unconfined",
			spec: Spec{ID: testID, Rootfs: "/rootfs", Args: []string{"true"}, Security: Security{
				CapAdd:          []string{"sys_time", "CAP_NET_ADMIN"},
				CapDrop:         []string{"chown", "CAP_MKNOD"},
				NoNewPrivileges: true,
				Seccomp:         SeccompUnconfined,
			}},
			host: seccompHost(),
		},
		{
			name: "privileged",
			spec: Spec{ID: testID, Rootfs: "/rootfs", Args: []string{"true"}, Security: Security{Privileged: true}},
			host: seccompHost(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ociSpec(tt.spec, tt.user, "bolsillo-1a2b3c4d", tt.host)
			if err != nil {
				t.Fatalf("ociSpec() error = %v", err)
			}
			got, err := json.MarshalIndent(s, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			assertGolden(t, append(got, '\n'))
		})
	}
}

func TestOCISpecErrors(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
	}{
		{"no args", Spec{ID: testID, Rootfs: "/r"}},
		{"relative cwd", Spec{ID: testID, Rootfs: "/r", Args: []string{"true"}, Cwd: "app"}},
		{"relative mount", Spec{ID: testID, Rootfs: "/r", Args: []string{"true"}, Mounts: []Mount{{Source: "/h", Destination: "etc/hosts"}}}},
		{"bridge network", Spec{ID: testID, Rootfs: "/r", Args: []string{"true"}, NetworkMode: "bridge"}},
	}
	for _, tt := range tests {
		if _, err := ociSpec(tt.spec, execUser{}, "p", fixedHost(false)); err == nil {
			t.Errorf("%s: ociSpec() error = nil, want an error", tt.name)
		}
	}
}

func TestContainerEnv(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want []string
	}{
		{"empty", Spec{}, []string{defaultPath}},
		{"PATH given", Spec{Env: []string{"PATH=/bin", "A=1"}}, []string{"PATH=/bin", "A=1"}},
		{"hostname", Spec{Hostname: "web"}, []string{defaultPath, "HOSTNAME=web"}},
		{"HOSTNAME given", Spec{Hostname: "web", Env: []string{"HOSTNAME=otro"}}, []string{defaultPath, "HOSTNAME=otro"}},
		{"tty", Spec{Tty: true}, []string{defaultPath, "TERM=xterm"}},
		{"TERM given", Spec{Tty: true, Env: []string{"TERM=vt100"}}, []string{defaultPath, "TERM=vt100"}},
		{"prefix is not a key", Spec{Env: []string{"PATHS=x"}}, []string{defaultPath, "PATHS=x"}},
	}
	for _, tt := range tests {
		if got := containerEnv(tt.spec); !slices.Equal(got, tt.want) {
			t.Errorf("%s: containerEnv() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDefaultCapabilitiesKnown(t *testing.T) {
	for _, c := range defaultCapabilities {
		if _, ok := allCapabilities[c]; !ok {
			t.Errorf("capability %s has no number", c)
		}
	}
}
