package build

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"bolsillo/engine/backend"
)

// plan is a parsed Dockerfile and what to build of it.
type plan struct {
	file   string // the Dockerfile's path in the context
	lines  []string
	escape rune

	metaArgs []instructions.ArgCommand
	// metaEnv holds the values of the ARGs before the first FROM, with the
	// build args applied.
	metaEnv map[string]string
	stages  []instructions.Stage
	// bases are the expanded FROM names of stages.
	bases []string
	// needed says which stages the target depends on.
	needed []bool
	target int

	buildArgs map[string]*string
	// labels is a LABEL instruction added to the target stage for the
	// labels of the request, as Docker adds it.
	labels instructions.Command
	total  int
}

// proxyArgs are the build args every Dockerfile may use without declaring
// them; their values stay out of the image history.
var proxyArgs = map[string]bool{
	"HTTP_PROXY": true, "http_proxy": true,
	"HTTPS_PROXY": true, "https_proxy": true,
	"FTP_PROXY": true, "ftp_proxy": true,
	"NO_PROXY": true, "no_proxy": true,
	"ALL_PROXY": true, "all_proxy": true,
}

// parseDockerfile parses df and works out which stages the target needs.
func parseDockerfile(name string, df []byte, opts backend.BuildOptions) (*plan, error) {
	p := &plan{file: name, lines: strings.Split(string(df), "\n"), buildArgs: opts.BuildArgs}
	res, err := parser.Parse(bytes.NewReader(df))
	if err != nil {
		return nil, p.locate(err, 0)
	}
	p.escape = res.EscapeToken
	if len(res.AST.Children) == 0 {
		return nil, errors.New("the Dockerfile cannot be empty")
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return nil, p.locate(err, 0)
	}
	if len(stages) == 0 {
		return nil, errors.New("no build stage in current context")
	}
	p.stages, p.metaArgs = stages, metaArgs

	// The ARGs before FROM: only FROM lines and stages that redeclare
	// them see them.
	p.metaEnv = map[string]string{}
	lex := shell.NewLex(p.escape)
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			key := kv.Key
			if v, ok := p.argValue(key); ok {
				p.metaEnv[key] = v
				continue
			}
			if kv.Value != nil {
				v, _, err := lex.ProcessWord(*kv.Value, envMap(p.metaEnv))
				if err != nil {
					return nil, p.locate(err, a.Location()[0].Start.Line)
				}
				p.metaEnv[key] = v
			}
		}
	}
	p.bases = make([]string, len(stages))
	for i, s := range stages {
		base, _, err := lex.ProcessWord(s.BaseName, envMap(p.metaEnv))
		if err != nil {
			return nil, p.locate(err, s.Location[0].Start.Line)
		}
		if base == "" {
			return nil, p.locate(errors.New("base name ("+s.BaseName+") should not be blank"), s.Location[0].Start.Line)
		}
		p.bases[i] = base
	}

	p.target = len(stages) - 1
	if opts.Target != "" {
		i, ok := instructions.HasStage(stages, opts.Target)
		if !ok {
			return nil, fmt.Errorf("failed to reach build target %s in Dockerfile", opts.Target)
		}
		p.target = i
	}
	p.needed = make([]bool, len(stages))
	p.need(p.target)

	if len(opts.Labels) > 0 {
		var b strings.Builder
		b.WriteString("LABEL")
		for _, k := range sortedKeys(opts.Labels) {
			fmt.Fprintf(&b, " %q=%q", k, opts.Labels[k])
		}
		ast, err := parser.Parse(strings.NewReader(b.String()))
		if err != nil {
			return nil, err
		}
		cmd, err := instructions.ParseCommand(ast.AST.Children[0])
		if err != nil {
			return nil, err
		}
		p.labels = cmd
	}

	p.total = len(metaArgs)
	for i, s := range stages {
		if p.needed[i] {
			p.total += 1 + len(s.Commands)
		}
	}
	if p.labels != nil {
		p.total++
	}
	return p, nil
}

// need marks stage i and the stages it builds on or copies from.
func (p *plan) need(i int) {
	if p.needed[i] {
		return
	}
	p.needed[i] = true
	if j, ok := p.stageRef(p.bases[i], i); ok {
		p.need(j)
	}
	for _, c := range p.stages[i].Commands {
		if cp, ok := c.(*instructions.CopyCommand); ok && cp.From != "" {
			from := cp.From
			// --from may use the stage's ARGs; the meta ARGs are the
			// ones known before the stage runs.
			if v, _, err := shell.NewLex(p.escape).ProcessWord(from, envMap(p.metaEnv)); err == nil {
				from = v
			}
			if j, ok := p.stageRef(from, i); ok {
				p.need(j)
			}
		}
	}
}

// stageRef resolves a FROM or --from name to an earlier stage than
// current: by name (case-insensitive) or, for --from, by index.
func (p *plan) stageRef(name string, current int) (int, bool) {
	for j := 0; j < current; j++ {
		if p.stages[j].Name != "" && strings.EqualFold(p.stages[j].Name, name) {
			return j, true
		}
	}
	if n, err := strconv.Atoi(name); err == nil && n >= 0 && n < current {
		return n, true
	}
	return 0, false
}

// argValue is the value given with --build-arg for key, if any.
func (p *plan) argValue(key string) (string, bool) {
	v, ok := p.buildArgs[key]
	if !ok || v == nil {
		return "", false
	}
	return *v, true
}

// unusedArgs are the build args that no ARG declared (Docker warns).
func (p *plan) unusedArgs(used map[string]bool) []string {
	var out []string
	for k := range p.buildArgs {
		if !used[k] && !proxyArgs[k] {
			if _, ok := p.metaEnv[k]; ok {
				continue
			}
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// locate wraps err with the Dockerfile line it is about: the line the
// parser recorded, else line.
func (p *plan) locate(err error, line int) error {
	var loc *parser.LocationError
	if errors.As(err, &loc) && len(loc.Locations) > 0 && len(loc.Locations[0]) > 0 {
		line = loc.Locations[0][0].Start.Line
	}
	var unknown *instructions.UnknownInstructionError
	if errors.As(err, &unknown) {
		line = unknown.Line
		err = unknown
	} else {
		err = unwrapParseError(err)
	}
	if line <= 0 {
		return fmt.Errorf("dockerfile parse error: %w", err)
	}
	return &InstructionError{File: p.file, Line: line, Instruction: p.line(line), Err: err}
}

// unwrapParseError drops the "dockerfile parse error on line N:" prefix
// (InstructionError says where) and the location wrapper.
func unwrapParseError(err error) error {
	for {
		var loc *parser.LocationError
		if errors.As(err, &loc) && loc.Unwrap() != nil {
			err = loc.Unwrap()
			continue
		}
		if strings.HasPrefix(err.Error(), "dockerfile parse error on line ") {
			if u := errors.Unwrap(err); u != nil {
				err = u
				continue
			}
		}
		return err
	}
}

// line is the 1-based line n of the Dockerfile, trimmed.
func (p *plan) line(n int) string {
	if n < 1 || n > len(p.lines) {
		return ""
	}
	return strings.TrimSpace(p.lines[n-1])
}

// envMap is a shell.EnvGetter over a map.
type envMap map[string]string

func (m envMap) Get(k string) (string, bool) { v, ok := m[k]; return v, ok }

func (m envMap) Keys() []string { return sortedKeys(m) }
