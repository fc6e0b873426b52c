package layer

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"bolsillo/internal/fuzztar"
)

// FuzzUnpack: no layer tar, however built (names climbing with "..",
// absolute names, symlinks and hardlinks pointing out, entries through
// symlinks, device nodes, whiteouts, headers announcing more than they
// hold), makes Unpack write outside its store, and a failed unpack leaves
// nothing in the store. The input is a fuzztar spec; seeds are in
// testdata/fuzz/FuzzUnpack.
func FuzzUnpack(f *testing.F) {
	f.Add("d etc\nf etc/hostname box\nl etc/mtab /proc/mounts\nh etc/hn etc/hostname\nf .wh.gone\nf etc/.wh..wh..opq")
	f.Fuzz(func(t *testing.T, spec string) {
		base := t.TempDir()
		outside, err := fuzztar.Sandbox(base)
		if err != nil {
			t.Fatal(err)
		}
		root := filepath.Join(base, "store")
		s, err := NewStore(root)
		if err != nil {
			t.Fatal(err)
		}
		// The layer is unpacked in store/.tmp-unpack-*/diff: three levels
		// below base.
		data := fuzztar.Build(spec, fuzztar.Options{Outside: outside, Up: 3})
		before, err := fuzztar.Snapshot(base, root)
		if err != nil {
			t.Fatal(err)
		}
		diffID, _, unpackErr := s.Unpack(bytes.NewReader(data))
		after, err := fuzztar.Snapshot(base, root)
		if err != nil {
			t.Fatal(err)
		}
		if d := fuzztar.Diff(before, after); len(d) > 0 {
			t.Fatalf("Unpack wrote outside its store (err %v):\n%v", unpackErr, d)
		}
		entries, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() == linksDir || (unpackErr == nil && e.Name() == diffID.Encoded()) {
				continue
			}
			t.Errorf("store holds %s after Unpack (err %v)", e.Name(), unpackErr)
		}
	})
}
