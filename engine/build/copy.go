package build

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/sys/user"

	"bolsillo/engine/backend"
	"bolsillo/engine/image"
)

// copyRequest is a COPY or an ADD, expanded.
type copyRequest struct {
	cmd string // "COPY" or "ADD"
	instructions.SourcesAndDest
	from  string // --from: a stage name or index, or an image
	chown string
	chmod string
	add   bool // ADD: URLs are downloaded and local tar archives extracted
}

// copySource is one resolved source of a COPY or ADD.
type copySource struct {
	path    string // on the host: in the context, a --from rootfs, or a download
	name    string // the base name it gets under a destination directory
	dir     bool
	archive bool // ADD of a local tar archive: extracted
	hash    string
	mode    os.FileMode // forced mode (downloads: 0600); 0 keeps the source's
	mtime   time.Time   // forced mtime (downloads); zero keeps the source's
}

// copy runs a COPY or an ADD: the sources are checksummed first, so an
// unchanged copy is taken from the cache without mounting anything.
func (r *run) copy(ctx context.Context, s *stage, req copyRequest) error {
	srcRoot := r.ctx.dir
	inContext := true
	if req.from != "" {
		if req.add {
			return errors.New("ADD does not support --from")
		}
		root, err := r.fromRoot(ctx, s, req.from)
		if err != nil {
			return err
		}
		defer root.Release()
		srcRoot, inContext = root.Path, false
	}
	tmp, err := os.MkdirTemp(r.b.TempDir, "copy-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	var srcs []copySource
	for i, sc := range req.SourceContents {
		p := filepath.Join(tmp, "heredoc-"+strconv.Itoa(i))
		if err := os.WriteFile(p, []byte(sc.Data), 0o644); err != nil {
			return err
		}
		src, err := newSource(p, path.Base(sc.Path))
		if err != nil {
			return err
		}
		srcs = append(srcs, src)
	}
	for _, p := range req.SourcePaths {
		if req.add && isURL(p) {
			src, err := r.download(ctx, p, tmp)
			if err != nil {
				return err
			}
			srcs = append(srcs, src)
			continue
		}
		found, err := r.resolveSources(srcRoot, p, inContext, req.cmd)
		if err != nil {
			return err
		}
		for _, src := range found {
			src.archive = req.add && !src.dir && isArchive(src.path)
			srcs = append(srcs, src)
		}
	}
	if len(srcs) == 0 {
		return fmt.Errorf("%s failed: no source files were specified", req.cmd)
	}

	dest, destIsDir := r.destination(s, req.DestPath)
	if len(srcs) > 1 && !destIsDir {
		return fmt.Errorf("When using %s with more than one source file, the destination must be a directory and end with a /", req.cmd)
	}
	var mode os.FileMode
	if req.chmod != "" {
		m, err := strconv.ParseUint(req.chmod, 8, 32)
		if err != nil || m > 0o7777 {
			return fmt.Errorf("invalid chmod parameter: %s", req.chmod)
		}
		mode = os.FileMode(m)
	}

	hash := srcs[0].hash
	if len(srcs) > 1 {
		var hs []string
		for _, src := range srcs {
			hs = append(hs, src.hash)
		}
		sum := sha256.Sum256([]byte(strings.Join(hs, ",")))
		hash = "multi:" + hex.EncodeToString(sum[:])
	}
	if req.chown != "" || req.chmod != "" {
		// The owner and mode are part of what is copied: another --chown
		// must not come from the cache.
		kind, sum, _ := strings.Cut(hash, ":")
		h := sha256.Sum256([]byte(sum + "\x00" + req.chown + "\x00" + req.chmod))
		hash = kind + ":" + hex.EncodeToString(h[:])
	}
	createdBy := strings.Join(append(slices.Clone(s.shell()), fmt.Sprintf("#(nop) %s %s in %s ", req.cmd, hash, req.DestPath)), " ")

	return r.commit(ctx, s, createdBy, false, func(ctx context.Context, root *Rootfs, _ string) error {
		uid, gid, err := resolveOwner(root.Path, req.chown)
		if err != nil {
			return err
		}
		c := copier{root: root.Path, uid: uid, gid: gid, mode: mode}
		for _, src := range srcs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := c.copySource(ctx, src, dest, destIsDir); err != nil {
				return fmt.Errorf("%s failed: %w", req.cmd, err)
			}
		}
		return nil
	})
}

// fromRoot mounts what --from names: an earlier stage (by name or index)
// or an image, pulled if missing.
func (r *run) fromRoot(ctx context.Context, s *stage, from string) (*Rootfs, error) {
	var img *image.Image
	if j, ok := r.plan.stageRef(from, s.index); ok {
		img = r.results[j]
	} else {
		if n, err := strconv.Atoi(from); err == nil {
			return nil, fmt.Errorf("invalid from flag value %s: index out of bounds", strconv.Itoa(n))
		}
		var err error
		img, err = r.b.Images.Get(from)
		if err != nil && errors.Is(err, image.ErrNotFound) {
			img, err = r.b.Images.Pull(ctx, from, func(m backend.JSONMessage) error {
				r.out.message(m)
				return r.out.flushErr()
			})
		}
		if err != nil {
			return nil, fmt.Errorf("invalid from flag value %s: no stage or image named %s: %w", from, from, err)
		}
	}
	return r.b.Workspace.Mount(img)
}

// resolveSources finds the files a source path names in root: one path,
// or the matches of a wildcard pattern.
func (r *run) resolveSources(root, p string, inContext bool, cmd string) ([]copySource, error) {
	rel := strings.TrimPrefix(path.Clean("/"+p), "/")
	if inContext && !contained(strings.TrimPrefix(p, "/")) {
		return nil, fmt.Errorf("%s failed: forbidden path outside the build context: %s", cmd, p)
	}
	if rel == "" {
		rel = "."
	}
	var rels []string
	if strings.ContainsAny(rel, "*?[") {
		matches, err := globRel(root, rel)
		if err != nil {
			return nil, err
		}
		rels = matches
		if len(rels) == 0 {
			return nil, fmt.Errorf("%s failed: no source files were specified", cmd)
		}
	} else {
		rels = []string{rel}
	}
	var out []copySource
	for _, rel := range rels {
		full, err := securejoin.SecureJoin(root, rel)
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(full); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
			switch {
			case inContext && r.ctx.excluded(rel):
				return nil, fmt.Errorf("%s failed: file excluded by %s: %s", cmd, r.ctx.ignoreFile, p)
			case inContext:
				return nil, fmt.Errorf("%s failed: file not found in build context: stat %s: file does not exist", cmd, p)
			default:
				return nil, fmt.Errorf("%s failed: stat %s: file does not exist", cmd, p)
			}
		}
		src, err := newSource(full, path.Base(rel))
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	return out, nil
}

// globRel matches a slash-separated pattern against the paths under root,
// one component at a time, so no match leaves root.
func globRel(root, pattern string) ([]string, error) {
	parts := strings.Split(pattern, "/")
	cur := []string{""}
	for _, part := range parts {
		var next []string
		for _, dir := range cur {
			if !strings.ContainsAny(part, "*?[") {
				next = append(next, path.Join(dir, part))
				continue
			}
			full, err := securejoin.SecureJoin(root, dir)
			if err != nil {
				return nil, err
			}
			entries, err := os.ReadDir(full)
			if err != nil {
				continue
			}
			for _, e := range entries {
				ok, err := path.Match(part, e.Name())
				if err != nil {
					return nil, fmt.Errorf("invalid pattern %q: %w", pattern, err)
				}
				if ok {
					next = append(next, path.Join(dir, e.Name()))
				}
			}
		}
		cur = next
	}
	var out []string
	for _, p := range cur {
		full, err := securejoin.SecureJoin(root, p)
		if err != nil {
			return nil, err
		}
		if _, err := os.Lstat(full); err == nil {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out, nil
}

// newSource checksums the file or directory at p (following a symlink
// at p itself, as Docker does for a source named directly).
func newSource(p, name string) (copySource, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return copySource{}, err
	}
	sum, err := checksum(p)
	if err != nil {
		return copySource{}, err
	}
	kind := "file"
	if fi.IsDir() {
		kind = "dir"
	}
	return copySource{path: p, name: name, dir: fi.IsDir(), hash: kind + ":" + sum}, nil
}

// checksum is the sha256 of a file or a tree: names, types, modes, sizes,
// contents and symlink targets, in order. Times and owners are left out, as
// in Docker's, so only a change of what is copied misses the cache.
func checksum(root string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fi, err := os.Lstat(p)
		if p == root {
			fi, err = os.Stat(p)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%o\x00", filepath.ToSlash(rel), fi.Mode())
		switch {
		case fi.Mode().IsRegular():
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%d\x00", fi.Size())
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				return err
			}
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00", target)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// destination resolves the destination of a copy against the working
// directory and says whether it names a directory (it ends in / or is .).
func (r *run) destination(s *stage, dest string) (string, bool) {
	isDir := strings.HasSuffix(dest, "/") || dest == "." || strings.HasSuffix(dest, "/.")
	if !path.IsAbs(dest) {
		wd := s.config.WorkingDir
		if wd == "" {
			wd = "/"
		}
		dest = path.Join(wd, dest)
	}
	return path.Clean(dest), isDir
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// download fetches a URL of ADD into dir. As in Docker, the file gets mode
// 0600 and the Last-Modified time.
func (r *run) download(ctx context.Context, raw, dir string) (copySource, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return copySource{}, err
	}
	name := path.Base(u.Path)
	if name == "/" || name == "." || name == "" {
		return copySource{}, fmt.Errorf("cannot determine filename from url: %s", raw)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return copySource{}, err
	}
	client := r.b.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return copySource{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return copySource{}, fmt.Errorf("failed to GET %s with status %s", raw, resp.Status)
	}
	p := filepath.Join(dir, "download-"+newID()[:12])
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return copySource{}, err
	}
	_, err = io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return copySource{}, fmt.Errorf("downloading %s: %w", raw, err)
	}
	src, err := newSource(p, name)
	if err != nil {
		return copySource{}, err
	}
	src.mode = 0o600
	if t, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		src.mtime = t
	}
	return src, nil
}

// copier writes sources into a mounted rootfs. Every destination path is
// resolved inside root, so a symlink of the image cannot send a copy out.
type copier struct {
	root     string
	uid, gid int
	mode     os.FileMode // --chmod; 0 keeps the source's
}

func (c copier) copySource(ctx context.Context, src copySource, dest string, destIsDir bool) error {
	if !destIsDir && !src.dir && !src.archive {
		if full, err := securejoin.SecureJoin(c.root, dest); err == nil {
			if fi, err := os.Stat(full); err == nil && fi.IsDir() {
				destIsDir = true
			}
		}
	}
	switch {
	case src.archive:
		if err := mkdirAllOwned(c.root, dest, c.uid, c.gid); err != nil {
			return err
		}
		dir, err := securejoin.SecureJoin(c.root, dest)
		if err != nil {
			return err
		}
		f, err := os.Open(src.path)
		if err != nil {
			return err
		}
		defer f.Close()
		rd, err := decompress(bufio.NewReader(f))
		if err != nil {
			return err
		}
		return extractTar(ctx, rd, dir, true)
	case src.dir:
		if err := mkdirAllOwned(c.root, dest, c.uid, c.gid); err != nil {
			return err
		}
		return c.copyTree(ctx, src.path, dest)
	default:
		target := dest
		if destIsDir {
			target = path.Join(dest, src.name)
		}
		if err := mkdirAllOwned(c.root, path.Dir(target), c.uid, c.gid); err != nil {
			return err
		}
		fi, err := os.Stat(src.path)
		if err != nil {
			return err
		}
		if err := c.copyEntry(src.path, fi, target); err != nil {
			return err
		}
		if src.mode != 0 && c.mode == 0 {
			full, err := securejoin.SecureJoin(c.root, target)
			if err != nil {
				return err
			}
			if err := os.Chmod(full, src.mode); err != nil {
				return err
			}
		}
		if !src.mtime.IsZero() {
			full, err := securejoin.SecureJoin(c.root, target)
			if err != nil {
				return err
			}
			return os.Chtimes(full, src.mtime, src.mtime)
		}
		return nil
	}
}

// copyTree copies the contents of the directory srcDir into dest.
func (c copier) copyTree(ctx context.Context, srcDir, dest string) error {
	type dirTime struct {
		rel   string
		mtime time.Time
	}
	var dirs []dirTime
	err := filepath.WalkDir(srcDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(srcDir, p)
		if rel == "." {
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		target := path.Join(dest, filepath.ToSlash(rel))
		if err := c.copyEntry(p, fi, target); err != nil {
			return err
		}
		if fi.IsDir() {
			dirs = append(dirs, dirTime{target, fi.ModTime()})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if full, err := securejoin.SecureJoin(c.root, dirs[i].rel); err == nil {
			_ = os.Chtimes(full, dirs[i].mtime, dirs[i].mtime)
		}
	}
	return nil
}

// copyEntry copies one file, directory or symlink to target (a path in
// the rootfs) with the copier's owner and mode.
func (c copier) copyEntry(src string, fi os.FileInfo, target string) error {
	parent, err := securejoin.SecureJoin(c.root, path.Dir(target))
	if err != nil {
		return err
	}
	full := filepath.Join(parent, path.Base(target))
	mode := fi.Mode().Perm() | fi.Mode()&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)
	if c.mode != 0 {
		mode = c.mode
	}
	existing, lerr := os.Lstat(full)
	if lerr == nil && !(existing.IsDir() && fi.IsDir()) {
		if err := os.RemoveAll(full); err != nil {
			return err
		}
	}
	switch {
	case fi.IsDir():
		if lerr == nil && existing.IsDir() {
			return nil
		}
		if err := os.Mkdir(full, mode); err != nil {
			return err
		}
	case fi.Mode().IsRegular():
		in, err := os.Open(src)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(full, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		_, err = io.Copy(out, in)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	case fi.Mode()&fs.ModeSymlink != 0:
		link, err := os.Readlink(src)
		if err != nil {
			return err
		}
		if err := os.Symlink(link, full); err != nil {
			return err
		}
		return os.Lchown(full, c.uid, c.gid)
	default:
		return nil // sockets, fifos and devices are not copied
	}
	if err := os.Lchown(full, c.uid, c.gid); err != nil {
		return err
	}
	if err := os.Chmod(full, mode); err != nil {
		return err
	}
	return os.Chtimes(full, fi.ModTime(), fi.ModTime())
}

// mkdirAllOwned creates the directory p of the rootfs and its missing
// parents, owned by uid:gid, mode 0755.
func mkdirAllOwned(root, p string, uid, gid int) error {
	cur := "/"
	for _, part := range strings.Split(strings.Trim(path.Clean(p), "/"), "/") {
		if part == "" {
			continue
		}
		cur = path.Join(cur, part)
		full, err := securejoin.SecureJoin(root, cur)
		if err != nil {
			return err
		}
		fi, err := os.Stat(full)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("mkdir %s: not a directory", cur)
			}
			continue
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := os.Mkdir(full, 0o755); err != nil {
			return err
		}
		if err := os.Lchown(full, uid, gid); err != nil {
			return err
		}
	}
	return nil
}

// secureJoin resolves the rootfs path p inside root.
func secureJoin(root, p string) (string, error) { return securejoin.SecureJoin(root, p) }

// resolveOwner turns --chown's "user[:group]" (names or numbers) into IDs,
// looking names up in the rootfs' /etc/passwd and /etc/group. A user
// without a group gets the group of the same number, as in Docker.
func resolveOwner(root, chown string) (int, int, error) {
	if chown == "" {
		return 0, 0, nil
	}
	usr, grp, hasGroup := strings.Cut(chown, ":")
	uid, err := lookupID(usr, func(name string) (int, error) {
		users, err := user.ParsePasswdFileFilter(mustJoin(root, "/etc/passwd"), func(u user.User) bool { return u.Name == name })
		if err != nil || len(users) == 0 {
			return 0, fmt.Errorf("unable to find user %s: no matching entries in passwd file", name)
		}
		return users[0].Uid, nil
	})
	if err != nil {
		return 0, 0, err
	}
	if !hasGroup {
		return uid, uid, nil
	}
	gid, err := lookupID(grp, func(name string) (int, error) {
		groups, err := user.ParseGroupFileFilter(mustJoin(root, "/etc/group"), func(g user.Group) bool { return g.Name == name })
		if err != nil || len(groups) == 0 {
			return 0, fmt.Errorf("unable to find group %s: no matching entries in group file", name)
		}
		return groups[0].Gid, nil
	})
	return uid, gid, err
}

// lookupID is s as a number, or byName(s).
func lookupID(s string, byName func(string) (int, error)) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("invalid id %q", s)
		}
		return n, nil
	}
	return byName(s)
}

// mustJoin resolves p inside root; on error it returns a path that does
// not exist, so the lookup reports the name as unknown.
func mustJoin(root, p string) string {
	full, err := securejoin.SecureJoin(root, p)
	if err != nil {
		return filepath.Join(root, ".nonexistent")
	}
	return full
}
