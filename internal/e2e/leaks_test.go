package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The open files of a daemon are compared, at the end of each test and
// before it is stopped, with what it held right after it started. Some of
// the growth is legitimate:
const (
	// fdTolerance is what the daemon may open once and keep: libcontainer
	// caches a handle on / and on /sys/fs/cgroup the first time a
	// container starts, the network code keeps a netlink socket, the
	// client of a registry keeps up to two idle connections to it, and a
	// client's connection to the API may still be closing.
	fdTolerance = 6
	// fdPerRunning is what a running container holds in the daemon: its
	// pidfd, the pipes of its output or the master of its terminal, and
	// its JSON log (which is not counted: it lives under the container's
	// directory).
	fdPerRunning = 4
	// fdSplicePipes is how many ends of pipes whose both ends the daemon
	// holds may be new: Go's net package splices a TCP connection into
	// another through pipes it keeps in a pool (the published ports'
	// proxy does), closed only when the pool is collected.
	fdSplicePipes = 16
	// fdSettle bounds how long the daemon gets to close what it is
	// closing: a connection that just ended, a stream being torn down.
	fdSettle = 5 * time.Second
)

// openFD is one open file descriptor of a process.
type openFD struct {
	fd     int
	target string // readlink of /proc/PID/fd/N, with sockets and pipes described
}

// splicePipe describes a pipe whose both ends the process holds.
const splicePipe = "pipe, both ends (splice pool)"

// fdSnapshot is what a daemon process held open at one moment.
type fdSnapshot struct {
	pid int
	fds []openFD
}

// openFDs returns the open file descriptors of the daemon's current
// process, or an empty snapshot when it does not run.
func (d *daemon) openFDs() fdSnapshot {
	if d.cmd == nil || d.cmd.Process == nil {
		return fdSnapshot{}
	}
	pid := d.cmd.Process.Pid
	snap := fdSnapshot{pid: pid}
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return snap
	}
	sockets := socketNames(pid)
	ends := map[string]map[bool]bool{} // pipe -> which ends are held (true: write)
	var raw []string
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		target, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err != nil {
			continue // closed while reading
		}
		if strings.HasPrefix(target, "pipe:[") {
			if ends[target] == nil {
				ends[target] = map[bool]bool{}
			}
			ends[target][writeEnd(pid, e.Name())] = true
		}
		raw = append(raw, target)
		snap.fds = append(snap.fds, openFD{fd: n, target: describeFD(target, sockets)})
	}
	for i, target := range raw {
		if len(ends[target]) == 2 {
			snap.fds[i].target = splicePipe
		}
	}
	return snap
}

// writeEnd reports whether descriptor fd of process pid is open for
// writing only, as the write end of a pipe is.
func writeEnd(pid int, fd string) bool {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%s", pid, fd))
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "flags:"); ok {
			flags, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
			return err == nil && flags&3 == 1 // O_WRONLY
		}
	}
	return false
}

// socketNames maps the inodes of a process's sockets, as its network
// namespace lists them, to what they are: "unix /path", "tcp
// 127.0.0.1:5000->127.0.0.1:41234".
func socketNames(pid int) map[string]string {
	names := map[string]string{}
	base := fmt.Sprintf("/proc/%d/net/", pid)
	if b, err := os.ReadFile(base + "unix"); err == nil {
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 7 {
				continue
			}
			path := ""
			if len(f) > 7 {
				path = " " + f[7]
			}
			names[f[6]] = "unix" + path
		}
	}
	for _, proto := range []string{"tcp", "tcp6", "udp", "udp6"} {
		b, err := os.ReadFile(base + proto)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 {
				continue
			}
			names[f[9]] = fmt.Sprintf("%s %s->%s", proto, hexAddr(f[1]), hexAddr(f[2]))
		}
	}
	if b, err := os.ReadFile(base + "netlink"); err == nil {
		for _, line := range strings.Split(string(b), "\n")[1:] {
			if f := strings.Fields(line); len(f) >= 10 {
				names[f[9]] = "netlink " + f[1]
			}
		}
	}
	return names
}

// hexAddr turns /proc/net/tcp's "0100007F:1388" into "127.0.0.1:5000";
// IPv6 addresses keep their hex form.
func hexAddr(s string) string {
	host, port, ok := strings.Cut(s, ":")
	p, err := strconv.ParseUint(port, 16, 16)
	if !ok || err != nil {
		return s
	}
	if len(host) == 8 {
		if v, err := strconv.ParseUint(host, 16, 32); err == nil {
			return fmt.Sprintf("%d.%d.%d.%d:%d", v&0xff, v>>8&0xff, v>>16&0xff, v>>24, p)
		}
	}
	return fmt.Sprintf("[%s]:%d", host, p)
}

// describeFD names a link target of /proc/PID/fd: a socket by what it is
// connected to, when its inode is known; anything else as it is.
func describeFD(target string, sockets map[string]string) string {
	if ino, ok := strings.CutPrefix(target, "socket:["); ok {
		if name, ok := sockets[strings.TrimSuffix(ino, "]")]; ok {
			return "socket " + name
		}
		return "socket"
	}
	if strings.HasPrefix(target, "pipe:[") {
		return "pipe"
	}
	return target
}

// grownFDs returns the descriptors of after whose targets are more than
// before had of the same target (sockets and pipes by kind, files by path).
func grownFDs(before, after fdSnapshot) []openFD {
	had := map[string]int{}
	for _, f := range before.fds {
		had[f.target]++
	}
	var grown []openFD
	for _, f := range after.fds {
		if had[f.target] > 0 {
			had[f.target]--
			continue
		}
		grown = append(grown, f)
	}
	return grown
}

// fdProblems judges the growth from before to after of a daemon whose
// running containers are running (their IDs) and whose data root is root:
// a file under the data root that is not a running container's, or more
// descriptors than the tolerance plus what the running containers hold.
// It returns nothing when the growth is within that.
func fdProblems(before, after fdSnapshot, root string, running []string) []string {
	var problems, extra []string
	limit := fdTolerance + fdPerRunning*len(running)
	counted, spliced := 0, 0
	for _, f := range grownFDs(before, after) {
		if f.target == splicePipe && spliced < fdSplicePipes {
			spliced++
			continue
		}
		if under(f.target, filepath.Join(root, "containers")) && slices.ContainsFunc(running, func(id string) bool {
			return under(f.target, filepath.Join(root, "containers", id))
		}) {
			continue // a running container's log
		}
		counted++
		desc := fmt.Sprintf("fd %d: %s", f.fd, f.target)
		extra = append(extra, desc)
		if under(f.target, root) {
			problems = append(problems, "file under the data root still open: "+desc)
		}
	}
	if counted > limit {
		problems = append(problems, fmt.Sprintf("%d descriptors more than after start (%d -> %d; tolerance %d + %d per running container, %d running):\n\t%s",
			counted, len(before.fds), len(after.fds), fdTolerance, fdPerRunning, len(running), strings.Join(extra, "\n\t")))
	}
	return problems
}

// under reports whether path is dir or inside it.
func under(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// assertNoFDLeaks compares the open files of the running daemon with what
// it held right after its last start, allowing for the containers still
// running; it polls for up to fdSettle before it reports which
// descriptors grew. A daemon the test stopped is not checked.
func (d *daemon) assertNoFDLeaks() {
	d.t.Helper()
	if d.cmd == nil || d.fdBase.pid == 0 || d.fdBase.pid != d.cmd.Process.Pid {
		return
	}
	var problems []string
	for deadline := time.Now().Add(fdSettle); ; time.Sleep(100 * time.Millisecond) {
		running, err := d.runningContainers()
		if err != nil {
			d.t.Logf("fd check skipped: listing the running containers: %v", err)
			return
		}
		after := d.openFDs()
		if problems = fdProblems(d.fdBase, after, d.root, running); len(problems) == 0 {
			d.t.Logf("bolsillod descriptors: %d after start, %d at the end with %d containers running; new: %v",
				len(d.fdBase.fds), len(after.fds), len(running), grownFDs(d.fdBase, after))
			return
		}
		if time.Now().After(deadline) {
			break
		}
	}
	for _, p := range problems {
		d.t.Errorf("bolsillod (pid %d) leaks descriptors: %s", d.fdBase.pid, p)
	}
}

// runningContainers asks the daemon's API for the IDs of its running
// containers, over a connection that is closed before it returns.
func (d *daemon) runningContainers() ([]string, error) {
	client := &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{
			DisableKeepAlives: true,
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var dialer net.Dialer
				return dialer.DialContext(ctx, "unix", d.sock)
			},
		},
	}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://bolsillod/containers/json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /containers/json: %s", resp.Status)
	}
	var list []struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(list))
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	return ids, nil
}

// cgroupProcs lists the processes in dir, a cgroup, and in the cgroups
// below it, each with its command line.
func cgroupProcs(dir string) []string {
	var procs []string
	_ = filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || !e.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(filepath.Join(path, "cgroup.procs"))
		for _, pid := range strings.Fields(string(b)) {
			cmdline, _ := os.ReadFile("/proc/" + pid + "/cmdline")
			procs = append(procs, fmt.Sprintf("%s (%s) in %s", pid, strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " ")), path))
		}
		return nil
	})
	return procs
}

// assertGoneDevices checks that none of the network devices was left:
// they were the ports of the daemon's bridge before it stopped.
func (d *daemon) assertGoneDevices(devices []string) {
	d.t.Helper()
	for _, dev := range devices {
		if _, err := os.Stat(filepath.Join("/sys/class/net", dev)); err == nil {
			d.t.Errorf("network device %s (a port of bridge %s) left behind", dev, d.bridgeName())
		}
	}
}

func TestFDProblems(t *testing.T) {
	const root = "/tmp/e2e/root"
	snap := func(targets ...string) fdSnapshot {
		s := fdSnapshot{pid: 1}
		for i, target := range targets {
			s.fds = append(s.fds, openFD{fd: i, target: target})
		}
		return s
	}
	base := []string{"/dev/null", "pipe", "socket unix " + "/tmp/e2e/api.sock", root + "/bolsillod.lock"}
	many := func(n int, target string) []string { return slices.Repeat([]string{target}, n) }
	log := root + "/containers/abc/abc-json.log"
	tests := []struct {
		name    string
		after   []string
		running []string
		want    []string // a piece of each problem, in order
	}{
		{"the same", base, nil, nil},
		{"fewer", base[:2], nil, nil},
		{"libcontainer's handles and a closing connection", append(slices.Clone(base), "/", "/sys/fs/cgroup", "socket"), nil, nil},
		{"a failed start's exec fifo", append(slices.Clone(base), root+"/runtime/abc/exec.fifo (deleted)"), nil,
			[]string{"file under the data root still open: fd 4: " + root + "/runtime/abc/exec.fifo (deleted)"}},
		{"a removed container's log", append(slices.Clone(base), log), nil, []string{"file under the data root"}},
		{"a running container's log and pipes", append(slices.Clone(base), log, "pipe", "pipe", "anon_inode:[pidfd]"), []string{"abc"}, nil},
		{"another container's log", append(slices.Clone(base), log), []string{"abd"}, []string{"file under the data root"}},
		{"a socket per request", append(slices.Clone(base), many(fdTolerance+1, "socket tcp 127.0.0.1:5000->127.0.0.1:4000")...), nil,
			[]string{fmt.Sprintf("%d descriptors more than after start", fdTolerance+1)}},
		{"the tolerance exactly", append(slices.Clone(base), many(fdTolerance, "socket")...), nil, nil},
		{"splice pipes of a proxy", append(slices.Clone(base), many(fdSplicePipes, splicePipe)...), nil, nil},
		{"more splice pipes than a pool holds", append(slices.Clone(base), many(fdSplicePipes+fdTolerance+1, splicePipe)...), nil,
			[]string{"descriptors more than after start"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fdProblems(snap(base...), snap(tt.after...), root, tt.running)
			if len(got) != len(tt.want) {
				t.Fatalf("fdProblems = %q, want %d problems like %q", got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.Contains(got[i], tt.want[i]) {
					t.Errorf("problem %d = %q, want it to say %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestHexAddr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0100007F:1388", "127.0.0.1:5000"},
		{"00000000:0050", "0.0.0.0:80"},
		{"00000000000000000000000001000000:0016", "[00000000000000000000000001000000]:22"},
		{"nonsense", "nonsense"},
	}
	for _, tt := range tests {
		if got := hexAddr(tt.in); got != tt.want {
			t.Errorf("hexAddr(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
