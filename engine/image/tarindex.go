package image

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// maxArchiveMetadata bounds the JSON files of an archive read into memory
// (manifest.json, index.json, configs, manifests).
const maxArchiveMetadata = 16 << 20

// archive is a tar spooled to a file, with the place of each regular file
// in it, so that its files can be read in any order.
type archive struct {
	f     *os.File
	files map[string]*io.SectionReader
	links map[string]string // symlink name -> target, both cleaned
}

// indexArchive reads the whole tar in f and records where each file is.
// A truncated tar or one that is not a tar is an error matching
// ErrInvalidArchive.
func indexArchive(f *os.File) (*archive, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	a := &archive{f: f, files: make(map[string]*io.SectionReader), links: make(map[string]string)}
	tr := tar.NewReader(f)
	for n := 0; ; n++ {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			if n == 0 {
				return nil, fmt.Errorf("%w: the tar is empty", ErrInvalidArchive)
			}
			return a, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: reading tar: %w", ErrInvalidArchive, err)
		}
		name := cleanArchiveName(hdr.Name)
		switch hdr.Typeflag {
		case tar.TypeReg:
			off, err := f.Seek(0, io.SeekCurrent)
			if err != nil {
				return nil, err
			}
			a.files[name] = io.NewSectionReader(f, off, hdr.Size)
		case tar.TypeSymlink:
			a.links[name] = cleanArchiveName(path.Join(path.Dir(name), hdr.Linkname))
		}
	}
}

// cleanArchiveName makes "./a//b" and "a/b" the same name.
func cleanArchiveName(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

// has reports whether the archive holds the file name.
func (a *archive) has(name string) bool {
	_, err := a.open(name)
	return err == nil
}

// open returns a reader for the file name, following symlinks within the
// archive.
func (a *archive) open(name string) (*io.SectionReader, error) {
	name = cleanArchiveName(name)
	for range 8 {
		if sr, ok := a.files[name]; ok {
			return io.NewSectionReader(sr, 0, sr.Size()), nil
		}
		target, ok := a.links[name]
		if !ok {
			break
		}
		name = target
	}
	return nil, fmt.Errorf("%w: no file %s in the tar", ErrInvalidArchive, name)
}

// read returns the contents of the small file name.
func (a *archive) read(name string) ([]byte, error) {
	sr, err := a.open(name)
	if err != nil {
		return nil, err
	}
	if sr.Size() > maxArchiveMetadata {
		return nil, fmt.Errorf("%w: %s is %d bytes, too big", ErrInvalidArchive, name, sr.Size())
	}
	return io.ReadAll(sr)
}
