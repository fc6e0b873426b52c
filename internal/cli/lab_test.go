package cli

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// fakeBusybox writes a stand-in busybox binary and returns its path.
func fakeBusybox(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "busybox")
	if err := os.WriteFile(p, []byte("\x7fELF not really"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func readTar(t *testing.T, data []byte) (map[string]*tar.Header, map[string]string, []string) {
	t.Helper()
	hdrs := map[string]*tar.Header{}
	contents := map[string]string{}
	var order []string
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		hdrs[h.Name] = h
		contents[h.Name] = string(b)
		order = append(order, h.Name)
	}
	return hdrs, contents, order
}

func TestLabRootfs(t *testing.T) {
	bb := fakeBusybox(t)
	applets := []string{"bin/sh", "usr/bin/wc", "sbin/init", "usr/sbin/chroot", "bin/busybox", "usr/local/bin/extra"}
	var first, second bytes.Buffer
	if _, err := (rootfs{busybox: bb, applets: applets}).WriteTo(&first); err != nil {
		t.Fatal(err)
	}
	if _, err := (rootfs{busybox: bb, applets: applets}).WriteTo(&second); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Error("two writes of the same rootfs differ; the tar must be deterministic")
	}
	hdrs, contents, order := readTar(t, first.Bytes())
	for i := 1; i < len(order); i++ {
		if order[i-1] >= order[i] {
			t.Errorf("entries not sorted: %q before %q", order[i-1], order[i])
		}
	}
	wantLinks := map[string]string{
		"bin/sh":              "busybox",
		"usr/bin/wc":          "../../bin/busybox",
		"sbin/init":           "../bin/busybox",
		"usr/sbin/chroot":     "../../bin/busybox",
		"usr/local/bin/extra": "../../../bin/busybox",
	}
	for name, want := range wantLinks {
		h, ok := hdrs[name]
		if !ok {
			t.Errorf("missing link %s", name)
			continue
		}
		if h.Typeflag != tar.TypeSymlink || h.Linkname != want {
			t.Errorf("%s = type %c -> %q, want symlink -> %q", name, h.Typeflag, h.Linkname, want)
		}
		if resolved := path.Join(path.Dir(name), h.Linkname); resolved != "bin/busybox" {
			t.Errorf("%s resolves to %q, want bin/busybox", name, resolved)
		}
	}
	if h := hdrs["bin/busybox"]; h == nil || h.Typeflag != tar.TypeReg || h.Mode != 0o755 {
		t.Errorf("bin/busybox header = %+v, want a 0755 regular file", h)
	} else if contents["bin/busybox"] != "\x7fELF not really" {
		t.Errorf("bin/busybox content = %q", contents["bin/busybox"])
	}
	dirs := map[string]struct {
		mode     int64
		uid, gid int
	}{
		"bin/": {0o755, 0, 0}, "sbin/": {0o755, 0, 0}, "usr/bin/": {0o755, 0, 0}, "usr/sbin/": {0o755, 0, 0},
		"etc/": {0o755, 0, 0}, "tmp/": {0o1777, 0, 0}, "root/": {0o700, 0, 0},
		"home/estudiante/": {0o755, 1000, 1000}, "proc/": {0o755, 0, 0}, "sys/": {0o755, 0, 0},
		"dev/": {0o755, 0, 0}, "var/": {0o755, 0, 0}, "usr/local/bin/": {0o755, 0, 0},
	}
	for name, want := range dirs {
		h := hdrs[name]
		if h == nil || h.Typeflag != tar.TypeDir {
			t.Errorf("missing directory %s", name)
			continue
		}
		if h.Mode != want.mode || h.Uid != want.uid || h.Gid != want.gid {
			t.Errorf("%s = mode %o uid %d gid %d, want mode %o uid %d gid %d", name, h.Mode, h.Uid, h.Gid, want.mode, want.uid, want.gid)
		}
	}
	for name, h := range hdrs {
		if !h.ModTime.Equal(rootfsMtime) {
			t.Errorf("%s mtime = %v, want %v", name, h.ModTime, rootfsMtime)
		}
	}
	if _, ok := hdrs["etc/hostname"]; ok {
		t.Error("rootfs has etc/hostname, want none")
	}
	for _, want := range []string{"root:x:0:0:root:/root:/bin/sh\n", "nobody:x:65534:65534:", "estudiante:x:1000:1000:estudiante:/home/estudiante:/bin/sh\n"} {
		if !strings.Contains(contents["etc/passwd"], want) {
			t.Errorf("etc/passwd = %q, want it to contain %q", contents["etc/passwd"], want)
		}
	}
	for _, want := range []string{"root:x:0:\n", "nogroup:x:65534:\n", "estudiante:x:1000:\n"} {
		if !strings.Contains(contents["etc/group"], want) {
			t.Errorf("etc/group = %q, want it to contain %q", contents["etc/group"], want)
		}
	}
}

func TestRelativeTarget(t *testing.T) {
	tests := []struct{ link, want string }{
		{"bin/sh", "busybox"},
		{"sbin/ifconfig", "../bin/busybox"},
		{"usr/bin/wc", "../../bin/busybox"},
		{"linuxrc", "bin/busybox"},
	}
	for _, tt := range tests {
		if got := relativeTarget(tt.link, "bin/busybox"); got != tt.want {
			t.Errorf("relativeTarget(%q) = %q, want %q", tt.link, got, tt.want)
		}
	}
}

func TestFindBusybox(t *testing.T) {
	if _, err := findBusybox(fakeBusybox(t)); err == nil {
		t.Error("findBusybox(not an ELF) = nil error, want one")
	}
	_, err := findBusybox(filepath.Join(t.TempDir(), "missing"))
	if err == nil || !strings.Contains(errHint(err), "busybox-static") {
		t.Errorf("findBusybox(missing) error = %v, want a hint about busybox-static", err)
	}
	// A dynamically linked ELF (the test binary itself usually is not
	// static, /bin/ls always is dynamic on Debian) must be refused.
	if _, err := os.Stat("/bin/ls"); err == nil {
		if err := checkStatic("/bin/ls"); err == nil {
			t.Error("checkStatic(/bin/ls) = nil, want dynamically linked error")
		}
	}
}

func errHint(err error) string {
	if he, ok := err.(hintedError); ok {
		return he.hint
	}
	return ""
}
