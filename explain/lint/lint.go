// Package lint checks a Dockerfile and its build context against the good
// practices of the course ("buenas prácticas": few layers, no unnecessary
// packages, COPY rather than ADD, metadata in LABEL, a user that is not
// root, one service per container...) and explains each finding in Spanish:
// the rule, the line as the student wrote it, why it matters and how to fix
// it, with the student's own line rewritten when possible.
//
// The Dockerfile is parsed with BuildKit's parser, the same one the engine
// builds with. Where BuildKit's own build checks cover a rule
// (JSONArgsRecommended, MaintainerDeprecated, StageNameCasing...), the
// finding names that check too. The .dockerignore checks (a missing file, a
// comment on a pattern's line, a pattern that excludes what a COPY needs)
// use moby's patternmatcher, as the build does.
//
// Nothing here talks to a daemon.
package lint

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Severity says how much a finding matters.
type Severity int

const (
	// Info is a suggestion: the image works, it could be better.
	Info Severity = iota
	// Warning is a practice that makes the image bigger, slower to build,
	// less safe or harder to run.
	Warning
	// Error is something that will make the build fail or hang.
	Error
)

// String returns the Spanish name the student reads.
func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "aviso"
	}
	return "consejo"
}

// MarshalText encodes the severity for tools: "error", "warning" or "info".
func (s Severity) MarshalText() ([]byte, error) {
	switch s {
	case Error:
		return []byte("error"), nil
	case Warning:
		return []byte("warning"), nil
	}
	return []byte("info"), nil
}

// UnmarshalText decodes what MarshalText writes.
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "error":
		*s = Error
	case "warning":
		*s = Warning
	case "info":
		*s = Info
	default:
		return fmt.Errorf("unknown severity %q", b)
	}
	return nil
}

// Finding is one good practice the Dockerfile (or its context) does not
// follow.
type Finding struct {
	// Rule is the stable identifier of the rule, "BP" and three digits.
	Rule string `json:"rule"`
	// Name is the rule's short name, in Spanish kebab-case.
	Name     string   `json:"name"`
	Severity Severity `json:"severity"`
	// File is the file the finding is about: the Dockerfile as given, or
	// the .dockerignore.
	File string `json:"file"`
	// Line and EndLine are the 1-based lines of the instruction (an
	// instruction continued with \ spans several); 0 when the finding is
	// about the whole context.
	Line    int `json:"line"`
	EndLine int `json:"end_line"`
	// Source is the instruction as written, every line of it.
	Source string `json:"source,omitempty"`
	// Message says what was found, in one sentence.
	Message string `json:"message"`
	// Why explains what goes wrong.
	Why string `json:"why"`
	// Fix says what to do.
	Fix string `json:"fix"`
	// Example is the student's own line(s) rewritten, ready to paste.
	Example string `json:"example,omitempty"`
	// BuildKit names BuildKit's build check for the same practice, if any.
	BuildKit string `json:"buildkit,omitempty"`
}

// Context is where the build would run: the build context directory and the
// Dockerfile's path. The .dockerignore checks read the directory; with an
// empty Dir they are skipped.
type Context struct {
	// Dir is the build context directory, as the student gave it.
	Dir string
	// Dockerfile is the Dockerfile's path as the student gave it (relative
	// to the current directory, like build -f); it names the file in the
	// findings, and a "<Dockerfile>.dockerignore" beside it replaces the
	// context's .dockerignore, as in build. Empty means "Dockerfile".
	Dockerfile string
}

// name returns how findings name the Dockerfile.
func (c Context) name() string {
	if c.Dockerfile == "" {
		return "Dockerfile"
	}
	return c.Dockerfile
}

// instruction is one Dockerfile instruction with what the rules need.
type instruction struct {
	kw      string   // keyword, upper case
	keyword string   // keyword as written
	args    []string // the parser's arguments
	flags   []string // --from=..., --mount=...
	json    bool     // exec (JSON) form
	line    int
	endLine int
	source  string // the lines as written
	node    *parser.Node
}

// text returns the shell-form argument, or the JSON arguments joined.
func (in *instruction) text() string {
	return strings.Join(in.args, " ")
}

// flag returns the value of --name=value (or "" and false).
func (in *instruction) flag(name string) (string, bool) {
	for _, f := range in.flags {
		if v, ok := strings.CutPrefix(f, "--"+name+"="); ok {
			return v, true
		}
		if f == "--"+name {
			return "", true
		}
	}
	return "", false
}

// commands returns the shell commands a RUN, CMD or ENTRYPOINT runs: its
// shell-form line, the script of "sh -c" in JSON form, and heredocs.
func (in *instruction) commands() []command {
	var cmds []command
	switch {
	case in.json:
		if len(in.args) >= 3 && isShell(in.args[0]) && in.args[1] == "-c" {
			cmds = splitCommands(in.args[2])
		} else if len(in.args) > 0 {
			cmds = []command{{args: in.args}}
		}
	case len(in.node.Heredocs) > 0:
		for _, h := range in.node.Heredocs {
			cmds = append(cmds, splitCommands(h.Content)...)
		}
	default:
		cmds = splitCommands(in.text())
	}
	return cmds
}

func isShell(s string) bool {
	switch filepath.Base(s) {
	case "sh", "bash", "ash", "dash", "zsh":
		return true
	}
	return false
}

// stage is one FROM and the instructions after it.
type stage struct {
	index  int
	from   *instruction
	image  string // the base image as written
	name   string // the name after AS
	instrs []*instruction
}

// linter holds one run of the rules.
type linter struct {
	ctx    Context
	lines  []string
	all    []*instruction
	stages []*stage
	out    []Finding
}

// Lint checks dockerfile (the file's content) and, when ctx.Dir is set, the
// build context and its .dockerignore. Findings come sorted: the
// Dockerfile's by line, then the .dockerignore's, then the context's. A
// Dockerfile that does not parse gives a single BP000 finding.
func Lint(dockerfile []byte, ctx Context) []Finding {
	l := &linter{ctx: ctx, lines: strings.Split(strings.ReplaceAll(string(dockerfile), "\r\n", "\n"), "\n")}
	res, err := parser.Parse(bytes.NewReader(dockerfile))
	if err != nil {
		l.add(ruleInvalid, nil, finding{
			message: "El Dockerfile no se puede leer",
			why:     fmt.Sprintf("El parser de Dockerfile dice: %s. Ni `build` ni las demás reglas pueden seguir.", err),
			fix:     "Corrige la sintaxis en esa línea: cada instrucción empieza por su palabra clave (`FROM`, `RUN`, `COPY`...) y las líneas largas se continúan con `\\` al final.",
		})
		return l.out
	}
	l.load(res.AST)
	if len(l.all) == 0 {
		l.add(ruleInvalid, nil, finding{
			message: "El Dockerfile no tiene instrucciones",
			why:     "Un Dockerfile vacío (o solo con comentarios) no construye nada: `build` falla.",
			fix:     "Empieza por la imagen base, por ejemplo `FROM busybox`, y sigue con las instrucciones de tu aplicación.",
			example: "FROM busybox\nCMD [\"echo\", \"hola\"]",
		})
		return l.out
	}
	if len(l.stages) == 0 {
		l.add(ruleInvalid, l.all[0], finding{
			message: "Falta `FROM`",
			why:     "Toda imagen parte de una imagen base, y `FROM` la elige: sin él `build` falla. Antes de `FROM` solo puede ir `ARG`.",
			fix:     "Escribe `FROM` con la imagen base como primera instrucción.",
			example: "FROM busybox",
		})
		return l.out
	}
	for _, check := range dockerfileChecks {
		check(l)
	}
	l.checkContext()
	l.sort()
	return l.out
}

// load builds the instruction and stage lists from the parser's tree.
func (l *linter) load(ast *parser.Node) {
	var cur *stage
	for _, n := range ast.Children {
		in := &instruction{
			kw:      strings.ToUpper(n.Value),
			keyword: n.Value,
			flags:   n.Flags,
			json:    n.Attributes["json"],
			line:    n.StartLine,
			endLine: n.EndLine,
			node:    n,
		}
		if f := strings.Fields(n.Original); len(f) > 0 {
			in.keyword = f[0]
		}
		for a := n.Next; a != nil; a = a.Next {
			in.args = append(in.args, a.Value)
		}
		in.source = l.source(in.line, in.endLine)
		l.all = append(l.all, in)
		if in.kw == "FROM" {
			cur = &stage{index: len(l.stages), from: in}
			if len(in.args) > 0 {
				cur.image = in.args[0]
			}
			if len(in.args) >= 3 && strings.EqualFold(in.args[1], "AS") {
				cur.name = in.args[2]
			}
			l.stages = append(l.stages, cur)
			continue
		}
		if cur != nil {
			cur.instrs = append(cur.instrs, in)
		}
	}
}

// source returns lines start..end (1-based) as written.
func (l *linter) source(start, end int) string {
	if start < 1 || start > len(l.lines) {
		return ""
	}
	end = min(max(end, start), len(l.lines))
	return strings.Join(l.lines[start-1:end], "\n")
}

// final returns the last stage, the one build tags unless --target says
// otherwise.
func (l *linter) final() *stage {
	return l.stages[len(l.stages)-1]
}

// inImage reports whether stage s ends up in the final image: the final
// stage and the stages it is built FROM, transitively. Stages only copied
// from with COPY --from leave nothing of their own in it.
func (l *linter) inImage(s *stage) bool {
	for cur := l.final(); cur != nil; {
		if cur == s {
			return true
		}
		cur = l.stageNamed(cur.image, cur.index)
	}
	return false
}

// stageNamed returns the stage before index called name, or nil.
func (l *linter) stageNamed(name string, before int) *stage {
	for _, s := range l.stages[:before] {
		if s.name != "" && strings.EqualFold(s.name, name) {
			return s
		}
	}
	return nil
}

// finding is what a rule fills in; add completes it from the rule table.
type finding struct {
	message, why, fix, example string
	file                       string // "" for the Dockerfile
	line, endLine              int    // with file, or when in is nil
	source                     string
}

// add records a finding of rule r about in (nil: no instruction).
func (l *linter) add(r Rule, in *instruction, f finding) {
	out := Finding{
		Rule:     r.ID,
		Name:     r.Name,
		Severity: r.Severity,
		BuildKit: r.BuildKit,
		File:     f.file,
		Line:     f.line,
		EndLine:  f.endLine,
		Source:   f.source,
		Message:  f.message,
		Why:      f.why,
		Fix:      f.fix,
		Example:  f.example,
	}
	if out.File == "" {
		out.File = l.ctx.name()
	}
	if in != nil {
		out.Line, out.EndLine, out.Source = in.line, in.endLine, in.source
	}
	if out.EndLine < out.Line {
		out.EndLine = out.Line
	}
	l.out = append(l.out, out)
}

// sort orders findings: the Dockerfile first, by line and rule; then the
// .dockerignore by line; then findings about the whole context.
func (l *linter) sort() {
	rank := func(f Finding) int {
		switch {
		case f.Line == 0 && f.File != l.ctx.name():
			return 2
		case f.File != l.ctx.name():
			return 1
		}
		return 0
	}
	slices.SortStableFunc(l.out, func(a, b Finding) int {
		if c := rank(a) - rank(b); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.Rule, b.Rule)
	})
}

// Count returns how many findings have each severity.
func Count(findings []Finding) (errors, warnings, infos int) {
	for _, f := range findings {
		switch f.Severity {
		case Error:
			errors++
		case Warning:
			warnings++
		default:
			infos++
		}
	}
	return errors, warnings, infos
}
