// Package volume keeps the daemon's volumes: directories that live outside
// every container's layers, so their data survives the containers that use
// them.
//
// A volume lives in <root>/<name>/ as _data (the directory bound into
// containers, Docker's "Mountpoint") and volume.json (its record). The
// record is written last and atomically: a directory without it is a create
// that never finished, removed when the store is opened.
//
// Only Docker's "local" driver exists, with scope "local".
package volume

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"bolsillo/engine/atomicfile"
	"bolsillo/engine/errdefs"
)

// Driver and Scope are the only ones this store has.
const (
	Driver = "local"
	Scope  = "local"
)

// AnonymousLabel marks a volume created without a name (`-v /data`, or an
// image's VOLUME), as Docker 23+ marks them: `volume prune` removes only
// these unless asked for all, and `rm -v` removes only these.
const AnonymousLabel = "com.docker.volume.anonymous"

const (
	dataDir    = "_data"
	recordFile = "volume.json"
)

// checkName refuses a name Docker's local volume driver refuses, with its
// messages.
func checkName(name string) error {
	if len(name) == 1 {
		return errdefs.InvalidParameter("create %s: volume name is too short, names should be at least two alphanumeric characters", name)
	}
	if !validName().MatchString(name) {
		return errdefs.InvalidParameter("create %s: %q includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path", name, name)
	}
	return nil
}

// validName is Docker's rule for local volume names, compiled on first use
// (bolsillod runs again as the init of every container: see runtime.Init).
var validName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`) })

// ErrNotFound is wrapped by the errors of operations on an unknown volume.
var ErrNotFound = errors.New("no such volume")

// Volume is a volume's record.
type Volume struct {
	Name      string
	CreatedAt time.Time
	Labels    map[string]string `json:",omitempty"`
	Options   map[string]string `json:",omitempty"` // driver options, as given

	mountpoint string
}

// Mountpoint is the host directory bound into the containers that use the
// volume.
func (v *Volume) Mountpoint() string { return v.mountpoint }

// Anonymous reports whether the volume was created without a name.
func (v *Volume) Anonymous() bool {
	_, ok := v.Labels[AnonymousLabel]
	return ok
}

func (v *Volume) clone() *Volume {
	cp := *v
	cp.Labels = cloneMap(v.Labels)
	cp.Options = cloneMap(v.Options)
	return &cp
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Store is the set of volumes of one daemon, with the containers using each
// one. It is safe for concurrent use.
type Store struct {
	root string

	mu   sync.Mutex
	vols map[string]*Volume
	refs map[string]map[string]struct{} // volume name -> container IDs
}

// Open opens (or creates) the store at root, removing what an interrupted
// create or remove left behind.
func Open(root string) (*Store, error) {
	if err := os.MkdirAll(root, 0o701); err != nil {
		return nil, fmt.Errorf("creating volume store: %w", err)
	}
	s := &Store{root: root, vols: map[string]*Volume{}, refs: map[string]map[string]struct{}{}}
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("reading volume store: %w", err)
	}
	for _, ent := range ents {
		dir := filepath.Join(root, ent.Name())
		if !ent.IsDir() || strings.HasPrefix(ent.Name(), ".") {
			if strings.HasPrefix(ent.Name(), atomicfile.TempPrefix) {
				_ = os.RemoveAll(dir)
			}
			continue
		}
		v, err := s.load(ent.Name())
		if errors.Is(err, fs.ErrNotExist) {
			if err := os.RemoveAll(dir); err != nil {
				return nil, fmt.Errorf("removing unfinished volume %s: %w", ent.Name(), err)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		s.vols[v.Name] = v
	}
	return s, nil
}

func (s *Store) load(name string) (*Volume, error) {
	b, err := os.ReadFile(filepath.Join(s.root, name, recordFile))
	if err != nil {
		return nil, err
	}
	v := &Volume{}
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("decoding volume %s: %w", name, err)
	}
	v.Name = name
	v.mountpoint = filepath.Join(s.root, name, dataDir)
	return v, nil
}

// CreateOptions is a create request. An empty Name creates an anonymous
// volume with a random 64-hex name.
type CreateOptions struct {
	Name       string
	Driver     string
	DriverOpts map[string]string
	Labels     map[string]string
}

// Create creates a volume, or returns the existing one of that name as
// Docker does. created tells which.
func (s *Store) Create(opts CreateOptions) (v *Volume, created bool, err error) {
	if opts.Driver != "" && opts.Driver != Driver {
		return nil, false, errdefs.NotFound("error looking up volume plugin %s: plugin %q not found", opts.Driver, opts.Driver)
	}
	for k := range opts.DriverOpts {
		switch k {
		case "type", "device", "o", "size":
			return nil, false, errdefs.NotImplemented("create %s: the local driver of this daemon does not mount devices (option %q)", opts.Name, k)
		default:
			return nil, false, errdefs.InvalidParameter("create %s: invalid option: %q", opts.Name, k)
		}
	}
	labels := cloneMap(opts.Labels)
	name := opts.Name
	if name == "" {
		name = randomName()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[AnonymousLabel] = ""
	} else if err := checkName(name); err != nil {
		return nil, false, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.vols[name]; ok {
		return v.clone(), false, nil
	}
	dir := filepath.Join(s.root, name)
	v = &Volume{
		Name:       name,
		CreatedAt:  time.Now().UTC().Truncate(time.Second),
		Labels:     labels,
		mountpoint: filepath.Join(dir, dataDir),
	}
	if err := os.MkdirAll(v.mountpoint, 0o755); err != nil {
		return nil, false, fmt.Errorf("create %s: %w", name, err)
	}
	if err := atomicfile.WriteJSON(filepath.Join(dir, recordFile), v, 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return nil, false, fmt.Errorf("create %s: %w", name, err)
	}
	s.vols[name] = v
	return v.clone(), true, nil
}

// Get returns a volume by name.
func (s *Store) Get(name string) (*Volume, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.vols[name]
	if !ok {
		return nil, notFound(name)
	}
	return v.clone(), nil
}

func notFound(name string) error {
	return errdefs.Classify(errdefs.KindNotFound, fmt.Errorf("get %s: %w", name, ErrNotFound))
}

// List returns every volume, sorted by name.
func (s *Store) List() []*Volume {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Volume, 0, len(s.vols))
	for _, v := range s.vols {
		out = append(out, v.clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Acquire records that a container uses a volume.
func (s *Store) Acquire(name, containerID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refs[name] == nil {
		s.refs[name] = map[string]struct{}{}
	}
	s.refs[name][containerID] = struct{}{}
}

// Release records that a container no longer uses a volume.
func (s *Store) Release(name, containerID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.refs[name], containerID)
	if len(s.refs[name]) == 0 {
		delete(s.refs, name)
	}
}

// Refs returns the IDs of the containers using a volume, sorted.
func (s *Store) Refs(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refsLocked(name)
}

func (s *Store) refsLocked(name string) []string {
	ids := make([]string, 0, len(s.refs[name]))
	for id := range s.refs[name] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// InUseError is the error of removing a volume that containers use.
type InUseError struct {
	Name string
	Refs []string // container IDs
}

// Error has Docker's wording.
func (e *InUseError) Error() string {
	return fmt.Sprintf("remove %s: volume is in use - [%s]", e.Name, strings.Join(e.Refs, ", "))
}

// Remove deletes a volume and its data. A volume a container uses (running
// or not) is never removed.
func (s *Store) Remove(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.vols[name]; !ok {
		return errdefs.Classify(errdefs.KindNotFound, fmt.Errorf("remove %s: %w", name, ErrNotFound))
	}
	return s.removeLocked(name)
}

func (s *Store) removeLocked(name string) error {
	if refs := s.refsLocked(name); len(refs) > 0 {
		return errdefs.Classify(errdefs.KindConflict, &InUseError{Name: name, Refs: refs})
	}
	dir := filepath.Join(s.root, name)
	// The record goes first: a remove interrupted after it leaves a
	// directory Open clears, never a record without its data.
	if err := os.Remove(filepath.Join(dir, recordFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	delete(s.vols, name)
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return nil
}

// PruneReport is what Prune removed.
type PruneReport struct {
	Removed        []string
	SpaceReclaimed uint64
}

// Prune removes the unused volumes for which match is true.
func (s *Store) Prune(match func(*Volume) bool) (PruneReport, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.vols))
	for name := range s.vols {
		names = append(names, name)
	}
	sort.Strings(names)
	var rep PruneReport
	for _, name := range names {
		v := s.vols[name]
		if len(s.refs[name]) > 0 || !match(v.clone()) {
			continue
		}
		size, _ := DirSize(v.mountpoint)
		if err := s.removeLocked(name); err != nil {
			return rep, err
		}
		rep.Removed = append(rep.Removed, name)
		rep.SpaceReclaimed += uint64(size)
	}
	return rep, nil
}

// DirSize is the apparent size of the regular files under dir.
func DirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	return n, err
}

// randomName is an anonymous volume's name: 64 hex characters.
func randomName() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}
