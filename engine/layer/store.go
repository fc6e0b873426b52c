// Package layer keeps the read-only layers of images unpacked on disk and
// stacks them with overlayfs.
//
// A Store lives in one directory (normally <data-root>/layers) laid out the
// way Docker's overlay2 driver lays out its own:
//
//	<root>/<hex>/diff/   the files of the layer, in overlay format
//	<root>/<hex>/link    the layer's short name (26 characters)
//	<root>/<hex>/size    the unpacked size in bytes, as decimal text
//	<root>/l/<short>     symlink to ../<hex>/diff
//
// <hex> is the encoded part of the layer's diff ID: the sha256 of the
// uncompressed layer tar. Layers are content-addressed, so two images that
// share a layer share its directory, and a layer is unpacked only once.
//
// Overlay mount options must fit in one page (4096 bytes). Sixty-four hex
// characters per lowerdir would fill it after a few dozen layers, so the
// overlay lowerdirs are the short symlinks, as absolute paths:
// <root>/l/<short>. With the default root (/var/lib/bolsillo/layers) each
// lowerdir costs 54 bytes, which leaves room for more than 60 layers next to
// a container's upperdir and workdir. The mount itself needs no chdir, so it
// is safe in a multi-threaded daemon. Mount reports an error, instead of
// letting the kernel truncate, when the options do not fit.
package layer

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/opencontainers/go-digest"
)

// ErrNotFound is wrapped into the errors returned for layers that are not in
// the store. Test for it with errors.Is.
var ErrNotFound = errors.New("layer does not exist")

const (
	linksDir   = "l"
	tempPrefix = ".tmp-"
	// shortLen is the length of the short names under l/, as in overlay2.
	shortLen = 26
)

// Store is a directory of unpacked, content-addressed layers. It is safe for
// concurrent use.
type Store struct {
	root string

	// mu serialises the moves that make a layer appear or disappear, so that
	// two concurrent unpacks of the same layer keep exactly one copy.
	mu sync.Mutex
}

// NewStore opens the layer store at root, creating it if missing. Leftovers
// of an interrupted Unpack or Remove (temporary directories and short links
// to layers that never appeared) are cleaned up.
func NewStore(root string) (*Store, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("resolving layer store path: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(root, linksDir), 0o700); err != nil {
		return nil, fmt.Errorf("creating layer store: %w", err)
	}
	s := &Store{root: root}
	if err := s.cleanup(); err != nil {
		return nil, err
	}
	return s, nil
}

// Root returns the absolute path of the store's directory.
func (s *Store) Root() string { return s.root }

// cleanup removes temporary directories and dangling short links.
func (s *Store) cleanup() error {
	entries, err := os.ReadDir(s.root)
	if err != nil {
		return fmt.Errorf("reading layer store: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			if err := os.RemoveAll(filepath.Join(s.root, e.Name())); err != nil {
				return fmt.Errorf("removing leftover %s: %w", e.Name(), err)
			}
		}
	}
	links, err := os.ReadDir(filepath.Join(s.root, linksDir))
	if err != nil {
		return fmt.Errorf("reading layer links: %w", err)
	}
	for _, e := range links {
		p := filepath.Join(s.root, linksDir, e.Name())
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("removing dangling link %s: %w", e.Name(), err)
			}
		}
	}
	return nil
}

// dir returns the directory of the layer diffID, or an error if diffID is
// not a valid sha256 digest.
func (s *Store) dir(diffID digest.Digest) (string, error) {
	if err := diffID.Validate(); err != nil {
		return "", fmt.Errorf("invalid diff ID %q: %w", diffID, err)
	}
	if diffID.Algorithm() != digest.SHA256 {
		return "", fmt.Errorf("invalid diff ID %q: only sha256 is supported", diffID)
	}
	return filepath.Join(s.root, diffID.Encoded()), nil
}

// Exists reports whether the layer diffID is unpacked in the store.
func (s *Store) Exists(diffID digest.Digest) bool {
	dir, err := s.dir(diffID)
	if err != nil {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, "link"))
	return err == nil
}

// DiffDir returns the absolute path of the unpacked files of the layer
// diffID. It does not check that the layer exists; it returns "" if diffID
// is not a valid sha256 digest.
func (s *Store) DiffDir(diffID digest.Digest) string {
	dir, err := s.dir(diffID)
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "diff")
}

// Size returns the unpacked size of the layer diffID in bytes: the sum of the
// sizes of its files and symlinks, hardlinked files counted once, as Docker
// reports it.
func (s *Store) Size(diffID digest.Digest) (int64, error) {
	dir, err := s.dir(diffID)
	if err != nil {
		return 0, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "size"))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("layer %s: %w", diffID, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("reading size of layer %s: %w", diffID, err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parsing size of layer %s: %w", diffID, err)
	}
	return n, nil
}

// Remove deletes the layer diffID and its short link. Removing a layer that
// does not exist is not an error. The caller makes sure that no image and no
// mount uses the layer any more.
func (s *Store) Remove(diffID digest.Digest) error {
	dir, err := s.dir(diffID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	short, err := s.readLink(diffID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	// Move the layer out of sight first, so that a crash half-way through
	// the removal never leaves a half layer under its real name.
	trash, err := os.MkdirTemp(s.root, tempPrefix+"rm-")
	if err != nil {
		return fmt.Errorf("removing layer %s: %w", diffID, err)
	}
	if err := os.Rename(dir, filepath.Join(trash, "layer")); err != nil {
		os.Remove(trash)
		return fmt.Errorf("removing layer %s: %w", diffID, err)
	}
	if err := os.Remove(filepath.Join(s.root, linksDir, short)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing link of layer %s: %w", diffID, err)
	}
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("removing layer %s: %w", diffID, err)
	}
	return nil
}

// readLink returns the short name of the layer diffID.
func (s *Store) readLink(diffID digest.Digest) (string, error) {
	dir, err := s.dir(diffID)
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(dir, "link"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("layer %s: %w", diffID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("reading link of layer %s: %w", diffID, err)
	}
	short := strings.TrimSpace(string(b))
	if len(short) != shortLen || strings.ContainsAny(short, "/:,") {
		return "", fmt.Errorf("layer %s has a corrupt link %q", diffID, short)
	}
	return short, nil
}

// LowerDirs returns the overlay lowerdirs for a stack of layers given
// bottom-first, as in an image config's rootfs.diff_ids. The result is
// top-first, as overlay wants it, and made of the short links under
// <root>/l, so that the mount options stay within one page.
//
// A layer that appears more than once in the stack (two build steps that
// changed nothing both have the empty layer) is listed once, at its top
// position: overlay refuses a directory given twice, and the copy below
// cannot show anything that the one above does not already show.
func (s *Store) LowerDirs(diffIDs []digest.Digest) ([]string, error) {
	dirs := make([]string, 0, len(diffIDs))
	seen := make(map[digest.Digest]bool, len(diffIDs))
	for _, id := range slices.Backward(diffIDs) {
		if seen[id] {
			continue
		}
		seen[id] = true
		short, err := s.readLink(id)
		if err != nil {
			return nil, err
		}
		dirs = append(dirs, filepath.Join(s.root, linksDir, short))
	}
	return dirs, nil
}

// newShortName returns a random name of shortLen upper-case letters and
// digits, like overlay2's.
func newShortName() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, shortLen)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
