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
		spec     string
		groupAdd []string
		want     execUser
		wantErr  string
	}{
		// The primary group comes first among the supplementary ones.
		{"", nil, execUser{UID: 0, GID: 0, AdditionalGIDs: []uint32{0}}, ""},
		{"root", nil, execUser{UID: 0, GID: 0, AdditionalGIDs: []uint32{0}}, ""},
		{"estudiante", nil, execUser{UID: 1000, GID: 1000, AdditionalGIDs: []uint32{1000, 2000}}, ""},
		{"1000", nil, execUser{UID: 1000, GID: 1000, AdditionalGIDs: []uint32{1000, 2000}}, ""},
		{"nobody", nil, execUser{UID: 65534, GID: 65534, AdditionalGIDs: []uint32{65534}}, ""},
		{"1234", nil, execUser{UID: 1234, GID: 0, AdditionalGIDs: []uint32{0}}, ""},
		{"1234:5678", nil, execUser{UID: 1234, GID: 5678, AdditionalGIDs: []uint32{5678}}, ""},
		{"estudiante:alumnos", nil, execUser{UID: 1000, GID: 2000, AdditionalGIDs: []uint32{2000}}, ""},
		{"estudiante:0", nil, execUser{UID: 1000, GID: 0, AdditionalGIDs: []uint32{0}}, ""},
		// --group-add: names and GIDs, sorted after the user's own.
		{"nobody", []string{"alumnos", "10"}, execUser{UID: 65534, GID: 65534, AdditionalGIDs: []uint32{65534, 10, 2000}}, ""},
		{"", []string{"4321"}, execUser{UID: 0, GID: 0, AdditionalGIDs: []uint32{0, 4321}}, ""},
		// Docker's messages, once.
		{"nadie", nil, execUser{}, "unable to find user nadie: no matching entries in passwd file"},
		{"estudiante:nadie", nil, execUser{}, "unable to find group nadie: no matching entries in group file"},
		{"nobody", []string{"profes"}, execUser{}, "unable to find group profes: no matching entries in group file"},
	}
	for _, tt := range tests {
		got, err := resolveUser(rootfs, tt.spec, tt.groupAdd)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("resolveUser(%q, %q) error = %v, want %q", tt.spec, tt.groupAdd, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("resolveUser(%q, %q) error = %v", tt.spec, tt.groupAdd, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("resolveUser(%q, %q) = %+v, want %+v", tt.spec, tt.groupAdd, got, tt.want)
		}
	}
}

func TestResolveUserWithoutPasswd(t *testing.T) {
	rootfs := t.TempDir()
	want := execUser{UID: 1000, GID: 1000, AdditionalGIDs: []uint32{1000, 5}}
	if got, err := resolveUser(rootfs, "1000:1000", []string{"5"}); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf(`resolveUser("1000:1000", ["5"]) = %+v, %v, want %+v, nil`, got, err, want)
	}
	if _, err := resolveUser(rootfs, "estudiante", nil); err == nil {
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
	if _, err := resolveUser(rootfs, "root", nil); err == nil {
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
