// Package golden compares what a test produced with a file kept under the
// package's testdata/, and rewrites the file instead when the tests run
// with -update:
//
//	go test ./explain -update
//
// It is imported only by tests.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ instead of comparing with them")

// Update reports whether the run asked for the golden files to be rewritten.
func Update() bool { return *update }

// Path is testdata/<name>.golden, the file of a test (or subtest) name.
func Path(name string) string {
	return filepath.Join("testdata", filepath.FromSlash(name)+".golden")
}

// Assert compares got with the file at path, or writes got there with
// -update. A difference fails the test and shows both.
func Assert(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run the tests with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run the tests with -update to accept it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// AssertString is Assert for text, at the file of the test's own name.
func AssertString(t testing.TB, got string) {
	t.Helper()
	Assert(t, Path(t.Name()), []byte(got))
}

// FlatPath is Path with subtest separators turned into underscores, for
// packages that keep their golden files in one directory.
func FlatPath(name string) string {
	return Path(strings.ReplaceAll(name, "/", "_"))
}
