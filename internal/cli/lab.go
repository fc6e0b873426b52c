package cli

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
	"bolsillo/internal/imageref"
)

// labImageRef is the image lab init creates.
const labImageRef = "busybox:latest"

// busyboxCandidates are searched in order when --busybox is not given.
var busyboxCandidates = []string{"/bin/busybox", "/usr/bin/busybox"}

// rootfsMtime is the modification time of every entry of the lab rootfs,
// fixed so that the same busybox always gives the same layer digest.
var rootfsMtime = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

func newLabCommand(f *factory) *cobra.Command {
	lab := &cobra.Command{
		Use:   "lab",
		Short: "Prepara el aula: imágenes que funcionan sin internet",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	var busybox, registry string
	initCmd := &cobra.Command{
		Use:   "init [OPCIONES]",
		Short: "Crea la imagen busybox:latest a partir del busybox estático de tu máquina",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var target imageref.Named
			if registry != "" {
				var err error
				if target, err = labRegistryTarget(registry); err != nil {
					return err
				}
			}
			return runLabInit(cmd.Context(), f, busybox, target)
		},
	}
	initCmd.Flags().StringVar(&busybox, "busybox", "", "Ruta de un busybox estático (por defecto /bin/busybox o /usr/bin/busybox)")
	initCmd.Flags().StringVar(&registry, "registry", "", "Sube además la imagen al registro HOST:PUERTO (el del aula, por ejemplo)")
	lab.AddCommand(initCmd)
	return lab
}

// errNoStaticBusybox tells the student how to get a static busybox.
func errNoStaticBusybox(err error) error {
	return hintedError{
		hint: "Para crear la imagen `busybox` sin internet necesito un busybox **estático** en tu máquina " +
			"(uno que no dependa de bibliotecas del sistema, porque dentro del contenedor no las hay).\n\n" +
			"Instálalo con `sudo apt-get install busybox-static` y vuelve a ejecutar `bolsillo lab init`.",
		err: err,
	}
}

// findBusybox returns the busybox to use: the given path or the first
// candidate that exists. It must be a static ELF executable.
func findBusybox(given string) (string, error) {
	candidates := busyboxCandidates
	if given != "" {
		candidates = []string{given}
	}
	var lastErr error
	for _, p := range candidates {
		if _, err := os.Stat(p); err != nil {
			lastErr = err
			continue
		}
		if err := checkStatic(p); err != nil {
			lastErr = err
			if given != "" {
				return "", errNoStaticBusybox(err)
			}
			continue
		}
		return p, nil
	}
	if lastErr == nil {
		lastErr = errors.New("no busybox found")
	}
	return "", errNoStaticBusybox(lastErr)
}

// checkStatic fails unless p is an ELF file without a program interpreter
// (PT_INTERP), i.e. a statically linked executable.
func checkStatic(p string) error {
	ef, err := elf.Open(p)
	if err != nil {
		return fmt.Errorf("reading %s as ELF: %w", p, err)
	}
	defer ef.Close()
	for _, prog := range ef.Progs {
		if prog.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked", p)
		}
	}
	return nil
}

// listApplets runs busybox --list-full: paths such as "usr/bin/wc".
func listApplets(busybox string) ([]string, error) {
	out, err := exec.Command(busybox, "--list-full").Output()
	if err != nil {
		return nil, fmt.Errorf("listing applets of %s: %w", busybox, err)
	}
	var applets []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if a := strings.Trim(strings.TrimSpace(sc.Text()), "/"); a != "" {
			applets = append(applets, a)
		}
	}
	return applets, sc.Err()
}

// rootfsEntry is one file, directory or link of the lab rootfs.
type rootfsEntry struct {
	hdr  tar.Header
	data []byte // regular files other than busybox
	path string // host file to copy (busybox)
}

// rootfs describes the lab image's filesystem.
type rootfs struct {
	busybox string   // host path of the static busybox
	applets []string // applet paths relative to /, from --list-full
}

const (
	etcPasswd = "root:x:0:0:root:/root:/bin/sh\n" +
		"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n" +
		"estudiante:x:1000:1000:estudiante:/home/estudiante:/bin/sh\n"
	etcGroup = "root:x:0:\n" +
		"nogroup:x:65534:\n" +
		"estudiante:x:1000:\n"
)

// entries returns every tar entry, sorted by name.
func (r rootfs) entries() ([]rootfsEntry, error) {
	byName := map[string]rootfsEntry{}
	dir := func(name string, mode int64, uid int) {
		byName[name+"/"] = rootfsEntry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, Uid: uid, Gid: uid}}
	}
	for _, d := range []string{"bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "home", "proc", "sys", "dev", "var"} {
		dir(d, 0o755, 0)
	}
	dir("tmp", 0o1777, 0)
	dir("root", 0o700, 0)
	dir("home/estudiante", 0o755, 1000)

	fi, err := os.Stat(r.busybox)
	if err != nil {
		return nil, fmt.Errorf("reading busybox: %w", err)
	}
	byName["bin/busybox"] = rootfsEntry{
		hdr:  tar.Header{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: fi.Size()},
		path: r.busybox,
	}
	for name, content := range map[string]string{"etc/passwd": etcPasswd, "etc/group": etcGroup} {
		byName[name] = rootfsEntry{
			hdr:  tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(content))},
			data: []byte(content),
		}
	}
	for _, a := range r.applets {
		a = path.Clean(strings.TrimPrefix(a, "/"))
		if a == "bin/busybox" || a == "." || strings.HasPrefix(a, "../") {
			continue
		}
		for d := path.Dir(a); d != "."; d = path.Dir(d) {
			if _, ok := byName[d+"/"]; !ok {
				dir(d, 0o755, 0)
			}
		}
		byName[a] = rootfsEntry{hdr: tar.Header{
			Typeflag: tar.TypeSymlink,
			Name:     a,
			Linkname: relativeTarget(a, "bin/busybox"),
			Mode:     0o777,
		}}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]rootfsEntry, 0, len(names))
	for _, n := range names {
		e := byName[n]
		e.hdr.ModTime = rootfsMtime
		e.hdr.Format = tar.FormatPAX
		out = append(out, e)
	}
	return out, nil
}

// relativeTarget returns the link text that makes link point at target,
// both relative to the root: ("usr/bin/wc", "bin/busybox") -> "../../bin/busybox".
func relativeTarget(link, target string) string {
	from := strings.Split(path.Dir(link), "/")
	to := strings.Split(target, "/")
	if path.Dir(link) == "." {
		from = nil
	}
	i := 0
	for i < len(from) && i < len(to)-1 && from[i] == to[i] {
		i++
	}
	parts := make([]string, 0, len(from)-i+len(to)-i)
	for range from[i:] {
		parts = append(parts, "..")
	}
	parts = append(parts, to[i:]...)
	return strings.Join(parts, "/")
}

// WriteTo streams the rootfs as a deterministic tar.
func (r rootfs) WriteTo(w io.Writer) (int64, error) {
	entries, err := r.entries()
	if err != nil {
		return 0, err
	}
	cw := &countWriter{w: w}
	tw := tar.NewWriter(cw)
	for _, e := range entries {
		hdr := e.hdr
		if err := tw.WriteHeader(&hdr); err != nil {
			return cw.n, fmt.Errorf("writing %s: %w", hdr.Name, err)
		}
		switch {
		case e.path != "":
			if err := copyFile(tw, e.path, hdr.Size); err != nil {
				return cw.n, err
			}
		case e.data != nil:
			if _, err := tw.Write(e.data); err != nil {
				return cw.n, fmt.Errorf("writing %s: %w", hdr.Name, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return cw.n, fmt.Errorf("closing tar: %w", err)
	}
	return cw.n, nil
}

// copyFile copies exactly size bytes of the host file p into w.
func copyFile(w io.Writer, p string, size int64) error {
	file, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("opening %s: %w", p, err)
	}
	defer file.Close()
	if _, err := io.CopyN(w, file, size); err != nil {
		return fmt.Errorf("copying %s: %w", p, err)
	}
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// runLabInit creates busybox:latest and, when target is not nil, tags it
// as target and pushes it there.
func runLabInit(ctx context.Context, f *factory, given string, target imageref.Named) error {
	busybox, err := findBusybox(given)
	if err != nil {
		return err
	}
	applets, err := listApplets(busybox)
	if err != nil {
		return errNoStaticBusybox(err)
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() {
		_, err := rootfs{busybox: busybox, applets: applets}.WriteTo(pw)
		pw.CloseWithError(err)
	}()
	id, err := importImage(ctx, f.Out, api, pr, labImageRef, []string{`CMD ["sh"]`}, "")
	_ = pr.CloseWithError(errors.New("import finished"))
	if err != nil {
		return err
	}
	var pushed *streamRecord
	if target != nil {
		if pushed, err = pushLabImage(ctx, f, api, target); err != nil {
			return err
		}
	}
	if !f.Explaining() {
		return nil
	}
	img, err := api.ImageInspect(ctx, id)
	if err != nil {
		return nil
	}
	// The image may carry other names (the registry one just added): the
	// explanation is about the one lab init made.
	lab := img.InspectResponse
	lab.RepoTags = []string{labImageRef}
	f.explain(explain.LabInit(lab, busybox))
	if pushed != nil {
		f.explain(explain.Push(explain.PushData{
			Ref:    imageref.FamiliarString(target),
			Image:  img.InspectResponse,
			Layers: pushed.Layers,
			Digest: pushed.Digest,
			Size:   pushed.PushSize,
		}))
	}
	return nil
}

// labRegistryTarget turns the HOST:PORT given to --registry into the name
// the lab image is pushed as: HOST:PORT/busybox:latest. The value must be a
// registry address alone; anything Docker would read as a Docker Hub
// repository ("aula", "aula/busybox") is refused, so that nothing is pushed
// to Docker Hub by mistake.
func labRegistryTarget(registry string) (imageref.Named, error) {
	bad := func(err error) error {
		return invalidFlag(fmt.Sprintf("`--registry %s` no es la dirección de un registro.\n\n"+
			"Escribe solo `HOST:PUERTO`, sin ruta ni nombre de imagen: por ejemplo `--registry 192.168.1.20:5000` "+
			"o `--registry localhost:5000`. La imagen se sube como `HOST:PUERTO/busybox:latest`.", registry), err)
	}
	named, err := imageref.ParseNormalizedNamed(registry + "/" + labImageRef)
	if err != nil {
		return nil, bad(fmt.Errorf("invalid registry %q: %w", registry, err))
	}
	if imageref.Domain(named) != registry {
		return nil, bad(fmt.Errorf("invalid registry %q: not a registry host", registry))
	}
	return named, nil
}

// pushLabImage tags the lab image as target and pushes it through the
// daemon, printing the push progress as docker push does.
func pushLabImage(ctx context.Context, f *factory, api client.APIClient, target imageref.Named) (*streamRecord, error) {
	if _, err := api.ImageTag(ctx, client.ImageTagOptions{Source: labImageRef, Target: target.String()}); err != nil {
		return nil, fmt.Errorf("tagging %s as %s: %w", labImageRef, target, err)
	}
	cf, err := f.dockerConfig()
	if err != nil {
		return nil, err
	}
	auth, _, err := registryAuth(cf, target)
	if err != nil {
		return nil, err
	}
	res, err := api.ImagePush(ctx, imageref.FamiliarString(target), client.ImagePushOptions{
		RegistryAuth:  auth,
		PrivilegeFunc: f.privilegeFunc(target, "push"),
	})
	if err != nil {
		return nil, err
	}
	defer res.Close()
	return displayStream(ctx, res, f.Out)
}
