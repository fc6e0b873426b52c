// Package fuzztar serves the fuzz tests of the code that extracts archives
// from outside (layers, build contexts, docker cp uploads): it turns a short
// line format that the fuzzer mutates into a tar, and it tells whether an
// extraction wrote anything outside its directory.
//
// Each line of a spec is one entry, its fields separated by spaces:
//
//	d NAME [MODE]      directory (MODE in octal)
//	f NAME [TEXT...]   regular file with TEXT as content
//	l NAME TARGET      symlink
//	h NAME TARGET      hardlink
//	c NAME | b NAME    character (1:3) or block (7:0) device
//	p NAME             fifo
//	x NAME KEY=VALUE   regular file with the PAX xattr record KEY
//	H NAME SIZE        header that announces SIZE bytes, then the archive ends
//	g                  PAX global header
//
// A first line "gzip" compresses the archive. Other lines are ignored.
//
// Link targets are rewritten so that a fuzzed archive can only point into
// the test's own directories, never at the host's files: an absolute
// target moves under Options.Outside, and a relative one climbs at most
// Options.Up levels above the archive's root.
package fuzztar

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits that keep one fuzz input fast.
const (
	maxEntries = 64
	maxContent = 4096
	maxSize    = 1 << 40
)

// ModTime is the modification time of every entry: far from the times of
// the files a test creates, so that a time written through a symlink shows.
var ModTime = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)

// Options say where link targets may point.
type Options struct {
	// Outside is the directory absolute link targets are moved under.
	Outside string
	// Up is how many levels above the archive's root a relative link
	// target may climb: the depth of the extraction directory under the
	// directory that Snapshot watches.
	Up int
}

// Build returns the tar described by spec.
func Build(spec string, o Options) []byte {
	var buf bytes.Buffer
	lines := strings.Split(spec, "\n")
	var w io.Writer = &buf
	var gz *gzip.Writer
	if len(lines) > 0 && strings.TrimSpace(lines[0]) == "gzip" {
		gz = gzip.NewWriter(&buf)
		w = gz
		lines = lines[1:]
	}
	tw := tar.NewWriter(w)
	finish := func(closeTar bool) []byte {
		if closeTar {
			tw.Close()
		} else {
			tw.Flush()
		}
		if gz != nil {
			gz.Close()
		}
		return buf.Bytes()
	}
	if len(lines) > maxEntries {
		lines = lines[:maxEntries]
	}
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) == 0 || len(f[0]) != 1 {
			continue
		}
		if f[0] == "g" {
			if tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"comment": "fuzz"}}) != nil {
				return finish(false)
			}
			continue
		}
		if len(f) < 2 {
			continue
		}
		name := f[1]
		arg := ""
		if len(f) > 2 {
			arg = f[2]
		}
		hdr := &tar.Header{Name: name, Mode: 0o644, ModTime: ModTime, Uid: 0, Gid: 0}
		body := ""
		switch f[0] {
		case "d":
			hdr.Typeflag, hdr.Mode = tar.TypeDir, 0o755
			if m, err := strconv.ParseInt(arg, 8, 64); err == nil {
				hdr.Mode = m & 0o7777
			}
		case "f":
			hdr.Typeflag = tar.TypeReg
			body = strings.Join(f[2:], " ")
		case "l":
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, o.target(name, arg)
		case "h":
			hdr.Typeflag, hdr.Linkname = tar.TypeLink, o.target(name, arg)
		case "c":
			hdr.Typeflag, hdr.Devmajor, hdr.Devminor = tar.TypeChar, 1, 3
		case "b":
			hdr.Typeflag, hdr.Devmajor, hdr.Devminor = tar.TypeBlock, 7, 0
		case "p":
			hdr.Typeflag = tar.TypeFifo
		case "x":
			hdr.Typeflag, hdr.Format = tar.TypeReg, tar.FormatPAX
			k, v, _ := strings.Cut(arg, "=")
			hdr.PAXRecords = map[string]string{"SCHILY.xattr." + k: v}
		case "H":
			hdr.Typeflag = tar.TypeReg
			n, _ := strconv.ParseInt(arg, 10, 64)
			hdr.Size = min(max(n, 1), maxSize)
			tw.WriteHeader(hdr)
			return finish(false) // the announced bytes never come
		default:
			continue
		}
		if len(body) > maxContent {
			body = body[:maxContent]
		}
		hdr.Size = int64(len(body))
		if err := tw.WriteHeader(hdr); err != nil {
			continue // a header tar cannot encode: left out
		}
		if _, err := io.WriteString(tw, body); err != nil {
			return finish(false)
		}
	}
	return finish(true)
}

// target rewrites the link target t of the entry name (see the package
// comment).
func (o Options) target(name, t string) string {
	if t == "" {
		return t
	}
	if path.IsAbs(t) {
		return filepath.Join(o.Outside, path.Clean(t))
	}
	// Lexically, from the entry's directory: leading ".." only after Clean.
	t = path.Clean(t)
	depth := 0
	for _, e := range strings.Split(path.Clean("/"+name), "/")[1:] {
		if e != "" {
			depth++
		}
	}
	depth-- // the entry's own name
	allowed := max(depth, 0) + o.Up
	up := 0
	for t == ".." || strings.HasPrefix(t, "../") {
		t = strings.TrimPrefix(strings.TrimPrefix(t, ".."), "/")
		if up < allowed {
			up++
		}
	}
	return path.Clean(strings.Repeat("../", up) + t)
}

// Snapshot describes every file under root except the trees at skip (and
// the entries of skip themselves): type, mode, owner-visible times, size,
// content digest or link target. Two snapshots that differ mean something
// under root was written.
func Snapshot(root string, skip ...string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if slices.Contains(skip, p) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		desc := fmt.Sprintf("%v %d %d", fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			desc += " -> " + t
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			desc += " " + hex.EncodeToString(sum[:])
		}
		out[p] = desc
		return nil
	})
	return out, err
}

// Diff lists what differs between two snapshots, one line per path.
func Diff(before, after map[string]string) []string {
	var out []string
	for p, b := range before {
		if a, ok := after[p]; !ok {
			out = append(out, "removed "+p)
		} else if a != b {
			out = append(out, fmt.Sprintf("changed %s: %s -> %s", p, b, a))
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			out = append(out, "created "+p)
		}
	}
	slices.Sort(out)
	return out
}

// Sandbox creates, under base, the directory "outside" that a test
// watches: a file, a directory and a symlink that an escaping extraction
// would be likely to touch. It returns the path of "outside".
func Sandbox(base string) (string, error) {
	outside := filepath.Join(base, "outside")
	for _, d := range []string{outside, filepath.Join(outside, "dir"), filepath.Join(outside, "etc")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", err
		}
	}
	for name, text := range map[string]string{"victim": "do not touch\n", "etc/passwd": "root:x:0:0::/root:/bin/sh\n", "dir/file": "x\n"} {
		if err := os.WriteFile(filepath.Join(outside, name), []byte(text), 0o644); err != nil {
			return "", err
		}
	}
	if err := os.Symlink("victim", filepath.Join(outside, "link")); err != nil {
		return "", err
	}
	return outside, nil
}
