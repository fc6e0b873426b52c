package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/opencontainers/runc/libcontainer/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// SeccompEnabled reports whether this binary was built with seccomp support
// (the build tag "seccomp", cgo and libseccomp). Without it containers run
// with no seccomp filter, as Docker does on a kernel without seccomp.
const SeccompEnabled = seccomp.Enabled

// SeccompUnconfined is the Security.Seccomp value that disables the filter.
const SeccompUnconfined = "unconfined"

// SecurityOptions returns what `docker info` lists as SecurityOptions for a
// daemon built like this one on this machine.
func SecurityOptions(cgroup2 bool) []string {
	opts := []string{}
	if SeccompEnabled {
		opts = append(opts, "name=seccomp,profile=builtin")
	}
	if cgroup2 {
		opts = append(opts, "name=cgroupns")
	}
	return opts
}

// seccompProfile is a seccomp profile in Docker's JSON format: the OCI
// fields plus per-rule conditions on the architecture, the container's
// capabilities and the kernel version.
type seccompProfile struct {
	DefaultAction   specs.LinuxSeccompAction `json:"defaultAction"`
	DefaultErrnoRet *uint                    `json:"defaultErrnoRet,omitempty"`
	Architectures   []specs.Arch             `json:"architectures,omitempty"`
	ArchMap         []seccompArchMap         `json:"archMap,omitempty"`
	Flags           []specs.LinuxSeccompFlag `json:"flags,omitempty"`
	Syscalls        []seccompRule            `json:"syscalls"`
}

type seccompArchMap struct {
	Arch    specs.Arch   `json:"architecture"`
	SubArch []specs.Arch `json:"subArchitectures"`
}

// seccompRule is one entry of "syscalls". Includes must all hold and no
// Excludes may hold for the rule to be part of the filter.
type seccompRule struct {
	Name     string                   `json:"name,omitempty"`
	Names    []string                 `json:"names,omitempty"`
	Action   specs.LinuxSeccompAction `json:"action"`
	ErrnoRet *uint                    `json:"errnoRet,omitempty"`
	Args     []specs.LinuxSeccompArg  `json:"args,omitempty"`
	Comment  string                   `json:"comment,omitempty"`
	Includes seccompFilter            `json:"includes"`
	Excludes seccompFilter            `json:"excludes"`
}

type seccompFilter struct {
	Arches    []string `json:"arches,omitempty"`
	Caps      []string `json:"caps,omitempty"`
	MinKernel string   `json:"minKernel,omitempty"`
}

// ParseSeccompProfile parses a profile in Docker's JSON format (what
// `--security-opt seccomp=FILE` sends) and checks what can be checked
// without a container.
func ParseSeccompProfile(data string) error {
	p, err := parseSeccompProfile(data)
	if err != nil {
		return err
	}
	_, err = p.toOCI(nil, kernelRelease())
	return err
}

func parseSeccompProfile(data string) (*seccompProfile, error) {
	var p seccompProfile
	if err := json.Unmarshal([]byte(data), &p); err != nil {
		return nil, fmt.Errorf("decoding seccomp profile: %w", err)
	}
	if p.DefaultAction == "" {
		return nil, errors.New("seccomp profile has no defaultAction")
	}
	if len(p.Architectures) > 0 && len(p.ArchMap) > 0 {
		return nil, errors.New("seccomp profile sets both architectures and archMap")
	}
	return &p, nil
}

// profileArch is the architecture name Docker's profiles use in "arches".
func profileArch() string {
	switch goruntime.GOARCH {
	case "386":
		return "x86"
	case "mips64le":
		return "mipsel64"
	default:
		return goruntime.GOARCH
	}
}

// nativeSeccompArch is the libseccomp name of this machine's architecture.
func nativeSeccompArch() specs.Arch {
	switch goruntime.GOARCH {
	case "amd64":
		return specs.ArchX86_64
	case "386":
		return specs.ArchX86
	case "arm64":
		return specs.ArchAARCH64
	case "arm":
		return specs.ArchARM
	case "ppc64le":
		return specs.ArchPPC64LE
	case "s390x":
		return specs.ArchS390X
	case "riscv64":
		return specs.ArchRISCV64
	case "mips64le":
		return specs.ArchMIPSEL64
	default:
		return ""
	}
}

// toOCI resolves the profile for a container with the capabilities caps on
// a kernel of release kernel ("6.1.0-18-amd64"): it keeps the rules whose
// conditions hold and the architectures of this machine.
func (p *seccompProfile) toOCI(caps []string, kernel string) (*specs.LinuxSeccomp, error) {
	out := &specs.LinuxSeccomp{
		DefaultAction:   p.DefaultAction,
		DefaultErrnoRet: p.DefaultErrnoRet,
		Architectures:   slices.Clone(p.Architectures),
		Flags:           slices.Clone(p.Flags),
	}
	// Only the machine's own architecture, where Docker adds its 32-bit
	// relatives (x86 and x32 next to x86_64): every architecture multiplies
	// the filter that each container start and each exec compiles, about
	// 16 ms with three against 5 ms with one here. A 32-bit program in a
	// container has its system calls refused; course images are 64-bit.
	native := nativeSeccompArch()
	for _, m := range p.ArchMap {
		if m.Arch == native {
			out.Architectures = []specs.Arch{m.Arch}
		}
	}
	arch := profileArch()
	for i, r := range p.Syscalls {
		if r.Action == "" {
			return nil, fmt.Errorf("seccomp rule %d has no action", i)
		}
		names := r.Names
		if r.Name != "" {
			names = append([]string{r.Name}, names...)
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("seccomp rule %d names no system call", i)
		}
		ok, err := r.applies(caps, arch, kernel)
		if err != nil {
			return nil, fmt.Errorf("seccomp rule %d: %w", i, err)
		}
		if !ok {
			continue
		}
		out.Syscalls = append(out.Syscalls, specs.LinuxSyscall{
			Names:    slices.Clone(names),
			Action:   r.Action,
			ErrnoRet: r.ErrnoRet,
			Args:     slices.Clone(r.Args),
		})
	}
	return out, nil
}

// applies reports whether rule r is part of the filter of a container with
// capabilities caps on architecture arch and kernel release kernel.
func (r seccompRule) applies(caps []string, arch, kernel string) (bool, error) {
	if len(r.Includes.Arches) > 0 && !slices.Contains(r.Includes.Arches, arch) {
		return false, nil
	}
	for _, c := range r.Includes.Caps {
		if !slices.Contains(caps, c) {
			return false, nil
		}
	}
	if r.Includes.MinKernel != "" {
		atLeast, err := kernelAtLeast(kernel, r.Includes.MinKernel)
		if err != nil {
			return false, err
		}
		if !atLeast {
			return false, nil
		}
	}
	if slices.Contains(r.Excludes.Arches, arch) {
		return false, nil
	}
	for _, c := range r.Excludes.Caps {
		if slices.Contains(caps, c) {
			return false, nil
		}
	}
	if r.Excludes.MinKernel != "" {
		atLeast, err := kernelAtLeast(kernel, r.Excludes.MinKernel)
		if err != nil {
			return false, err
		}
		if atLeast {
			return false, nil
		}
	}
	return true, nil
}

// kernelRelease returns the running kernel's release ("6.1.0-18-amd64").
func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}

// kernelAtLeast compares the major.minor of release with min ("4.8"). An
// unreadable release counts as new enough.
func kernelAtLeast(release, minimum string) (bool, error) {
	want, ok := majorMinor(minimum)
	if !ok {
		return false, fmt.Errorf("invalid minKernel %q", minimum)
	}
	have, ok := majorMinor(release)
	if !ok {
		return true, nil
	}
	return have[0] > want[0] || (have[0] == want[0] && have[1] >= want[1]), nil
}

func majorMinor(s string) ([2]int, bool) {
	var out [2]int
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 2 {
		return out, false
	}
	for i := range 2 {
		digits := parts[i]
		if end := strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }); end >= 0 {
			digits = digits[:end]
		}
		n, err := strconv.Atoi(digits)
		if err != nil {
			return out, false
		}
		out[i] = n
	}
	return out, true
}

// errnoRet returns a pointer to n, for ErrnoRet fields.
func errnoRet(n uint) *uint { return &n }

// defaultSeccompProfile is Docker's default profile (moby
// profiles/seccomp/default.json): everything not listed fails with EPERM;
// the calls that need a capability Docker does not give by default (mount,
// module loading, setting the clock, namespaces, ...) are allowed only when
// the container has that capability.
var defaultSeccompProfile = seccompProfile{
	DefaultAction:   specs.ActErrno,
	DefaultErrnoRet: errnoRet(uint(unix.EPERM)),
	ArchMap: []seccompArchMap{
		{Arch: specs.ArchX86_64, SubArch: []specs.Arch{specs.ArchX86, specs.ArchX32}},
		{Arch: specs.ArchAARCH64, SubArch: []specs.Arch{specs.ArchARM}},
		{Arch: specs.ArchMIPS64, SubArch: []specs.Arch{specs.ArchMIPS, specs.ArchMIPS64N32}},
		{Arch: specs.ArchMIPS64N32, SubArch: []specs.Arch{specs.ArchMIPS, specs.ArchMIPS64}},
		{Arch: specs.ArchMIPSEL64, SubArch: []specs.Arch{specs.ArchMIPSEL, specs.ArchMIPSEL64N32}},
		{Arch: specs.ArchMIPSEL64N32, SubArch: []specs.Arch{specs.ArchMIPSEL, specs.ArchMIPSEL64}},
		{Arch: specs.ArchS390X, SubArch: []specs.Arch{specs.ArchS390}},
		{Arch: specs.ArchRISCV64},
	},
	Syscalls: []seccompRule{
		{Names: defaultAllowedSyscalls, Action: specs.ActAllow},
		{
			Names:    []string{"process_vm_readv", "process_vm_writev", "ptrace"},
			Action:   specs.ActAllow,
			Includes: seccompFilter{MinKernel: "4.8"},
		},
		{
			// Every socket family but AF_VSOCK (40).
			Names:  []string{"socket"},
			Action: specs.ActAllow,
			Args:   []specs.LinuxSeccompArg{{Index: 0, Value: unix.AF_VSOCK, Op: specs.OpNotEqual}},
		},
		// personality(2) only with the personas programs really use:
		// PER_LINUX, UNAME26, PER_LINUX32, UNAME26|PER_LINUX32 and the
		// query 0xffffffff.
		personalityRule(0x0),
		personalityRule(0x0008),
		personalityRule(0x20000),
		personalityRule(0x20008),
		personalityRule(0xffffffff),
		{Names: []string{"sync_file_range2", "swapcontext"}, Action: specs.ActAllow, Includes: seccompFilter{Arches: []string{"ppc64le"}}},
		{
			Names:    []string{"arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"},
			Action:   specs.ActAllow,
			Includes: seccompFilter{Arches: []string{"arm", "arm64"}},
		},
		{Names: []string{"arch_prctl"}, Action: specs.ActAllow, Includes: seccompFilter{Arches: []string{"amd64", "x32"}}},
		{Names: []string{"modify_ldt"}, Action: specs.ActAllow, Includes: seccompFilter{Arches: []string{"amd64", "x32", "x86"}}},
		{Names: []string{"s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"}, Action: specs.ActAllow, Includes: seccompFilter{Arches: []string{"s390", "s390x"}}},
		{Names: []string{"riscv_flush_icache"}, Action: specs.ActAllow, Includes: seccompFilter{Arches: []string{"riscv64"}}},
		{Names: []string{"open_by_handle_at"}, Action: specs.ActAllow, Includes: seccompFilter{Caps: []string{"CAP_DAC_READ_SEARCH"}}},
		{
			Names: []string{
				"bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
				"lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open",
				"quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount",
				"umount2", "unshare",
			},
			Action:   specs.ActAllow,
			Includes: seccompFilter{Caps: []string{"CAP_SYS_ADMIN"}},
		},
		{
			// clone without any CLONE_NEW* flag (namespaces need
			// CAP_SYS_ADMIN): the mask is CLONE_NEWNS|NEWCGROUP|NEWUTS|
			// NEWIPC|NEWUSER|NEWPID|NEWNET.
			Names:    []string{"clone"},
			Action:   specs.ActAllow,
			Args:     []specs.LinuxSeccompArg{{Index: 0, Value: cloneNamespaceFlags, Op: specs.OpMaskedEqual}},
			Excludes: seccompFilter{Caps: []string{"CAP_SYS_ADMIN"}, Arches: []string{"s390", "s390x"}},
		},
		{
			Names:    []string{"clone"},
			Action:   specs.ActAllow,
			Args:     []specs.LinuxSeccompArg{{Index: 1, Value: cloneNamespaceFlags, Op: specs.OpMaskedEqual}},
			Comment:  "s390 parameter ordering for clone is different",
			Includes: seccompFilter{Arches: []string{"s390", "s390x"}},
			Excludes: seccompFilter{Caps: []string{"CAP_SYS_ADMIN"}},
		},
		{
			// clone3 passes its flags in memory, where seccomp cannot look:
			// ENOSYS makes the C library fall back to clone.
			Names:    []string{"clone3"},
			Action:   specs.ActErrno,
			ErrnoRet: errnoRet(uint(unix.ENOSYS)),
			Excludes: seccompFilter{Caps: []string{"CAP_SYS_ADMIN"}},
		},
		{Names: []string{"reboot"}, Action: specs.ActAllow, Includes: seccompFilter{Caps: []string{"CAP_SYS_BOOT"}}},
		{Names: []string{"chroot"}, Action: specs.ActAllow, Includes: seccompFilter{Caps: []string{"CAP_SYS_CHROOT"}}},
		{Names: []string{"delete_module", "init_module", "finit_module"}, Action: specs.ActAllow, Includes: seccompFilter{Caps: []string{"CAP_SYS_MODULE"}}},
		{Names: []string{"acct"}, Action: specs.ActAllow, Includes: seccompFilter{Caps: []string{"CAP_SYS_PACCT"}}},
		{
			Names:    []string{"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"},
			Action:   specs.ActAllow,
			Includes: seccompFilter{Caps: []string{"CAP_SYS_PTRACE"}},
		},
		{Names: []string{"iopl", "ioperm"}, Action: specs.ActAllow, Includes: seccompFilter{Caps: []string{"CAP_SYS_RAWIO"}}},
		{Names: []string{"settimeofday", "stime", "clock_settime", "clock_settime64"}, Action: specs.ActAllow, Includes: seccompFilter{Caps: []string{"CAP_SYS_TIME"}}},
		{Names: []string{"vhangup"}, Action: specs.ActAllow, Includes: seccompFilter{Caps: []string{"CAP_SYS_TTY_CONFIG"}}},
		{Names: []string{"get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"}, Action: specs.ActAllow, Includes: seccompFilter{Caps: []string{"CAP_SYS_NICE"}}},
		{Names: []string{"syslog"}, Action: specs.ActAllow, Includes: seccompFilter{Caps: []string{"CAP_SYSLOG"}}},
		{Names: []string{"bpf"}, Action: specs.ActAllow, Includes: seccompFilter{Caps: []string{"CAP_BPF"}}},
		{Names: []string{"perf_event_open"}, Action: specs.ActAllow, Includes: seccompFilter{Caps: []string{"CAP_PERFMON"}}},
	},
}

// cloneNamespaceFlags are the clone(2) flags that create namespaces.
const cloneNamespaceFlags = unix.CLONE_NEWNS | unix.CLONE_NEWCGROUP | unix.CLONE_NEWUTS |
	unix.CLONE_NEWIPC | unix.CLONE_NEWUSER | unix.CLONE_NEWPID | unix.CLONE_NEWNET

func personalityRule(persona uint64) seccompRule {
	return seccompRule{
		Names:  []string{"personality"},
		Action: specs.ActAllow,
		Args:   []specs.LinuxSeccompArg{{Index: 0, Value: persona, Op: specs.OpEqualTo}},
	}
}

// defaultAllowedSyscalls are the calls Docker's default profile allows to
// every container.
var defaultAllowedSyscalls = strings.Fields(`
accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32
clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64
clock_nanosleep clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2
dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait
epoll_wait_old eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64
fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchown fchown32 fchownat fcntl
fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64
fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_time64 futex_waitv futimesat getcpu
getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups
getgroups32 getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid
getresgid32 getresuid getresuid32 getrlimit get_robust_list getrusage getsid getsockname
getsockopt get_thread_area gettid gettimeofday getuid getuid32 getxattr inotify_add_watch
inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents
io_pgetevents io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit io_uring_enter
io_uring_register io_uring_setup ipc kill landlock_add_rule landlock_create_ruleset
landlock_restrict_self lchown lchown32 lgetxattr link linkat listen listxattr llistxattr _llseek
lremovexattr lseek lsetxattr lstat lstat64 madvise membarrier memfd_create memfd_secret mincore
mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify
mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap
msgctl msgget msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep
newfstatat _newselect open openat openat2 pause pidfd_open pidfd_send_signal pipe pipe2
pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2
prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read readahead
readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages
removexattr rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending
rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64
rt_tgsigqueueinfo sched_getaffinity sched_getattr sched_getparam sched_get_priority_max
sched_get_priority_min sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64
sched_setaffinity sched_setattr sched_setparam sched_setscheduler sched_yield seccomp select
semctl semget semop semtimedop semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg
sendto setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer
setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid
setreuid32 setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address setuid
setuid32 setxattr shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask
sigreturn socketcall socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync
sync_file_range syncfs sysinfo tee tgkill time timer_create timer_delete timer_getoverrun
timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime
timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate truncate64 ugetrlimit
umask uname unlink unlinkat utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid
waitpid write writev
`)
