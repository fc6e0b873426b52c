package build

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"

	"bolsillo/engine/backend"
	"bolsillo/engine/image"
	"bolsillo/engine/layer"
)

// defaultShell runs the shell forms of RUN, CMD and ENTRYPOINT until a
// SHELL instruction changes it.
var defaultShell = []string{"/bin/sh", "-c"}

// run is one build in progress.
type run struct {
	b    *Builder
	opts backend.BuildOptions
	ctx  *buildContext
	plan *plan
	out  *stream

	results  map[int]*image.Image // stage index -> its last image (nil: scratch)
	usedArgs map[string]bool
	steps    []StepResult
	step     int
	current  string // the instruction being run, as written
}

// stage is the state of the stage being built.
type stage struct {
	index  int
	img    *image.Image // the last image; nil while a FROM scratch stage has none
	config dockerspec.DockerOCIImageConfig
	author string
	// args are the ARGs declared so far and their values (nil: no value).
	args     map[string]*string
	argOrder []string
	// cmdSet says a CMD of this stage set the command, which a later
	// ENTRYPOINT keeps; an inherited one it resets.
	cmdSet bool
}

func (r *run) build(ctx context.Context) (*Result, error) {
	r.usedArgs = map[string]bool{}
	for k := range r.plan.metaEnv {
		r.usedArgs[k] = true
	}
	for i := range r.plan.metaArgs {
		r.printStep(r.plan.metaArgs[i].String())
	}
	for i := 0; i <= r.plan.target; i++ {
		if !r.plan.needed[i] {
			continue
		}
		st := r.plan.stages[i]
		r.printStep(st.SourceCode)
		s, err := r.from(ctx, i)
		if err != nil {
			return nil, r.locate(err, st.Location, st.SourceCode)
		}
		cmds := st.Commands
		if i == r.plan.target && r.plan.labels != nil {
			cmds = append(slices.Clip(cmds), r.plan.labels)
		}
		for _, c := range cmds {
			r.printStep(c.(fmt.Stringer).String())
			if err := r.dispatch(ctx, s, c); err != nil {
				return nil, r.locate(err, c.Location(), c.(fmt.Stringer).String())
			}
		}
		r.results[i] = s.img
	}
	final := r.results[r.plan.target]
	if final == nil {
		return nil, errors.New("No image was generated. Is your Dockerfile empty?")
	}
	return &Result{ID: final.ID, Steps: r.steps}, nil
}

// locate adds the Dockerfile line to a step's error; a failed RUN keeps
// Docker's exact message.
func (r *run) locate(err error, loc []parser.Range, code string) error {
	var runErr *RunError
	var ie *InstructionError
	if errors.As(err, &runErr) || errors.As(err, &ie) || errors.Is(err, context.Canceled) || len(loc) == 0 {
		return err
	}
	return &InstructionError{File: r.plan.file, Line: loc[0].Start.Line, Instruction: code, Err: err}
}

func (r *run) printStep(code string) {
	r.step++
	r.current = code
	r.out.printf("Step %d/%d : %s\n", r.step, r.plan.total, code)
}

// from starts stage i on its base: an earlier stage, scratch, or an image,
// pulled when missing (or always with pull=1). The base's ONBUILD triggers
// run right away.
func (r *run) from(ctx context.Context, i int) (*stage, error) {
	base := r.plan.bases[i]
	var img *image.Image
	if j, ok := r.plan.stageByName(base, i); ok {
		img = r.results[j]
	} else if !strings.EqualFold(base, "scratch") {
		var err error
		if img, err = r.baseImage(ctx, base); err != nil {
			return nil, err
		}
	}
	s := &stage{index: i, img: img, args: map[string]*string{}}
	var triggers []string
	if img != nil {
		if err := deepCopy(&s.config, img.Config.Config); err != nil {
			return nil, err
		}
		triggers = s.config.OnBuild
		s.config.OnBuild = nil
	}
	if len(triggers) > 0 {
		word := "trigger"
		if len(triggers) > 1 {
			word = "triggers"
		}
		r.out.printf("# Executing %d build %s\n", len(triggers), word)
		for _, t := range triggers {
			if err := r.trigger(ctx, s, t); err != nil {
				return nil, err
			}
		}
	}
	if s.img == nil {
		r.out.printf(" ---> \n")
	} else {
		r.out.printf(" ---> %s\n", short(s.img.ID))
	}
	return s, nil
}

// trigger runs one ONBUILD instruction of the base image.
func (r *run) trigger(ctx context.Context, s *stage, expr string) error {
	res, err := parser.Parse(strings.NewReader(expr))
	if err != nil {
		return fmt.Errorf("parsing ONBUILD trigger %q: %w", expr, err)
	}
	for _, n := range res.AST.Children {
		c, err := instructions.ParseCommand(n)
		if err != nil {
			return fmt.Errorf("parsing ONBUILD trigger %q: %w", expr, unwrapParseError(err))
		}
		if err := r.dispatch(ctx, s, c); err != nil {
			return fmt.Errorf("ONBUILD %s: %w", expr, err)
		}
	}
	return nil
}

// stageByName finds an earlier stage named name, for FROM.
func (p *plan) stageByName(name string, current int) (int, bool) {
	for j := 0; j < current; j++ {
		if p.stages[j].Name != "" && strings.EqualFold(p.stages[j].Name, name) {
			return j, true
		}
	}
	return 0, false
}

// baseImage finds ref locally or pulls it.
func (r *run) baseImage(ctx context.Context, ref string) (*image.Image, error) {
	if !r.opts.Pull {
		img, err := r.b.Images.Get(ref)
		if err == nil {
			return img, nil
		}
		if !errors.Is(err, image.ErrNotFound) {
			return nil, err
		}
	}
	return r.b.Images.Pull(ctx, ref, func(m backend.JSONMessage) error {
		r.out.message(m)
		return r.out.flushErr()
	})
}

// expansionEnv is what $VAR means in an instruction: the ENV of the image
// and the ARGs with a value (ENV wins).
func (s *stage) expansionEnv() envMap {
	env := envMap{}
	for k, v := range s.args {
		if v != nil {
			env[k] = *v
		}
	}
	for _, kv := range s.config.Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return env
}

func (s *stage) shell() []string {
	if len(s.config.Shell) > 0 {
		return s.config.Shell
	}
	return defaultShell
}

// dispatch runs one instruction.
func (r *run) dispatch(ctx context.Context, s *stage, c instructions.Command) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	env := s.expansionEnv()
	if _, isRun := c.(*instructions.RunCommand); !isRun {
		if e, ok := c.(instructions.SupportsSingleWordExpansion); ok {
			lex := shell.NewLex(r.plan.escape)
			if err := e.Expand(func(w string) (string, error) {
				v, _, err := lex.ProcessWord(w, env)
				return v, err
			}); err != nil {
				return err
			}
		}
		if e, ok := c.(instructions.SupportsSingleWordExpansionRaw); ok {
			lex := shell.NewLex(r.plan.escape)
			lex.RawQuotes, lex.RawEscapes = true, true
			if err := e.ExpandRaw(func(w string) (string, error) {
				v, _, err := lex.ProcessWord(w, env)
				return v, err
			}); err != nil {
				return err
			}
		}
	}

	cfg := &s.config
	switch c := c.(type) {
	case *instructions.EnvCommand:
		words := []string{"ENV"}
		for _, kv := range c.Env {
			cfg.Env = setEnv(cfg.Env, kv.Key, kv.Value)
			words = append(words, kv.String())
		}
		return r.commitMeta(ctx, s, strings.Join(words, " "))
	case *instructions.LabelCommand:
		words := []string{"LABEL"}
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		for _, kv := range c.Labels {
			cfg.Labels[kv.Key] = kv.Value
			words = append(words, kv.String())
		}
		return r.commitMeta(ctx, s, strings.Join(words, " "))
	case *instructions.MaintainerCommand:
		s.author = c.Maintainer
		return r.commitMeta(ctx, s, "MAINTAINER "+c.Maintainer)
	case *instructions.ExposeCommand:
		lex := shell.NewLex(r.plan.escape)
		var ports []string
		for _, p := range c.Ports {
			v, _, err := lex.ProcessWord(p, env)
			if err != nil {
				return err
			}
			ports = append(ports, v)
			keys, err := parsePorts(v)
			if err != nil {
				return err
			}
			if cfg.ExposedPorts == nil {
				cfg.ExposedPorts = map[string]struct{}{}
			}
			for _, k := range keys {
				cfg.ExposedPorts[k] = struct{}{}
			}
		}
		return r.commitMeta(ctx, s, "EXPOSE "+strings.Join(ports, " "))
	case *instructions.UserCommand:
		cfg.User = c.User
		return r.commitMeta(ctx, s, "USER "+c.User)
	case *instructions.VolumeCommand:
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		for _, v := range c.Volumes {
			if strings.TrimSpace(v) == "" {
				return errors.New("VOLUME specified can not be an empty string")
			}
			cfg.Volumes[v] = struct{}{}
		}
		return r.commitMeta(ctx, s, fmt.Sprintf("VOLUME %v", c.Volumes))
	case *instructions.StopSignalCommand:
		if err := checkSignal(c.Signal); err != nil {
			return err
		}
		cfg.StopSignal = c.Signal
		return r.commitMeta(ctx, s, "STOPSIGNAL "+c.Signal)
	case *instructions.HealthCheckCommand:
		if old := cfg.Healthcheck; old != nil && len(old.Test) > 0 && old.Test[0] != "NONE" {
			r.out.printf("Note: overriding previous HEALTHCHECK: %v\n", old.Test)
		}
		cfg.Healthcheck = c.Health
		return r.commitMeta(ctx, s, healthcheckString(cfg.Healthcheck))
	case *instructions.OnbuildCommand:
		expr := strings.TrimSpace(c.Expression)
		cfg.OnBuild = append(cfg.OnBuild, expr)
		return r.commitMeta(ctx, s, "ONBUILD "+expr)
	case *instructions.ShellCommand:
		cfg.Shell = slices.Clone(c.Shell)
		return r.commitMeta(ctx, s, fmt.Sprintf("SHELL %v", c.Shell))
	case *instructions.CmdCommand:
		cfg.Cmd = s.commandLine(c.ShellDependantCmdLine)
		s.cmdSet = true
		return r.commitMeta(ctx, s, fmt.Sprintf("CMD %q", cfg.Cmd))
	case *instructions.EntrypointCommand:
		cfg.Entrypoint = s.commandLine(c.ShellDependantCmdLine)
		if !s.cmdSet {
			cfg.Cmd = nil
		}
		return r.commitMeta(ctx, s, fmt.Sprintf("ENTRYPOINT %q", cfg.Entrypoint))
	case *instructions.ArgCommand:
		words := []string{"ARG"}
		for _, kv := range c.Args {
			r.declareArg(s, kv)
			words = append(words, argString(kv))
		}
		return r.commitMeta(ctx, s, strings.Join(words, " "))
	case *instructions.WorkdirCommand:
		return r.workdir(ctx, s, c.Path)
	case *instructions.RunCommand:
		return r.runCommand(ctx, s, c)
	case *instructions.CopyCommand:
		return r.copy(ctx, s, copyRequest{
			cmd: "COPY", SourcesAndDest: c.SourcesAndDest, from: c.From, chown: c.Chown, chmod: c.Chmod,
		})
	case *instructions.AddCommand:
		return r.copy(ctx, s, copyRequest{
			cmd: "ADD", SourcesAndDest: c.SourcesAndDest, chown: c.Chown, chmod: c.Chmod, add: true,
		})
	}
	return fmt.Errorf("unsupported instruction %s", strings.ToUpper(c.Name()))
}

// commandLine is the exec form of a CMD or ENTRYPOINT: the shell form runs
// in the SHELL.
func (s *stage) commandLine(c instructions.ShellDependantCmdLine) []string {
	if !c.PrependShell {
		return slices.Clone(c.CmdLine)
	}
	line := strings.Join(c.CmdLine, " ")
	if line == "" {
		return nil
	}
	return append(slices.Clone(s.shell()), line)
}

// declareArg declares an ARG in stage s: its value is the --build-arg, or
// the default, or the value of the ARG of the same name before FROM.
func (r *run) declareArg(s *stage, kv instructions.KeyValuePairOptional) {
	var value *string
	if v, ok := r.plan.argValue(kv.Key); ok {
		value = &v
	} else if kv.Value != nil {
		v := *kv.Value
		value = &v
	} else if v, ok := r.plan.metaEnv[kv.Key]; ok {
		value = &v
	}
	if _, ok := s.args[kv.Key]; !ok {
		s.argOrder = append(s.argOrder, kv.Key)
	}
	s.args[kv.Key] = value
	r.usedArgs[kv.Key] = true
}

// argString is an ARG as Docker writes it in the history.
func argString(kv instructions.KeyValuePairOptional) string {
	if kv.Value == nil {
		return kv.Key
	}
	return kv.Key + "=" + *kv.Value
}

// runEnv returns the environment of a RUN (the image's ENV plus the ARGs
// with a value and the proxy build args) and the "K=V" of the ARGs that go
// into the history and the cache key, sorted, as Docker's "|N K=V ..."
// prefix.
func (r *run) runEnv(s *stage) (env, history []string) {
	env = slices.Clone(s.config.Env)
	inEnv := map[string]bool{}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		inEnv[k] = true
	}
	for _, k := range sortedKeys(s.args) {
		v := s.args[k]
		if v == nil || inEnv[k] {
			continue
		}
		env = append(env, k+"="+*v)
		history = append(history, k+"="+*v)
	}
	for _, k := range sortedKeys(r.plan.buildArgs) {
		if _, declared := s.args[k]; declared || !proxyArgs[k] || inEnv[k] {
			continue
		}
		if v, ok := r.plan.argValue(k); ok {
			env = append(env, k+"="+v)
			r.usedArgs[k] = true
		}
	}
	return env, history
}

func (r *run) runCommand(ctx context.Context, s *stage, c *instructions.RunCommand) error {
	args := slices.Clone(c.CmdLine)
	if c.PrependShell {
		script := strings.Join(c.CmdLine, " ")
		if len(c.Files) > 0 {
			// RUN <<EOF: the heredoc is the script.
			if len(c.Files) != 1 || !strings.HasPrefix(strings.TrimSpace(script), "<<") || strings.Contains(strings.TrimSpace(script), " ") {
				return errors.New("only a heredoc that is the whole script is supported in RUN")
			}
			script = c.Files[0].Data
		}
		args = append(slices.Clone(s.shell()), script)
	}
	if len(args) == 0 {
		return errors.New("RUN needs a command")
	}
	env, hist := r.runEnv(s)
	createdBy := strings.Join(args, " ")
	if len(hist) > 0 {
		createdBy = "|" + strconv.Itoa(len(hist)) + " " + strings.Join(hist, " ") + " " + createdBy
	}
	return r.commit(ctx, s, createdBy, true, func(ctx context.Context, root *Rootfs, id string) error {
		code, err := r.b.Runner.Run(ctx, Step{
			ID:      id,
			Rootfs:  root.Path,
			Args:    args,
			Env:     env,
			User:    s.config.User,
			WorkDir: s.config.WorkingDir,
			Network: r.opts.Network,
			Stdout:  r.out.writer(false),
			Stderr:  r.out.writer(true),
		})
		if err != nil {
			return err
		}
		if code != 0 {
			return &RunError{Command: strings.Join(args, " "), Code: code}
		}
		return nil
	})
}

// workdir sets the working directory, relative to the previous one, and
// creates it if the image lacks it.
func (r *run) workdir(ctx context.Context, s *stage, p string) error {
	if !path.IsAbs(p) {
		base := s.config.WorkingDir
		if base == "" {
			base = "/"
		}
		p = path.Join(base, p)
	}
	p = path.Clean(p)
	s.config.WorkingDir = p
	createdBy := strings.Join(append(slices.Clone(s.shell()), "#(nop) WORKDIR "+p), " ")
	return r.commit(ctx, s, createdBy, true, func(ctx context.Context, root *Rootfs, _ string) error {
		dir, err := secureJoin(root.Path, p)
		if err != nil {
			return err
		}
		if fi, err := os.Stat(dir); err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("cannot set WORKDIR %s: not a directory", p)
			}
			return nil
		}
		return mkdirAllOwned(root.Path, p, 0, 0)
	})
}

// commitMeta records a step that only changes the config.
func (r *run) commitMeta(ctx context.Context, s *stage, comment string) error {
	createdBy := strings.Join(append(slices.Clone(s.shell()), "#(nop) ", comment), " ")
	return r.commit(ctx, s, createdBy, true, nil)
}

// commit makes the image of one step, or takes it from the cache: a child
// of the current image with the same createdBy and config. change, if not
// nil, changes a rootfs mounted from the current image, and what it changed
// becomes the step's layer. container says whether Docker shows the step's
// container ("Running in ...").
func (r *run) commit(ctx context.Context, s *stage, createdBy string, container bool, change func(context.Context, *Rootfs, string) error) error {
	var parentID string
	if s.img != nil {
		parentID = string(s.img.ID)
	}
	rec := StepResult{Stage: s.index, Instruction: r.current}
	if !r.opts.NoCache {
		hit, err := r.b.Images.FindChild(digest.Digest(parentID), createdBy, s.config)
		if err != nil {
			return err
		}
		if hit != nil {
			r.out.printf(" ---> Using cache\n ---> %s\n", short(hit.ID))
			s.img = hit
			rec.Image, rec.Cached = hit.ID, true
			rec.Layer = lastLayerNonEmpty(hit)
			r.steps = append(r.steps, rec)
			return nil
		}
	}
	id := newID()
	if container {
		r.out.printf(" ---> Running in %s\n", id[:12])
	}
	created, err := r.create(ctx, s, createdBy, id, change)
	if err != nil {
		return err
	}
	if container {
		r.out.printf(" ---> Removed intermediate container %s\n", id[:12])
	}
	r.out.printf(" ---> %s\n", short(created.ID))
	s.img = created
	rec.Image = created.ID
	rec.Layer = lastLayerNonEmpty(created)
	r.steps = append(r.steps, rec)
	return r.out.flushErr()
}

// create makes the image of a step that missed the cache.
func (r *run) create(ctx context.Context, s *stage, createdBy, id string, change func(context.Context, *Rootfs, string) error) (*image.Image, error) {
	opts := image.CreateOptions{
		Parent:    s.img,
		Config:    s.config,
		CreatedBy: createdBy,
		Author:    s.author,
	}
	if change == nil {
		res, err := r.b.Images.Create(ctx, opts)
		if err != nil {
			return nil, err
		}
		return res.Image, nil
	}
	root, err := r.b.Workspace.Mount(s.img)
	if err != nil {
		return nil, err
	}
	defer root.Release()
	if err := change(ctx, root, id); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(root.Upper)
	if err != nil {
		return nil, fmt.Errorf("reading the step's changes: %w", err)
	}
	if len(entries) == 0 {
		// Nothing changed: an empty_layer step, as in Docker.
		res, err := r.b.Images.Create(ctx, opts)
		if err != nil {
			return nil, err
		}
		return res.Image, nil
	}
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(layer.Diff(ctx, root.Upper, pw))
	}()
	opts.Layer = pr
	res, err := r.b.Images.Create(ctx, opts)
	pr.CloseWithError(errors.New("layer no longer read"))
	<-done
	if err != nil {
		return nil, err
	}
	return res.Image, nil
}

// lastLayerNonEmpty says whether the last history entry of img added a
// layer.
func lastLayerNonEmpty(img *image.Image) bool {
	h := img.Config.History
	return len(h) > 0 && !h[len(h)-1].EmptyLayer
}

// newID returns 64 random hex digits, the ID of a step's container.
func newID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// deepCopy copies a config through JSON, so the stage never shares maps
// or slices with the image it started from.
func deepCopy(dst *dockerspec.DockerOCIImageConfig, src dockerspec.DockerOCIImageConfig) error {
	b, err := json.Marshal(src)
	if err != nil {
		return err
	}
	*dst = dockerspec.DockerOCIImageConfig{}
	return json.Unmarshal(b, dst)
}

// setEnv sets name=value in env, replacing an earlier value.
func setEnv(env []string, name, value string) []string {
	for i, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == name {
			env[i] = name + "=" + value
			return env
		}
	}
	return append(env, name+"="+value)
}

// parsePorts turns an EXPOSE argument ("80", "53/udp", "8000-8002/tcp")
// into the config's port keys.
func parsePorts(spec string) ([]string, error) {
	p, proto, _ := strings.Cut(spec, "/")
	if proto == "" {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	switch proto {
	case "tcp", "udp", "sctp":
	default:
		return nil, fmt.Errorf("invalid proto: %s", proto)
	}
	lo, hi, isRange := strings.Cut(p, "-")
	start, err := strconv.ParseUint(lo, 10, 16)
	if err != nil || start == 0 {
		return nil, fmt.Errorf("invalid containerPort: %s", p)
	}
	end := start
	if isRange {
		if end, err = strconv.ParseUint(hi, 10, 16); err != nil || end < start {
			return nil, fmt.Errorf("invalid containerPort: %s", p)
		}
	}
	var keys []string
	for n := start; n <= end; n++ {
		keys = append(keys, fmt.Sprintf("%d/%s", n, proto))
	}
	return keys, nil
}

// checkSignal accepts what Docker accepts for STOPSIGNAL: a signal name,
// with or without SIG, or a number.
func checkSignal(sig string) error {
	if n, err := strconv.Atoi(sig); err == nil {
		if n <= 0 || n > 64 {
			return fmt.Errorf("invalid signal: %s", sig)
		}
		return nil
	}
	name := strings.ToUpper(sig)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if unix.SignalNum(name) == 0 {
		return fmt.Errorf("invalid signal: %s", sig)
	}
	return nil
}

// healthcheckString is a HEALTHCHECK as Docker writes it in the history:
// the Go quoted form of its config.
func healthcheckString(h *dockerspec.HealthcheckConfig) string {
	if h == nil {
		return "HEALTHCHECK <nil>"
	}
	return fmt.Sprintf("HEALTHCHECK &{%q %q %q %q %q %s}", h.Test, h.Interval, h.Timeout, h.StartPeriod, h.StartInterval, strconv.QuoteRune(rune(h.Retries)))
}
