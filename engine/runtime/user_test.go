package runtime

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestResolveUser(t *testing.T) {
	rootfs := newRootfs(t)
	tests := []struct {
		spec    string
		want    execUser
		wantErr bool
	}{
		{"", execUser{UID: 0, GID: 0}, false},
		{"root", execUser{UID: 0, GID: 0}, false},
		{"estudiante", execUser{UID: 1000, GID: 1000, AdditionalGIDs: []uint32{2000}}, false},
		{"1000", execUser{UID: 1000, GID: 1000, AdditionalGIDs: []uint32{2000}}, false},
		{"nobody", execUser{UID: 65534, GID: 65534}, false},
		{"1234", execUser{UID: 1234, GID: 0}, false},
		{"1234:5678", execUser{UID: 1234, GID: 5678}, false},
		{"estudiante:alumnos", execUser{UID: 1000, GID: 2000}, false},
		{"estudiante:0", execUser{UID: 1000, GID: 0}, false},
		{"nadie", execUser{}, true},
		{"estudiante:nadie", execUser{}, true},
	}
	for _, tt := range tests {
		got, err := resolveUser(rootfs, tt.spec)
		if (err != nil) != tt.wantErr {
			t.Errorf("resolveUser(%q) error = %v, want error %t", tt.spec, err, tt.wantErr)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("resolveUser(%q) = %+v, want %+v", tt.spec, got, tt.want)
		}
	}
}

func TestResolveUserWithoutPasswd(t *testing.T) {
	rootfs := t.TempDir()
	if got, err := resolveUser(rootfs, "1000:1000"); err != nil || !reflect.DeepEqual(got, execUser{UID: 1000, GID: 1000}) {
		t.Errorf(`resolveUser("1000:1000") = %+v, %v, want {1000 1000}, nil`, got, err)
	}
	if _, err := resolveUser(rootfs, "estudiante"); err == nil {
		t.Error(`resolveUser("estudiante") without /etc/passwd: error = nil, want an error`)
	}
}

func TestResolveUserSymlinkStaysInRootfs(t *testing.T) {
	rootfs := t.TempDir()
	if err := os.MkdirAll(filepath.Join(rootfs, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	// An image may point /etc/passwd anywhere; it must resolve inside rootfs,
	// never to the host's /etc/passwd.
	if err := os.Symlink("/../../../../../../etc/passwd", filepath.Join(rootfs, "etc/passwd")); err != nil {
		t.Fatal(err)
	}
	if _, err := resolveUser(rootfs, "root"); err == nil {
		t.Error(`resolveUser("root") through an escaping symlink: error = nil, want an error`)
	}
}

func TestPrepareCwd(t *testing.T) {
	rootfs := t.TempDir()
	if err := os.WriteFile(filepath.Join(rootfs, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/../../..", filepath.Join(rootfs, "escape")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		cwd     string
		want    string // directory that must exist afterwards
		wantErr bool
	}{
		{"/", rootfs, false},
		{"/app/src", filepath.Join(rootfs, "app/src"), false},
		{"/escape/creado", filepath.Join(rootfs, "creado"), false},
		{"/file/sub", "", true},
	}
	for _, tt := range tests {
		err := prepareCwd(rootfs, tt.cwd)
		if (err != nil) != tt.wantErr {
			t.Errorf("prepareCwd(%q) error = %v, want error %t", tt.cwd, err, tt.wantErr)
			continue
		}
		if tt.want == "" {
			continue
		}
		if fi, err := os.Stat(tt.want); err != nil || !fi.IsDir() {
			t.Errorf("after prepareCwd(%q): Stat(%s) = %v, %v, want a directory", tt.cwd, tt.want, fi, err)
		}
	}
}
