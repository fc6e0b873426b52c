package cli

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/docker/go-units"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// cpOptions are the arguments and flags of bolsillo cp.
type cpOptions struct {
	source, destination string
	followLink          bool
	copyUIDGID          bool
	quiet               bool
}

func newCpCommand(f *factory) *cobra.Command {
	var opts cpOptions
	cmd := &cobra.Command{
		Use:   "cp [OPCIONES] CONTENEDOR:RUTA_ORIGEN RUTA_DESTINO|-\n  bolsillo cp [OPCIONES] RUTA_ORIGEN|- CONTENEDOR:RUTA_DESTINO",
		Short: "Copia archivos entre un contenedor (corriendo o parado) y tu máquina",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.source, opts.destination = args[0], args[1]
			return runCp(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.followLink, "follow-link", "L", false, "Sigue siempre los enlaces simbólicos de RUTA_ORIGEN")
	cmd.Flags().BoolVarP(&opts.copyUIDGID, "archive", "a", false, "Modo archivo: conserva el dueño (uid/gid) de los archivos")
	cmd.Flags().BoolVarP(&opts.quiet, "quiet", "q", false, "No muestra el resumen de la copia")
	return cmd
}

// splitCpArg splits "web:/www" into container and path, as docker does: a
// local path with ':' must start with '/' or '.' to be read as local.
func splitCpArg(arg string) (container, p string) {
	if filepath.IsAbs(arg) || strings.HasPrefix(arg, ".") {
		return "", arg
	}
	c, p, ok := strings.Cut(arg, ":")
	if !ok {
		return "", arg
	}
	return c, p
}

func runCp(ctx context.Context, f *factory, opts cpOptions) error {
	srcCtr, srcPath := splitCpArg(opts.source)
	dstCtr, dstPath := splitCpArg(opts.destination)
	api, err := f.Client()
	if err != nil {
		return err
	}
	var res explain.CopyResult
	switch {
	case srcCtr != "" && dstCtr != "":
		return errors.New("copying between containers is not supported")
	case srcCtr != "":
		res, err = copyFromContainer(ctx, api, srcCtr, srcPath, dstPath, opts)
	case dstCtr != "":
		res, err = copyToContainer(ctx, api, f.In, srcPath, dstCtr, dstPath, opts)
	default:
		return errors.New("must specify at least one container source")
	}
	if err != nil {
		return err
	}
	if !opts.quiet && dstPath != "-" {
		fmt.Fprintf(f.Err, "Successfully copied %s to %s\n", units.HumanSizeWithPrecision(float64(res.Bytes), 3), res.Destination)
	}
	if !f.Explaining() {
		return nil
	}
	if c, err := api.ContainerInspect(ctx, res.Container, client.ContainerInspectOptions{}); err == nil {
		f.explain(explain.Copy(c.Container, res))
	}
	return nil
}

// countingWriter counts the bytes of the tar that crossed the API.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func copyToContainer(ctx context.Context, api client.APIClient, stdin io.Reader, src, ctr, dst string, opts cpOptions) (explain.CopyResult, error) {
	res := explain.CopyResult{Container: ctr, ToContainer: true, ContainerPath: dst, Destination: ctr + ":" + dst}
	// What is at the destination decides where the tar is unpacked and
	// under which name.
	dstExists, dstIsDir := false, false
	if st, err := api.ContainerStatPath(ctx, ctr, client.ContainerStatPathOptions{Path: dst}); err == nil {
		if st.Stat.Mode&os.ModeSymlink != 0 {
			target := st.Stat.LinkTarget
			if !path.IsAbs(target) {
				target = path.Join(path.Dir(dst), target)
			}
			dst = target
			st, err = api.ContainerStatPath(ctx, ctr, client.ContainerStatPathOptions{Path: dst})
		}
		if err == nil {
			dstExists, dstIsDir = true, st.Stat.Mode.IsDir()
		}
	}

	var (
		content io.Reader
		dir     string
	)
	if src == "-" {
		if !dstIsDir {
			return res, fmt.Errorf(`destination "%s:%s" must be a directory`, ctr, dst)
		}
		content, dir = stdin, dst
	} else {
		abs, err := filepath.Abs(src)
		if err != nil {
			return res, err
		}
		stat := os.Lstat
		if opts.followLink {
			stat = os.Stat
		}
		fi, err := stat(abs)
		if err != nil {
			return res, err
		}
		res.Source = abs
		contentsOnly := strings.HasSuffix(src, "/.")
		rebase := filepath.Base(abs)
		switch {
		case dstExists && dstIsDir:
			dir = dst
			if contentsOnly && fi.IsDir() {
				rebase = "."
			}
		case dstExists:
			if fi.IsDir() {
				return res, errors.New("cannot copy a directory to a file")
			}
			dir, rebase = path.Dir(dst), path.Base(dst)
		case strings.HasSuffix(dst, "/") && !fi.IsDir():
			return res, errors.New("no such directory")
		default:
			dir, rebase = path.Dir(path.Clean(dst)), path.Base(path.Clean(dst))
		}
		res.Name = rebase
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(localTar(pw, abs, rebase, opts.followLink)) }()
		defer pr.Close()
		content = pr
	}
	counter := &countingWriter{}
	_, err := api.CopyToContainer(ctx, ctr, client.CopyToContainerOptions{
		DestinationPath: dir,
		Content:         io.TeeReader(content, counter),
		CopyUIDGID:      opts.copyUIDGID,
	})
	res.Bytes = counter.n
	res.ContainerPath = path.Join(dir, res.Name)
	return res, err
}

func copyFromContainer(ctx context.Context, api client.APIClient, ctr, src, dst string, opts cpOptions) (explain.CopyResult, error) {
	res := explain.CopyResult{Container: ctr, ContainerPath: src, Destination: dst}
	rebaseTo := ""
	if opts.followLink {
		if st, err := api.ContainerStatPath(ctx, ctr, client.ContainerStatPathOptions{Path: src}); err == nil && st.Stat.Mode&os.ModeSymlink != 0 {
			target := st.Stat.LinkTarget
			if !path.IsAbs(target) {
				target = path.Join(path.Dir(src), target)
			}
			rebaseTo, src = path.Base(src), target
		}
	}
	if dst != "-" {
		if err := validateOutputPath(dst); err != nil {
			return res, err
		}
	}
	out, err := api.CopyFromContainer(ctx, ctr, client.CopyFromContainerOptions{SourcePath: src})
	if err != nil {
		return res, err
	}
	defer out.Content.Close()
	counter := &countingWriter{}
	tarStream := io.TeeReader(out.Content, counter)
	if dst == "-" {
		_, err := io.Copy(os.Stdout, tarStream)
		res.Bytes = counter.n
		return res, err
	}

	abs, err := filepath.Abs(dst)
	if err != nil {
		return res, err
	}
	srcBase := out.Stat.Name
	if rebaseTo != "" {
		srcBase = rebaseTo
	}
	var dir, name string
	fi, statErr := os.Stat(abs)
	switch {
	case statErr == nil && fi.IsDir():
		dir, name = abs, srcBase
		if strings.HasSuffix(src, "/.") && out.Stat.Mode.IsDir() {
			name = "."
		}
	case statErr == nil:
		if out.Stat.Mode.IsDir() {
			return res, errors.New("cannot copy a directory to a file")
		}
		dir, name = filepath.Dir(abs), filepath.Base(abs)
	case !errors.Is(statErr, fs.ErrNotExist):
		return res, statErr
	case strings.HasSuffix(dst, "/"):
		return res, fmt.Errorf("destination directory %q must exist", dst)
	default:
		dir, name = filepath.Dir(abs), filepath.Base(abs)
	}
	res.Source = ctr + ":" + src
	res.Destination = filepath.Join(dir, name)
	err = localUntar(tarStream, dir, name, opts.copyUIDGID)
	res.Bytes = counter.n
	return res, err
}

// localTar writes the file or directory p as a tar whose top entry is
// rebase ("." for a directory's contents only).
func localTar(w io.Writer, p, rebase string, followTop bool) error {
	tw := tar.NewWriter(w)
	if followTop {
		if resolved, err := filepath.EvalSymlinks(p); err == nil {
			p = resolved
		}
	}
	err := filepath.WalkDir(p, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(p, file)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		var link string
		if fi.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(file); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		hdr.Name = path.Join(rebase, filepath.ToSlash(rel))
		if fi.IsDir() {
			hdr.Name += "/"
		}
		hdr.Uname, hdr.Gname = "", ""
		hdr.Format = tar.FormatPAX
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			hdr.Mode = int64(st.Mode & 0o7777)
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if hdr.Typeflag == tar.TypeReg && hdr.Size > 0 {
			f, err := os.Open(file)
			if err != nil {
				return err
			}
			defer f.Close()
			if _, err := io.CopyN(tw, f, hdr.Size); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// localUntar unpacks a tar from the daemon into dir, renaming its top entry
// to name. Entries never land outside dir: `..` is refused and symlinks are
// resolved inside it.
func localUntar(r io.Reader, dir, name string, keepOwner bool) error {
	tr := tar.NewReader(r)
	top := ""
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		clean := path.Clean(hdr.Name)
		if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return fmt.Errorf("%q is outside of %q", hdr.Name, dir)
		}
		if top == "" {
			top = strings.SplitN(clean, "/", 2)[0]
		}
		rel := clean
		if rest, ok := strings.CutPrefix(clean, top); ok {
			rel = path.Join(name, rest)
		}
		parent, err := securejoin.SecureJoin(dir, path.Dir(rel))
		if err != nil {
			return err
		}
		target := filepath.Join(parent, path.Base(rel))
		if rel == "." {
			target = dir
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(hdr.Mode & 0o7777)
		switch hdr.Typeflag {
		case tar.TypeDir:
			// A symlink an earlier entry left where this directory goes
			// is replaced: MkdirAll would follow it out of dir.
			if fi, err := os.Lstat(target); err == nil && !fi.IsDir() {
				if err := os.RemoveAll(target); err != nil {
					return err
				}
			}
			if err := os.MkdirAll(target, mode); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.RemoveAll(target); err != nil {
				return err
			}
			out, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, tr); err != nil {
				out.Close()
				return err
			}
			if err := out.Close(); err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.RemoveAll(target); err != nil {
				return err
			}
			if err := os.Symlink(hdr.Linkname, target); err != nil {
				return err
			}
		default:
			continue // hardlinks and devices stay in the container
		}
		if keepOwner {
			if err := os.Lchown(target, hdr.Uid, hdr.Gid); err != nil {
				return err
			}
		}
		if hdr.Typeflag != tar.TypeSymlink {
			_ = os.Chtimes(target, hdr.ModTime, hdr.ModTime)
		}
	}
}

// validateOutputPath refuses, as docker does before asking the daemon, a
// local file to write whose folder does not exist: that is a mistake, not
// a folder to create.
func validateOutputPath(p string) error {
	if dir := filepath.Dir(filepath.Clean(p)); dir != "." {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("invalid output path: directory %q does not exist", dir)
		}
	}
	return nil
}
