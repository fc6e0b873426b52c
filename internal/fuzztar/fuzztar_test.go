package fuzztar

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestTarget(t *testing.T) {
	o := Options{Outside: "/sandbox/outside", Up: 2}
	tests := []struct{ name, target, want string }{
		{"a", "/etc/passwd", "/sandbox/outside/etc/passwd"},
		{"a", "/", "/sandbox/outside"},
		{"a", "../../x", "../../x"},
		{"a", "../../../../../etc", "../../etc"},
		{"d/e/a", "../../../../../etc", "../../../../etc"},
		{"a", "b/../../../..", "../.."},
		{"a", "x/y", "x/y"},
		{"a", "", ""},
	}
	for _, tt := range tests {
		if got := o.target(tt.name, tt.target); got != tt.want {
			t.Errorf("target(%q, %q) = %q, want %q", tt.name, tt.target, got, tt.want)
		}
	}
}

func TestBuild(t *testing.T) {
	spec := "d a 0700\nf a/b hola mundo\nl a/c /etc\nh a/d a/b\nc null\nx e user.k=v\nzz ignored\nH big 10"
	tr := tar.NewReader(bytes.NewReader(Build(spec, Options{Outside: "/o"})))
	var got []string
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatal(err)
		}
		got = append(got, string(hdr.Typeflag)+" "+hdr.Name+" "+hdr.Linkname+" "+string(body)+" "+hdr.PAXRecords["SCHILY.xattr.user.k"])
	}
	want := []string{"5 a   ", "0 a/b  hola mundo ", "2 a/c /o/etc  ", "1 a/d a/b  ", "3 null   ", "0 e   v", "0 big   "}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries:\n%q\nwant\n%q", got, want)
	}
}

func TestSnapshot(t *testing.T) {
	base := t.TempDir()
	outside, err := Sandbox(base)
	if err != nil {
		t.Fatal(err)
	}
	skip := filepath.Join(base, "work")
	if err := os.Mkdir(skip, 0o755); err != nil {
		t.Fatal(err)
	}
	before, err := Snapshot(base, skip)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(skip, "inside"), []byte("ok"), 0o644)
	os.WriteFile(filepath.Join(outside, "victim"), []byte("pwned"), 0o644)
	os.WriteFile(filepath.Join(base, "new"), nil, 0o644)
	after, err := Snapshot(base, skip)
	if err != nil {
		t.Fatal(err)
	}
	d := Diff(before, after)
	want := []string{"changed " + filepath.Join(outside, "victim") + ":", "changed " + base + ":", "created " + filepath.Join(base, "new")}
	if len(d) != len(want) {
		t.Fatalf("Diff = %q", d)
	}
	for i := range want {
		if !strings.HasPrefix(d[i], want[i]) {
			t.Errorf("Diff[%d] = %q, want %q...", i, d[i], want[i])
		}
	}
}
