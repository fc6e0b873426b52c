package volume

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"bolsillo/engine/errdefs"
)

func TestStoreLifecycle(t *testing.T) {
	root := t.TempDir()
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	v, created, err := s.Create(CreateOptions{Name: "datos", Labels: map[string]string{"curso": "docker"}})
	if err != nil || !created {
		t.Fatalf("Create = %v, %v", created, err)
	}
	if got, want := v.Mountpoint(), filepath.Join(root, "datos", "_data"); got != want {
		t.Errorf("Mountpoint = %s, want %s", got, want)
	}
	if _, created, err := s.Create(CreateOptions{Name: "datos"}); err != nil || created {
		t.Errorf("second Create = %v, %v; want the existing volume", created, err)
	}
	anon, _, err := s.Create(CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(anon.Name) != 64 || !anon.Anonymous() || v.Anonymous() {
		t.Errorf("anonymous = %q (%v), named anonymous = %v", anon.Name, anon.Anonymous(), v.Anonymous())
	}
	if err := os.WriteFile(filepath.Join(v.Mountpoint(), "f"), []byte("hola"), 0o644); err != nil {
		t.Fatal(err)
	}

	// A reopened store sees the same volumes.
	s2, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range s2.List() {
		names = append(names, v.Name)
	}
	// List sorts by name; the anonymous volume's random hex name may come
	// before or after "datos".
	want := []string{anon.Name, "datos"}
	sort.Strings(want)
	if !reflect.DeepEqual(names, want) {
		t.Errorf("List = %v, want %v", names, want)
	}
	if got, _ := s2.Get("datos"); got.Labels["curso"] != "docker" {
		t.Errorf("labels after reopen = %v", got.Labels)
	}

	s2.Acquire("datos", "c1")
	err = s2.Remove("datos")
	var inUse *InUseError
	if !errors.As(err, &inUse) || errdefs.KindOf(err) != errdefs.KindConflict {
		t.Fatalf("Remove in use = %v, want a conflict", err)
	}
	if got, want := err.Error(), "remove datos: volume is in use - [c1]"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	s2.Release("datos", "c1")
	if err := s2.Remove("datos"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "datos")); !os.IsNotExist(err) {
		t.Errorf("volume dir still there: %v", err)
	}
	if err := s2.Remove("datos"); !errdefs.IsNotFound(err) {
		t.Errorf("Remove of a removed volume = %v, want not found", err)
	}
}

func TestCreateRejects(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		opts CreateOptions
		kind errdefs.Kind
	}{
		{CreateOptions{Name: "a/b"}, errdefs.KindInvalidParameter},
		{CreateOptions{Name: "x"}, errdefs.KindInvalidParameter}, // Docker wants two characters at least
		{CreateOptions{Name: "ok", Driver: "nfs"}, errdefs.KindNotFound},
		{CreateOptions{Name: "ok", DriverOpts: map[string]string{"foo": "1"}}, errdefs.KindInvalidParameter},
		{CreateOptions{Name: "ok", DriverOpts: map[string]string{"type": "tmpfs"}}, errdefs.KindNotImplemented},
	}
	for _, tt := range tests {
		_, _, err := s.Create(tt.opts)
		if got := errdefs.KindOf(err); got != tt.kind {
			t.Errorf("Create(%+v) = %v (kind %v), want kind %v", tt.opts, err, got, tt.kind)
		}
	}
	if len(s.List()) != 0 {
		t.Errorf("a refused create left %d volumes", len(s.List()))
	}
}

func TestOpenRemovesUnfinishedCreates(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "medio", "_data"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.List()) != 0 {
		t.Errorf("List = %v, want empty", s.List())
	}
	if _, err := os.Stat(filepath.Join(root, "medio")); !os.IsNotExist(err) {
		t.Errorf("unfinished volume dir kept: %v", err)
	}
}

func TestPrune(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	named, _, _ := s.Create(CreateOptions{Name: "datos"})
	used, _, _ := s.Create(CreateOptions{})
	free, _, _ := s.Create(CreateOptions{})
	s.Acquire(used.Name, "c1")
	if err := os.WriteFile(filepath.Join(free.Mountpoint(), "f"), make([]byte, 100), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Prune(func(v *Volume) bool { return v.Anonymous() })
	if err != nil {
		t.Fatal(err)
	}
	if want := (PruneReport{Removed: []string{free.Name}, SpaceReclaimed: 100}); !reflect.DeepEqual(rep, want) {
		t.Errorf("Prune = %+v, want %+v", rep, want)
	}
	rep, err = s.Prune(func(*Volume) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{named.Name}; !reflect.DeepEqual(rep.Removed, want) {
		t.Errorf("Prune all = %v, want %v (the used one stays)", rep.Removed, want)
	}
}
