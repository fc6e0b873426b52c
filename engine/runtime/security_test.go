package runtime

import (
	"slices"
	"strings"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestNormalizeCapability(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"net_raw", "CAP_NET_RAW", false},
		{"CAP_NET_RAW", "CAP_NET_RAW", false},
		{"Sys_Admin", "CAP_SYS_ADMIN", false},
		{"all", "ALL", false},
		{"ALL", "ALL", false},
		{"CAP_ALL", "", true},
		{"volar", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		got, err := NormalizeCapability(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("NormalizeCapability(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestCapabilities(t *testing.T) {
	everything := host{bounding: func(int) bool { return true }}
	all := allCapabilityNames()
	without := func(list []string, drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(list), func(c string) bool { return slices.Contains(drop, c) })
	}
	defaults := func() []string {
		var out []string
		for _, c := range all {
			if slices.Contains(defaultCapabilities, c) {
				out = append(out, c)
			}
		}
		return out
	}()
	tests := []struct {
		name string
		sec  Security
		h    host
		want []string
	}{
		{"defaults", Security{}, everything, defaults},
		{"defaults within the bounding set", Security{}, fixedHost(false), without(defaults, "CAP_NET_RAW", "CAP_AUDIT_WRITE")},
		{"drop", Security{CapDrop: []string{"net_raw", "CAP_CHOWN"}}, everything, without(defaults, "CAP_NET_RAW", "CAP_CHOWN")},
		{"add", Security{CapAdd: []string{"SYS_ADMIN"}}, everything, without(all, without(all, append(slices.Clone(defaults), "CAP_SYS_ADMIN")...)...)},
		{"add outside the bounding set", Security{CapAdd: []string{"NET_RAW"}}, fixedHost(false), without(defaults, "CAP_NET_RAW", "CAP_AUDIT_WRITE")},
		{"drop all, add one", Security{CapDrop: []string{"ALL"}, CapAdd: []string{"chown"}}, everything, []string{"CAP_CHOWN"}},
		{"drop all", Security{CapDrop: []string{"all"}}, everything, nil},
		{"add all, drop one", Security{CapAdd: []string{"ALL"}, CapDrop: []string{"SYS_ADMIN"}}, everything, without(all, "CAP_SYS_ADMIN")},
		{"privileged", Security{Privileged: true, CapDrop: []string{"CHOWN"}}, everything, all},
		{"privileged within the bounding set", Security{Privileged: true}, fixedHost(false), without(all, "CAP_NET_RAW", "CAP_AUDIT_WRITE")},
	}
	for _, tt := range tests {
		got, err := capabilities(tt.sec, tt.h)
		if err != nil {
			t.Errorf("%s: capabilities() error = %v", tt.name, err)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: capabilities() = %q, want %q", tt.name, got, tt.want)
		}
	}
	if _, err := capabilities(Security{CapAdd: []string{"VOLAR"}}, everything); err == nil {
		t.Error("capabilities() with an unknown capability: error = nil")
	}
	if len(all) != unix.CAP_LAST_CAP+1 {
		t.Errorf("allCapabilities has %d names, the kernel headers %d", len(all), unix.CAP_LAST_CAP+1)
	}
}

// allowed reports whether filter f lets name through unconditionally, and
// whether any rule names it at all.
func allowed(f *specs.LinuxSeccomp, name string) (unconditional, listed bool) {
	for _, r := range f.Syscalls {
		if slices.Contains(r.Names, name) {
			listed = true
			if r.Action == specs.ActAllow && len(r.Args) == 0 {
				unconditional = true
			}
		}
	}
	return unconditional, listed
}

func TestDefaultSeccompProfile(t *testing.T) {
	if cloneNamespaceFlags != 2114060288 {
		t.Errorf("cloneNamespaceFlags = %d, want Docker's 2114060288", cloneNamespaceFlags)
	}
	defaults, err := capabilities(Security{}, host{bounding: func(int) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		caps    []string
		kernel  string
		syscall string
		want    bool // allowed without conditions
		listed  bool
	}{
		{"read is allowed", defaults, "6.1.0", "read", true, true},
		{"mount needs CAP_SYS_ADMIN", defaults, "6.1.0", "mount", false, false},
		{"mount with CAP_SYS_ADMIN", append(slices.Clone(defaults), "CAP_SYS_ADMIN"), "6.1.0", "mount", true, true},
		{"init_module needs CAP_SYS_MODULE", defaults, "6.1.0", "init_module", false, false},
		{"init_module with CAP_SYS_MODULE", []string{"CAP_SYS_MODULE"}, "6.1.0", "init_module", true, true},
		{"settimeofday needs CAP_SYS_TIME", defaults, "6.1.0", "settimeofday", false, false},
		{"clock_settime with CAP_SYS_TIME", []string{"CAP_SYS_TIME"}, "6.1.0", "clock_settime", true, true},
		{"sethostname needs CAP_SYS_ADMIN", defaults, "6.1.0", "sethostname", false, false},
		{"clone only without namespace flags", defaults, "6.1.0", "clone", false, true},
		{"clone with CAP_SYS_ADMIN", []string{"CAP_SYS_ADMIN"}, "6.1.0", "clone", true, true},
		{"ptrace on a new kernel", defaults, "6.1.0", "ptrace", true, true},
		{"ptrace on a kernel before 4.8", defaults, "4.4.0-210-generic", "ptrace", false, false},
		{"arch_prctl on amd64", defaults, "6.1.0", "arch_prctl", profileArch() == "amd64", profileArch() == "amd64"},
		{"s390 calls elsewhere", defaults, "6.1.0", "s390_runtime_instr", profileArch() == "s390x", profileArch() == "s390x"},
		{"kexec_load never", append(slices.Clone(defaults), "CAP_SYS_ADMIN", "CAP_SYS_BOOT"), "6.1.0", "kexec_load", false, false},
	}
	for _, tt := range tests {
		f, err := defaultSeccompProfile.toOCI(tt.caps, tt.kernel)
		if err != nil {
			t.Fatalf("%s: toOCI() error = %v", tt.name, err)
		}
		got, listed := allowed(f, tt.syscall)
		if got != tt.want || listed != tt.listed {
			t.Errorf("%s: %s allowed = %v (listed %v), want %v (listed %v)", tt.name, tt.syscall, got, listed, tt.want, tt.listed)
		}
		if f.DefaultAction != specs.ActErrno || f.DefaultErrnoRet == nil || *f.DefaultErrnoRet != uint(unix.EPERM) {
			t.Errorf("%s: default action %s/%v, want EPERM", tt.name, f.DefaultAction, f.DefaultErrnoRet)
		}
	}
	// clone3 fails with ENOSYS without CAP_SYS_ADMIN, so that libc falls
	// back to clone.
	f, _ := defaultSeccompProfile.toOCI(defaults, "6.1.0")
	var clone3 *specs.LinuxSyscall
	for i, r := range f.Syscalls {
		if slices.Contains(r.Names, "clone3") {
			clone3 = &f.Syscalls[i]
		}
	}
	if clone3 == nil || clone3.Action != specs.ActErrno || clone3.ErrnoRet == nil || *clone3.ErrnoRet != uint(unix.ENOSYS) {
		t.Errorf("clone3 rule = %+v, want ENOSYS", clone3)
	}
	// Only the native architecture, not Docker's 32-bit relatives: each one
	// multiplies the filter every start compiles.
	if native := nativeSeccompArch(); !slices.Equal(f.Architectures, []specs.Arch{native}) {
		t.Errorf("architectures = %v, want only %v", f.Architectures, native)
	}
}

func TestParseSeccompProfile(t *testing.T) {
	tests := []struct {
		name    string
		profile string
		wantErr string
	}{
		{"minimal", `{"defaultAction":"SCMP_ACT_ALLOW"}`, ""},
		{"deny one call", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}`, ""},
		{"single name", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"mkdir","action":"SCMP_ACT_ERRNO"}]}`, ""},
		{"not json", `seccomp`, "decoding"},
		{"no default action", `{"syscalls":[]}`, "defaultAction"},
		{"rule without action", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"]}]}`, "no action"},
		{"rule without names", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ERRNO"}]}`, "names no"},
		{"bad minKernel", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ERRNO","includes":{"minKernel":"cuatro"}}]}`, "minKernel"},
		{"both arch lists", `{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}`, "both"},
	}
	for _, tt := range tests {
		err := ParseSeccompProfile(tt.profile)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: error = %v", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: error = %v, want one containing %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestKernelAtLeast(t *testing.T) {
	tests := []struct {
		release, min string
		want         bool
	}{
		{"6.1.0-18-amd64", "4.8", true},
		{"4.8.0", "4.8", true},
		{"4.7.10", "4.8", false},
		{"3.10.0-1160.el7.x86_64", "4.8", false},
		{"5.4", "4.8", true},
		{"", "4.8", true},
	}
	for _, tt := range tests {
		got, err := kernelAtLeast(tt.release, tt.min)
		if err != nil || got != tt.want {
			t.Errorf("kernelAtLeast(%q, %q) = %v, %v; want %v", tt.release, tt.min, got, err, tt.want)
		}
	}
}

func TestSeccompFor(t *testing.T) {
	without := fixedHost(false)
	with := seccompHost()
	tests := []struct {
		name    string
		sec     Security
		h       host
		want    bool // a filter
		wantErr bool
	}{
		{"default", Security{}, with, true, false},
		{"unconfined", Security{Seccomp: SeccompUnconfined}, with, false, false},
		{"privileged", Security{Privileged: true}, with, false, false},
		{"privileged with a profile", Security{Privileged: true, Seccomp: `{"defaultAction":"SCMP_ACT_ALLOW"}`}, with, true, false},
		{"custom", Security{Seccomp: `{"defaultAction":"SCMP_ACT_ALLOW"}`}, with, true, false},
		{"bad custom", Security{Seccomp: `{`}, with, false, true},
		{"no support: default runs without", Security{}, without, false, false},
		{"no support: custom fails", Security{Seccomp: `{"defaultAction":"SCMP_ACT_ALLOW"}`}, without, false, true},
	}
	for _, tt := range tests {
		f, err := seccompFor(tt.sec, nil, tt.h)
		if (err != nil) != tt.wantErr || (f != nil) != tt.want {
			t.Errorf("%s: seccompFor() = %v, %v; want filter %v, error %v", tt.name, f != nil, err, tt.want, tt.wantErr)
		}
	}
}

func TestSecurityOptions(t *testing.T) {
	got := SecurityOptions(true)
	if SeccompEnabled != slices.Contains(got, "name=seccomp,profile=builtin") {
		t.Errorf("SecurityOptions() = %q with SeccompEnabled = %v", got, SeccompEnabled)
	}
	if !slices.Contains(got, "name=cgroupns") || slices.Contains(SecurityOptions(false), "name=cgroupns") {
		t.Errorf("cgroupns only on cgroup v2: %q, %q", got, SecurityOptions(false))
	}
}

func TestHostDevices(t *testing.T) {
	devs, err := hostDevices()
	if err != nil {
		t.Fatal(err)
	}
	var null bool
	for _, d := range devs {
		if d.Path == "/dev/null" && d.Type == "c" && d.Major == 1 && d.Minor == 3 {
			null = true
		}
		if strings.HasPrefix(d.Path, "/dev/pts/") || d.Path == "/dev/console" || d.Path == "/dev/ptmx" {
			t.Errorf("hostDevices() lists %s, which belongs to the container", d.Path)
		}
	}
	if !null {
		t.Errorf("hostDevices() has no /dev/null (c 1:3) among %d devices", len(devs))
	}
}
