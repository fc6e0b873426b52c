package cli

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// What a container sends back with `cp CTR:SRC DST` never reaches outside
// DST: not by a name with "..", not through a symlink it made first.
func TestLocalUntarStaysInside(t *testing.T) {
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	type entry struct {
		name, link string
		typ        byte
	}
	tests := []struct {
		name    string
		entries []entry
		wantErr bool
	}{
		{"dotdot", []entry{{name: "top/", typ: tar.TypeDir}, {name: "top/../../fuera", typ: tar.TypeReg}}, true},
		{"absolute", []entry{{name: "/fuera", typ: tar.TypeReg}}, true},
		{"symlink then dir", []entry{{name: "top/", typ: tar.TypeDir}, {name: "top/a", link: "OUTSIDE", typ: tar.TypeSymlink}, {name: "top/a/", typ: tar.TypeDir}}, false},
		{"symlink then file under it", []entry{{name: "top/", typ: tar.TypeDir}, {name: "top/a", link: "OUTSIDE", typ: tar.TypeSymlink}, {name: "top/a/f", typ: tar.TypeReg}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			outside := filepath.Join(base, "outside")
			if err := os.Mkdir(outside, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(outside, old, old); err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(base, "dst")
			if err := os.Mkdir(dst, 0o755); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			tw := tar.NewWriter(&buf)
			for _, e := range tt.entries {
				link := e.link
				if link == "OUTSIDE" {
					link = outside
				}
				hdr := &tar.Header{Name: e.name, Linkname: link, Typeflag: e.typ, Mode: 0o755, ModTime: time.Now()}
				if e.typ == tar.TypeReg {
					hdr.Size = 2
				}
				if err := tw.WriteHeader(hdr); err != nil {
					t.Fatal(err)
				}
				if e.typ == tar.TypeReg {
					tw.Write([]byte("hi"))
				}
			}
			tw.Close()
			err := localUntar(&buf, dst, "copia", false)
			if (err != nil) != tt.wantErr {
				t.Fatalf("localUntar: %v, want error %v", err, tt.wantErr)
			}
			ents, _ := os.ReadDir(outside)
			fi, _ := os.Stat(outside)
			if len(ents) > 0 || !fi.ModTime().Equal(old) {
				t.Errorf("the directory outside was touched: %d entries, mtime %v", len(ents), fi.ModTime())
			}
			if _, err := os.Stat(filepath.Join(base, "fuera")); err == nil {
				t.Error("a file was written outside the destination")
			}
		})
	}
}
