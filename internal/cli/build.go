package cli

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/jsonmessage"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"github.com/spf13/cobra"

	"bolsillo/explain"
	"bolsillo/internal/imageref"
)

// buildOptions are the flags and the argument of bolsillo build.
type buildOptions struct {
	context    string   // RUTA or "-"
	file       string   // -f, relative to the current directory; "-" reads it from stdin
	tags       []string // -t
	buildArgs  []string // --build-arg K=V or K
	labels     []string // --label k=v
	target     string
	network    string
	noCache    bool
	pull       bool
	quiet      bool
	rm         bool
	forceRm    bool
	iidfile    string
	getenv     func(string) string // resolves --build-arg K without a value
	stdinInput io.Reader           // the standard input, for "-"
}

func newBuildCommand(f *factory) *cobra.Command {
	return buildCommand(f, func(ctx context.Context, opts buildOptions) error {
		return runBuild(ctx, f, opts)
	})
}

// buildCommand wires the flags of build to run, which tests replace.
func buildCommand(f *factory, run func(context.Context, buildOptions) error) *cobra.Command {
	opts := buildOptions{rm: true}
	cmd := &cobra.Command{
		Use:   "build [OPCIONES] RUTA|-",
		Short: "Construye una imagen a partir de un Dockerfile",
		Long: "Construye una imagen a partir de un Dockerfile y de un contexto de construcción (build context):\n" +
			"la carpeta RUTA, que se envía al daemon como un tar sin lo que excluya .dockerignore,\n" +
			"o un tar (o un Dockerfile) por la entrada estándar con -.",
		Example: "  bolsillo build -t web:1 .\n" +
			"  bolsillo build -t web:1 -f Dockerfile.dev .\n" +
			"  bolsillo build --target builder -t web:builder .\n" +
			"  bolsillo build --build-arg VERSION=2 --label curso=docker -t web:2 .",
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.context = args[0]
			opts.getenv = f.getenv
			opts.stdinInput = f.In
			for _, t := range opts.tags {
				if _, err := imageref.ParseNormalizedNamed(t); err != nil {
					return invalidFlag(fmt.Sprintf("El nombre `%s` no sirve para `-t`: escribe `repositorio:tag` en minúsculas, por ejemplo `web:1`.", t),
						fmt.Errorf("invalid argument %q for \"-t, --tag\" flag: %w", t, err))
				}
			}
			for _, l := range opts.labels {
				if strings.HasPrefix(l, "=") {
					return invalidFlag(fmt.Sprintf("A la etiqueta `%s` de `--label` le falta la clave: escribe `clave=valor`.", l),
						fmt.Errorf("invalid argument %q for \"--label\" flag: invalid label format", l))
				}
			}
			for _, a := range opts.buildArgs {
				if strings.HasPrefix(a, "=") {
					return invalidFlag(fmt.Sprintf("A `--build-arg %s` le falta el nombre: escribe `NOMBRE=valor`.", a),
						fmt.Errorf("invalid argument %q for \"--build-arg\" flag: invalid environment variable: %s", a, a))
				}
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&opts.tags, "tag", "t", nil, "Nombre y etiqueta de la imagen, \"nombre:tag\" (puedes repetirla)")
	fl.StringVarP(&opts.file, "file", "f", "", "Ruta del Dockerfile (por defecto RUTA/Dockerfile)")
	fl.BoolVar(&opts.noCache, "no-cache", false, "No usa la caché: rehace todos los pasos")
	fl.BoolVar(&opts.pull, "pull", false, "Descarga siempre la imagen base aunque ya la tengas")
	fl.BoolVarP(&opts.quiet, "quiet", "q", false, "No muestra los pasos; al terminar imprime solo el ID de la imagen")
	fl.StringArrayVar(&opts.buildArgs, "build-arg", nil, "Da valor a un ARG: NOMBRE=valor, o NOMBRE solo para tomarlo del entorno")
	fl.StringArrayVar(&opts.labels, "label", nil, "Añade una etiqueta de metadatos (LABEL) a la imagen: clave=valor")
	fl.StringVar(&opts.target, "target", "", "Construye solo hasta esta etapa (stage)")
	fl.StringVar(&opts.network, "network", "", "Red de los pasos RUN: bridge (por defecto), none o host")
	fl.BoolVar(&opts.rm, "rm", true, "Borra los contenedores intermedios si la construcción termina bien")
	fl.BoolVar(&opts.forceRm, "force-rm", false, "Borra siempre los contenedores intermedios, también si falla")
	fl.StringVar(&opts.iidfile, "iidfile", "", "Escribe el ID de la imagen en este archivo")
	return cmd
}

// apiOptions turns the flags into the request the daemon receives.
// dockerfile is the Dockerfile's path inside the context tar.
func (o buildOptions) apiOptions(dockerfile string) client.ImageBuildOptions {
	return client.ImageBuildOptions{
		Version:        build.BuilderV1,
		Tags:           o.tags,
		Dockerfile:     dockerfile,
		SuppressOutput: o.quiet,
		NoCache:        o.noCache,
		Remove:         o.rm,
		ForceRemove:    o.forceRm,
		PullParent:     o.pull,
		BuildArgs:      buildArgsMap(o.buildArgs, o.getenv),
		Labels:         labelsMap(o.labels),
		Target:         o.target,
		NetworkMode:    o.network,
	}
}

// buildArgsMap parses --build-arg values as docker does: NAME=value, or
// NAME alone, which takes the value of the environment variable NAME when
// it is set and non-empty, and otherwise leaves it unset (nil) so that the
// ARG keeps its default.
func buildArgsMap(args []string, getenv func(string) string) map[string]*string {
	if len(args) == 0 {
		return nil
	}
	m := make(map[string]*string, len(args))
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			if getenv != nil {
				if env := getenv(k); env != "" {
					m[k] = &env
					continue
				}
			}
			m[k] = nil
			continue
		}
		m[k] = &v
	}
	return m
}

// labelsMap parses --label values: key=value, or key alone for "".
func labelsMap(labels []string) map[string]string {
	if len(labels) == 0 {
		return nil
	}
	m := make(map[string]string, len(labels))
	for _, l := range labels {
		k, v, _ := strings.Cut(l, "=")
		m[k] = v
	}
	return m
}

// defaultDockerfile is the name build looks for in the context.
const defaultDockerfile = "Dockerfile"

// buildContext is what build sends to the daemon: a directory (or a tar
// read from stdin) and the Dockerfile's path inside the tar.
type buildContext struct {
	dir        string   // absolute context directory; "" when the tar comes from stdin
	dockerfile string   // the Dockerfile's path inside the tar, with forward slashes
	excludes   []string // .dockerignore patterns applied to dir
	// extra is the Dockerfile's content when it lives outside dir (or came
	// from stdin): it is sent inside the tar under dockerfile and listed in
	// the tar's .dockerignore, as docker does.
	extra []byte
	// ignoreFile is the content the tar's .dockerignore gets, when it differs
	// from the context's own: the patterns of <Dockerfile>.dockerignore, or
	// the generated Dockerfile name. nil keeps the context's file.
	ignoreFile []byte
	stdinTar   io.Reader // the tar read from stdin ("-"), sent as it is
}

// prepareContext finds the context directory, the Dockerfile and the
// ignore patterns, with docker's rules: -f is relative to the current
// directory, and a Dockerfile outside the context is sent inside it under a
// generated name.
func prepareContext(opts buildOptions) (*buildContext, error) {
	if opts.context == "-" {
		return contextFromStdin(opts)
	}
	dir, err := filepath.Abs(opts.context)
	if err == nil {
		dir, err = filepath.EvalSymlinks(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("unable to prepare context: path %q not found", opts.context)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("unable to prepare context: context must be a directory: %s", dir)
	}
	bc := &buildContext{dir: dir}

	var dfContent []byte
	abs := ""
	switch opts.file {
	case "-":
		if dfContent, err = io.ReadAll(opts.stdinInput); err != nil {
			return nil, fmt.Errorf("unable to read Dockerfile from stdin: %w", err)
		}
	case "":
		abs = filepath.Join(dir, defaultDockerfile)
		if _, err := os.Lstat(abs); errors.Is(err, fs.ErrNotExist) {
			if alt := filepath.Join(dir, strings.ToLower(defaultDockerfile)); fileExists(alt) {
				abs = alt
			}
		}
	default:
		if abs, err = filepath.Abs(opts.file); err != nil {
			return nil, fmt.Errorf("unable to prepare context: unable to get absolute path to Dockerfile: %w", err)
		}
	}
	if abs != "" {
		if abs, err = filepath.EvalSymlinks(abs); err != nil {
			return nil, fmt.Errorf("unable to prepare context: unable to evaluate symlinks in Dockerfile path: %w", err)
		}
		rel, err := filepath.Rel(dir, abs)
		if err != nil {
			return nil, fmt.Errorf("unable to prepare context: unable to get relative Dockerfile path: %w", err)
		}
		if rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			if dfContent, err = os.ReadFile(abs); err != nil {
				return nil, fmt.Errorf("unable to open Dockerfile: %w", err)
			}
		} else {
			bc.dockerfile = filepath.ToSlash(rel)
		}
	}

	ignorePath, own := filepath.Join(dir, ".dockerignore"), true
	if abs != "" && fileExists(abs+".dockerignore") {
		ignorePath, own = abs+".dockerignore", false
	}
	raw, err := os.ReadFile(ignorePath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("error reading .dockerignore: %w", err)
	}
	if bc.excludes, err = ignorefile.ReadAll(bytes.NewReader(raw)); err != nil {
		return nil, fmt.Errorf("error reading .dockerignore: %w", err)
	}
	if !own {
		bc.ignoreFile = raw
	}
	if dfContent != nil {
		bc.extra = dfContent
		sum := sha256.Sum256(dfContent)
		bc.dockerfile = ".dockerfile." + hex.EncodeToString(sum[:10])
		bc.ignoreFile = append(append(bytes.Clone(raw), '\n'), bc.dockerfile...)
	}
	// The Dockerfile and .dockerignore always travel: the daemon removes
	// them after reading them if the patterns exclude them.
	if m, _ := patternmatcher.Matches(".dockerignore", bc.excludes); m {
		bc.excludes = append(bc.excludes, "!.dockerignore")
	}
	if bc.extra == nil {
		if m, _ := patternmatcher.Matches(bc.dockerfile, bc.excludes); m {
			bc.excludes = append(bc.excludes, "!"+bc.dockerfile)
		}
	}
	return bc, nil
}

// contextFromStdin reads "-": a tar (maybe compressed) sent as it is, or a
// Dockerfile alone, sent as the only file of a tar.
func contextFromStdin(opts buildOptions) (*buildContext, error) {
	if opts.file == "-" {
		return nil, errors.New("invalid argument: can't use stdin for both build context and dockerfile")
	}
	br := bufio.NewReader(opts.stdinInput)
	head, err := br.Peek(1024)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("unable to prepare context from STDIN: failed to peek context header from STDIN: %w", err)
	}
	if isArchive(head) {
		return &buildContext{stdinTar: br, dockerfile: opts.file}, nil
	}
	if opts.file != "" {
		return nil, errors.New("unable to prepare context from STDIN: ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles")
	}
	df, err := io.ReadAll(br)
	if err != nil {
		return nil, fmt.Errorf("unable to prepare context from STDIN: %w", err)
	}
	return &buildContext{dockerfile: defaultDockerfile, extra: df}, nil
}

// isArchive reports whether head starts a tar or a compressed stream.
func isArchive(head []byte) bool {
	for _, magic := range [][]byte{{0x1f, 0x8b}, []byte("BZh"), {0xfd, '7', 'z', 'X', 'Z', 0x00}, {0x28, 0xb5, 0x2f, 0xfd}} {
		if bytes.HasPrefix(head, magic) {
			return true
		}
	}
	_, err := tar.NewReader(bytes.NewReader(head)).Next()
	return err == nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// writeTar writes the context as docker's client does: every file and
// directory under dir that the ignore patterns keep, in lexical order,
// owned by root, symlinks as symlinks, modification times to the second.
func (bc *buildContext) writeTar(w io.Writer) error {
	if bc.stdinTar != nil {
		_, err := io.Copy(w, bc.stdinTar)
		return err
	}
	tw := tar.NewWriter(w)
	if bc.dir != "" {
		if err := bc.walk(tw); err != nil {
			return err
		}
	}
	now := time.Now().Truncate(time.Second)
	if bc.extra != nil {
		if err := writeTarFile(tw, bc.dockerfile, bc.extra, now); err != nil {
			return err
		}
	}
	if bc.ignoreFile != nil {
		if err := writeTarFile(tw, ".dockerignore", bc.ignoreFile, now); err != nil {
			return err
		}
	}
	return tw.Close()
}

// walk adds dir's kept entries to tw.
func (bc *buildContext) walk(tw *tar.Writer) error {
	pm, err := patternmatcher.New(bc.excludes)
	if err != nil {
		return fmt.Errorf("invalid .dockerignore pattern: %w", err)
	}
	return filepath.WalkDir(bc.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrPermission) {
				return fmt.Errorf("checking context: can't stat '%s'", path)
			}
			return err
		}
		rel, err := filepath.Rel(bc.dir, path)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if skip, err := pm.MatchesOrParentMatches(rel); err != nil {
			return err
		} else if skip {
			if d.IsDir() && !pm.Exclusions() {
				return filepath.SkipDir
			}
			return nil
		}
		if bc.ignoreFile != nil && rel == ".dockerignore" {
			return nil // replaced at the end
		}
		return addTarEntry(tw, path, rel, d)
	})
}

// addTarEntry writes one file, directory or symlink of the context.
func addTarEntry(tw *tar.Writer, path, rel string, d fs.DirEntry) error {
	fi, err := d.Info()
	if err != nil {
		return err
	}
	link := ""
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		if link, err = os.Readlink(path); err != nil {
			return err
		}
	case fi.Mode().IsRegular(), fi.IsDir():
	default:
		return nil // sockets, pipes and devices are not part of a context
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return err
	}
	hdr.Name = rel
	if fi.IsDir() {
		hdr.Name += "/"
	}
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
	hdr.ModTime = hdr.ModTime.Truncate(time.Second)
	hdr.AccessTime, hdr.ChangeTime = time.Time{}, time.Time{}
	hdr.Format = tar.FormatPAX
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	file, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("checking context: no permission to read from '%s'", path)
		}
		return err
	}
	defer file.Close()
	_, err = io.CopyN(tw, file, hdr.Size)
	return err
}

// writeTarFile writes a generated regular file.
func writeTarFile(tw *tar.Writer, name string, content []byte, mtime time.Time) error {
	hdr := &tar.Header{Name: name, Mode: 0o600, Size: int64(len(content)), ModTime: mtime, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err := tw.Write(content)
	return err
}

// recordedStep is one "Step N/M" of the stream, with what the CLI saw
// under it.
type recordedStep struct {
	explain.BuildStep
	Container string // " ---> Running in <id>"
	Output    strings.Builder
}

// buildRecord follows a classic build's stream line by line. The daemon
// may split a line over several messages ("Step 1/2 : FROM x" then "\n").
type buildRecord struct {
	partial string
	Steps   []*recordedStep
	AuxID   string   // {"aux":{"ID":"sha256:..."}}
	Built   string   // "Successfully built <id>"
	Tagged  []string // "Successfully tagged <name>"
}

// The lines of the classic builder's output that observe reads, compiled on
// first use: every command of the CLI would pay for them at start-up.
var (
	stepLine  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^Step (\d+)/\d+ : (.*)$`) })
	idLine    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^ ---> ([0-9a-f]{12,64})$`) })
	ansiColor = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("\x1b\\[[0-9;]*m") })
)

// observe records one message of the stream.
func (r *buildRecord) observe(m jsonstream.Message) {
	if m.Aux != nil {
		var res build.Result
		if json.Unmarshal(*m.Aux, &res) == nil && res.ID != "" {
			r.AuxID = res.ID
		}
		return
	}
	if m.Stream == "" {
		return
	}
	text := r.partial + m.Stream
	lines := strings.Split(text, "\n")
	r.partial = lines[len(lines)-1]
	for _, l := range lines[:len(lines)-1] {
		r.line(l)
	}
}

// finish records a last line without a newline.
func (r *buildRecord) finish() {
	if r.partial != "" {
		r.line(r.partial)
		r.partial = ""
	}
}

func (r *buildRecord) line(l string) {
	l = strings.TrimRight(ansiColor().ReplaceAllString(l, ""), "\r")
	var cur *recordedStep
	if n := len(r.Steps); n > 0 {
		cur = r.Steps[n-1]
	}
	if m := stepLine().FindStringSubmatch(l); m != nil {
		n, _ := strconv.Atoi(m[1])
		r.Steps = append(r.Steps, &recordedStep{BuildStep: explain.BuildStep{Number: n, Instruction: m[2]}})
		return
	}
	if s, ok := strings.CutPrefix(l, "Successfully built "); ok {
		r.Built = strings.TrimSpace(s)
		return
	}
	if s, ok := strings.CutPrefix(l, "Successfully tagged "); ok {
		r.Tagged = append(r.Tagged, strings.TrimSpace(s))
		return
	}
	if cur == nil {
		return
	}
	switch {
	case l == " ---> Using cache":
		cur.Cached = true
	case strings.HasPrefix(l, " ---> Running in "):
		cur.Container = strings.TrimSpace(strings.TrimPrefix(l, " ---> Running in "))
	case idLine().MatchString(l):
		cur.ImageID = idLine().FindStringSubmatch(l)[1]
	case strings.HasPrefix(l, " ---> "), strings.HasPrefix(l, "Removing intermediate container "):
	default:
		cur.Output.WriteString(l)
		cur.Output.WriteByte('\n')
	}
}

// steps returns the explain view of the recorded steps.
func (r *buildRecord) steps() []explain.BuildStep {
	out := make([]explain.BuildStep, len(r.Steps))
	for i, s := range r.Steps {
		out[i] = s.BuildStep
	}
	return out
}

// syncWriter serializes writes: the upload progress is written from the
// goroutine that sends the request body while the stream is printed.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// uploadProgress counts the context bytes the request body sends and
// prints docker's "Sending build context to Docker daemon" line: updated
// in place on a terminal, once at the end otherwise.
type uploadProgress struct {
	r        io.Reader
	out      io.Writer
	tty      bool
	sent     int64
	printed  int64
	lastTime time.Time
}

// uploadAction is the text docker prints before the byte count.
const uploadAction = "Sending build context to Docker daemon"

func (u *uploadProgress) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	u.sent += int64(n)
	switch {
	case err != nil && n == 0:
		u.print(true)
	case u.tty && u.sent-u.printed > 512<<10 && time.Since(u.lastTime) >= 100*time.Millisecond:
		u.print(false)
	}
	return n, err
}

// print writes the count as docker's raw progress formatter does.
func (u *uploadProgress) print(last bool) {
	u.printed, u.lastTime = u.sent, time.Now()
	line := uploadAction + " "
	if u.sent > 0 {
		line += fmt.Sprintf("%8v", units.HumanSize(float64(u.sent))) + "\r"
	} else {
		line += "\r\n"
	}
	if last {
		line += "\r\n"
	}
	_, _ = io.WriteString(u.out, line)
}

func runBuild(ctx context.Context, f *factory, opts buildOptions) error {
	if opts.iidfile != "" {
		if err := os.Remove(opts.iidfile); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing image ID file: %w", err)
		}
	}
	bc, err := prepareContext(opts)
	if err != nil {
		if strings.Contains(err.Error(), "not found") || strings.Contains(err.Error(), "must be a directory") {
			return hintedError{
				hint: fmt.Sprintf("`%s` no es una carpeta. `build` necesita la carpeta del contexto de construcción (build context), normalmente `.`, la que tiene el Dockerfile.", opts.context),
				err:  err,
			}
		}
		return err
	}
	api, err := f.Client()
	if err != nil {
		return err
	}

	// Which image each tag names now, to tell later which one lost it.
	var before []*image.InspectResponse
	for _, t := range opts.tags {
		before = append(before, f.lookupForDangling(ctx, api, t))
	}

	_, tty := isTerminal(f.Out)
	out := &syncWriter{w: f.Out}
	var progBuff, buildBuff io.Writer = out, out
	var quietProg, quietBuild bytes.Buffer
	if opts.quiet {
		progBuff, buildBuff = &quietProg, &quietBuild
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(bc.writeTar(pw)) }()
	defer pr.Close()
	body := &uploadProgress{r: pr, out: progBuff, tty: tty}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	res, err := api.ImageBuild(ctx, body, opts.apiOptions(bc.dockerfile))
	if err != nil {
		if opts.quiet {
			fmt.Fprintf(f.Err, "%s", quietProg.String())
		}
		return err
	}
	defer res.Body.Close()

	rec := &buildRecord{}
	msgs := func(yield func(jsonstream.Message, error) bool) {
		for m, err := range (jsonReader{res.Body}).JSONMessages(ctx) {
			if err == nil {
				rec.observe(m)
			}
			if !yield(m, err) {
				return
			}
		}
	}
	fd, _ := isTerminal(f.Out)
	err = jsonmessage.DisplayJSONMessages(msgs, buildBuff, fd, tty && !opts.quiet, func(jsonstream.Message) {})
	rec.finish()
	if err != nil {
		var jerr *jsonstream.Error
		if !errors.As(err, &jerr) {
			return err
		}
		if opts.quiet {
			fmt.Fprintf(f.Err, "%s%s", quietProg.String(), quietBuild.String())
		}
		return buildFailure(ctx, api, rec, jerr)
	}

	imageID := rec.AuxID
	if opts.quiet {
		imageID = quietBuild.String()
		fmt.Fprint(f.Out, imageID)
	}
	if opts.iidfile != "" {
		if imageID == "" {
			return fmt.Errorf("server did not provide an image ID. Cannot write %s", opts.iidfile)
		}
		if err := os.WriteFile(opts.iidfile, []byte(imageID), 0o666); err != nil {
			return err
		}
	}
	if f.Explaining() {
		id := firstNonEmpty(strings.TrimSpace(imageID), rec.Built)
		if id != "" {
			if d, ok := buildData(ctx, f, api, opts, rec, id, before); ok {
				f.explain(explain.Build(d))
				f.printBuildStack(d) // capas.go
			}
		}
		f.explain(buildAdvice(opts)) // lint.go
	}
	return nil
}

// buildFailure turns an error of the stream into the exit status docker
// gives it: the exit code of a failed RUN, 1 otherwise.
func buildFailure(ctx context.Context, api client.APIClient, rec *buildRecord, jerr *jsonstream.Error) error {
	code := jerr.Code
	if code == 0 {
		code = exitGeneric
	}
	failed := errors.New(jerr.Message)
	n := len(rec.Steps)
	if n == 0 || !strings.Contains(jerr.Message, "returned a non-zero code") {
		return statusError{code: code, err: failed}
	}
	step := rec.Steps[n-1]
	hint := explain.BuildError(step.BuildStep, code, step.Output.String())
	if step.Container != "" {
		if _, err := api.ContainerInspect(ctx, step.Container, client.ContainerInspectOptions{}); err == nil {
			hint += explain.BuildLeftContainer(step.Container)
		}
	}
	return statusError{code: code, err: hintedError{hint: hint, err: failed}}
}

// buildData gathers what the explanation needs after a successful build:
// the final image, its history, each step's layer size, the stages and
// the images that lost a tag.
func buildData(ctx context.Context, f *factory, api client.APIClient, opts buildOptions, rec *buildRecord, id string, before []*image.InspectResponse) (explain.BuildData, bool) {
	img, err := api.ImageInspect(ctx, id)
	if err != nil {
		return explain.BuildData{}, false
	}
	d := explain.BuildData{
		Context:    opts.context,
		Dockerfile: firstNonEmpty(opts.file, defaultDockerfile),
		Image:      img.InspectResponse,
		Tags:       opts.tags,
		Steps:      rec.steps(),
	}
	if h, err := api.ImageHistory(ctx, img.ID); err == nil {
		d.History = h.Items
	}
	stages := stageBounds(d.Steps)
	d.Stages = len(stages)
	markLayers(ctx, api, d.Steps, stages)
	sizes := map[string]int64{}
	for _, row := range d.History {
		sizes[shortImageID(row.ID)] = row.Size
	}
	// Earlier stages are not in the final image's history: read theirs.
	for i := range max(len(stages)-1, 0) {
		last := stageEnd(stages, i, len(d.Steps))
		if id := d.Steps[last-1].ImageID; id != "" {
			if h, err := api.ImageHistory(ctx, id); err == nil {
				for _, row := range h.Items {
					sizes[shortImageID(row.ID)] = row.Size
				}
			}
		}
	}
	matched := false
	for i := range d.Steps {
		if s, ok := sizes[shortImageID(d.Steps[i].ImageID)]; ok && d.Steps[i].ImageID != "" {
			d.Steps[i].Size = s
			matched = true
		}
	}
	if !matched {
		assignSizesByPosition(d.Steps, d.History)
	}
	for i := range rec.Steps {
		if keyword(rec.Steps[i].Instruction) == "RUN" && explain.AskedForInput(rec.Steps[i].Instruction, rec.Steps[i].Output.String()) {
			d.StdinUsed = true
		}
	}
	d.BaseSize = copiedStageSize(ctx, api, d.Steps, stages)
	seen := map[string]bool{}
	for _, b := range before {
		if old := f.leftDangling(ctx, api, b, img.ID); old != nil && !seen[old.ID] {
			seen[old.ID] = true
			d.Dangling = append(d.Dangling, *old)
		}
	}
	return d, true
}

// stageBounds returns the index of each FROM step.
func stageBounds(steps []explain.BuildStep) []int {
	var out []int
	for i, s := range steps {
		if keyword(s.Instruction) == "FROM" {
			out = append(out, i)
		}
	}
	return out
}

// stageEnd returns the index after the last step of stage i.
func stageEnd(stages []int, i, total int) int {
	if i+1 < len(stages) {
		return stages[i+1]
	}
	return total
}

// assignSizesByPosition gives the final stage's steps the sizes of the
// newest history rows, for daemons whose history carries no image IDs.
func assignSizesByPosition(steps []explain.BuildStep, history []image.HistoryResponseItem) {
	start := 0
	if b := stageBounds(steps); len(b) > 0 {
		start = b[len(b)-1] + 1
	}
	row := 0
	for i := len(steps) - 1; i >= start && row < len(history); i-- {
		steps[i].Size = history[row].Size
		row++
	}
}

// copiedStageSize returns the size of the image the final stage copied
// from with COPY --from: an earlier stage (by name or index) or an image.
func copiedStageSize(ctx context.Context, api client.APIClient, steps []explain.BuildStep, stages []int) int64 {
	if len(stages) < 2 {
		return 0
	}
	from := ""
	for _, s := range steps[stages[len(stages)-1]:] {
		for _, field := range strings.Fields(s.Instruction) {
			if v, ok := strings.CutPrefix(field, "--from="); ok && keyword(s.Instruction) == "COPY" {
				from = v
				break
			}
		}
		if from != "" {
			break
		}
	}
	if from == "" {
		return 0
	}
	ref := from
	for i, st := range stages[:len(stages)-1] {
		if strconv.Itoa(i) == from || strings.EqualFold(stageName(steps[st].Instruction), from) {
			ref = steps[stageEnd(stages, i, len(steps))-1].ImageID
			break
		}
	}
	if ref == "" {
		return 0
	}
	img, err := api.ImageInspect(ctx, ref)
	if err != nil {
		return 0
	}
	return img.Size
}

// stageName returns the name given with "FROM image AS name".
func stageName(from string) string {
	f := strings.Fields(from)
	for i := 0; i+1 < len(f); i++ {
		if strings.EqualFold(f[i], "AS") {
			return f[i+1]
		}
	}
	return ""
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// keyword returns an instruction's keyword in upper case.
func keyword(instruction string) string {
	kw, _, _ := strings.Cut(strings.TrimSpace(instruction), " ")
	return strings.ToUpper(kw)
}

// shortImageID is the 12-character ID the build stream prints.
func shortImageID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// markLayers sets Layer on the steps whose image has more layers than the
// previous step's in the same stage: some instructions (WORKDIR creating a
// directory) make a layer of almost nothing, which the size alone hides.
func markLayers(ctx context.Context, api client.APIClient, steps []explain.BuildStep, stages []int) {
	layers := func(id string) int {
		if id == "" {
			return -1
		}
		img, err := api.ImageInspect(ctx, id)
		if err != nil {
			return -1
		}
		return len(img.RootFS.Layers)
	}
	for i := range stages {
		prev := -1
		for j := stages[i]; j < stageEnd(stages, i, len(steps)); j++ {
			n := layers(steps[j].ImageID)
			steps[j].Layer = j > stages[i] && prev >= 0 && n > prev
			prev = n
		}
	}
}
