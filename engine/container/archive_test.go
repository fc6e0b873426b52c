package container

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// newRoot makes a container root with /etc/passwd, /www/index.html, a
// relative and an absolute symlink inside, and symlinks that point out of
// the root, which must stay inside it.
func newRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range map[string]string{
		"etc/passwd":     "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/www:/bin/sh\n",
		"etc/group":      "root:x:0:\nwww:x:33:\n",
		"www/index.html": "hola\n",
	} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"web":     "/www",
		"rel":     "www/index.html",
		"escape":  "../../../../../etc",
		"hostetc": "/etc/../../etc",
		"www/up":  "../..",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestStatPath(t *testing.T) {
	root := newRoot(t)
	tests := []struct {
		path           string
		wantName       string
		wantDir        bool
		wantLinkTarget string
		wantErr        error
	}{
		{"/etc/passwd", "passwd", false, "", nil},
		{"www", "www", true, "", nil},
		{"/www/", "www", true, "", nil},
		{"/web", "web", false, "/www", nil},
		{"/web/index.html", "index.html", false, "", nil},
		{"/rel", "rel", false, "/www/index.html", nil},
		{"/escape", "escape", false, "/etc", nil},
		{"/escape/passwd", "passwd", false, "", nil},
		{"/../../etc/passwd", "passwd", false, "", nil},
		{"/www/up/etc/group", "group", false, "", nil},
		{"/nada", "", false, "", fs.ErrNotExist},
		{"/etc/passwd/", "", false, "", errors.New("not a directory")},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resolved, abs, err := resolvePath(root, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(resolved, root+"/") {
				t.Fatalf("resolvePath(%q) = %q, outside %s", tt.path, resolved, root)
			}
			st, err := statPath(root, resolved, abs)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("statPath(%q) = %+v, want error %v", tt.path, st, tt.wantErr)
				}
				if errors.Is(tt.wantErr, fs.ErrNotExist) && !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("statPath(%q) error = %v, want not exist", tt.path, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.Name != tt.wantName || st.Mode.IsDir() != tt.wantDir || st.LinkTarget != tt.wantLinkTarget {
				t.Errorf("statPath(%q) = {%s dir=%v link=%q}, want {%s dir=%v link=%q}",
					tt.path, st.Name, st.Mode.IsDir(), st.LinkTarget, tt.wantName, tt.wantDir, tt.wantLinkTarget)
			}
		})
	}
}

func TestWriteTar(t *testing.T) {
	root := newRoot(t)
	tests := []struct {
		path, rebase string
		want         []string
	}{
		{"/www", "www", []string{"www/", "www/index.html", "www/up"}},
		{"/etc/passwd", "passwd", []string{"passwd"}},
		{"/web", "web", []string{"web"}}, // the link itself, not followed
		{"/www", "sitio", []string{"sitio/", "sitio/index.html", "sitio/up"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resolved, _, err := resolvePath(root, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := writeTar(&buf, resolved, tt.rebase); err != nil {
				t.Fatal(err)
			}
			if got := tarNames(t, &buf); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("entries = %v, want %v", got, tt.want)
			}
		})
	}
}

func tarNames(t *testing.T, r io.Reader) []string {
	t.Helper()
	var names []string
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, hdr.Name)
	}
}

// entry is one tar entry for makeTar: a name ending in "/" is a directory,
// one with "->" a symlink, "=>" a hardlink, anything else a file.
func makeTar(t *testing.T, entries ...string) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e, Mode: 0o644, Typeflag: tar.TypeReg, Uid: 33, Gid: 33}
		body := ""
		switch {
		case strings.Contains(e, "->"):
			name, target, _ := strings.Cut(e, "->")
			hdr.Name, hdr.Linkname, hdr.Typeflag = name, target, tar.TypeSymlink
		case strings.Contains(e, "=>"):
			name, target, _ := strings.Cut(e, "=>")
			hdr.Name, hdr.Linkname, hdr.Typeflag = name, target, tar.TypeLink
		case strings.HasSuffix(e, "/"):
			hdr.Typeflag, hdr.Mode = tar.TypeDir, 0o755
		default:
			body = "contenido de " + e
			hdr.Size = int64(len(body))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestExtractTar(t *testing.T) {
	tests := []struct {
		name        string
		dest        string
		entries     []string
		noOverwrite bool
		wantFiles   map[string]string // path under root -> content
		wantErr     string
	}{
		{
			name:      "file and directory",
			dest:      "/www",
			entries:   []string{"nuevo/", "nuevo/a.txt", "b.txt"},
			wantFiles: map[string]string{"www/nuevo/a.txt": "contenido de nuevo/a.txt", "www/b.txt": "contenido de b.txt"},
		},
		{
			name:      "replaces a file",
			dest:      "/www",
			entries:   []string{"index.html"},
			wantFiles: map[string]string{"www/index.html": "contenido de index.html"},
		},
		{
			name:    "dot-dot is refused",
			dest:    "/www",
			entries: []string{"../../../../tmp/fuera"},
			wantErr: "is outside of",
		},
		{
			name:      "symlink in the container pointing out stays inside",
			dest:      "/",
			entries:   []string{"escape/robado"},
			wantFiles: map[string]string{"etc/robado": "contenido de escape/robado"},
		},
		{
			name:      "a symlink entry then a file through it stays inside",
			dest:      "/www",
			entries:   []string{"salida->/../../../../tmp", "salida/robado"},
			wantFiles: map[string]string{"tmp/robado": "contenido de salida/robado"},
		},
		{
			name:      "hardlink inside",
			dest:      "/www",
			entries:   []string{"a.txt", "b.txt=>a.txt"},
			wantFiles: map[string]string{"www/b.txt": "contenido de a.txt"},
		},
		{
			name:    "hardlink out is refused",
			dest:    "/www",
			entries: []string{"b.txt=>../../../../etc/shadow"},
			wantErr: "is outside of",
		},
		{
			name:        "noOverwriteDirNonDir: file over directory",
			dest:        "/",
			entries:     []string{"www"},
			noOverwrite: true,
			wantErr:     `cannot overwrite directory "/www" with non-directory "www"`,
		},
		{
			name:        "noOverwriteDirNonDir: directory over file",
			dest:        "/etc",
			entries:     []string{"passwd/"},
			noOverwrite: true,
			wantErr:     `cannot overwrite non-directory "/etc/passwd" with directory "passwd/"`,
		},
		{
			name:      "without noOverwriteDirNonDir a file replaces a directory",
			dest:      "/",
			entries:   []string{"www"},
			wantFiles: map[string]string{"www": "contenido de www"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := newRoot(t)
			err := extractTar(makeTar(t, tt.entries...), root, tt.dest, extractOptions{NoOverwriteDirNonDir: tt.noOverwrite})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("extractTar error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for p, want := range tt.wantFiles {
				got, err := os.ReadFile(filepath.Join(root, p))
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != want {
					t.Errorf("%s = %q, want %q", p, got, want)
				}
			}
			for _, host := range []string{"/tmp/robado", "/etc/robado", "/tmp/fuera"} {
				if _, err := os.Lstat(host); err == nil {
					t.Errorf("%s was written on the host, outside the container's root", host)
				}
			}
		})
	}
}

func TestExtractOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown needs root")
	}
	root := newRoot(t)
	tests := []struct {
		user    string
		copyUID bool
		wantUID int
	}{
		{"", false, 33}, // the tar's owner
		{"", true, 0},   // the container's user: root
		{"www", true, 33},
	}
	for _, tt := range tests {
		opts := extractOptions{}
		if tt.copyUID {
			owner, err := containerUser(root, tt.user)
			if err != nil {
				t.Fatal(err)
			}
			opts.Owner = &owner
		}
		if err := extractTar(makeTar(t, "owned.txt"), root, "/", opts); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(filepath.Join(root, "owned.txt"))
		if err != nil {
			t.Fatal(err)
		}
		if got := fileUID(fi); got != tt.wantUID {
			t.Errorf("user %q copyUIDGID=%v: uid = %d, want %d", tt.user, tt.copyUID, got, tt.wantUID)
		}
	}
}

func fileUID(fi fs.FileInfo) int {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return -1
	}
	return int(st.Uid)
}
