package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/containerd/console"
)

// maxExplainCost is the target of the explanations: printing one adds less
// than this to a command, on a terminal, where it is rendered.
const maxExplainCost = 20 * time.Millisecond

// explainTargetKey names the target of the explanation rows.
const explainTargetKey = "explain-tty-added"

// The terminal the tty rows give the CLI's standard error: the size of a
// usual terminal window and a TERM with colors, as a student has.
const (
	ptyCols = 100
	ptyRows = 30
	ptyTerm = "xterm-256color"
)

// ptyDrainTimeout bounds the wait for the rest of what the terminal shows
// after the command ended.
const ptyDrainTimeout = 5 * time.Second

// explainMode is one way a command prints its explanation.
type explainMode int

const (
	explainOff  explainMode = iota // --explicar=false
	explainPipe                    // plain Markdown to a pipe
	explainTTY                     // stderr on a terminal: laid out and colored
)

var explainModes = []explainMode{explainOff, explainPipe, explainTTY}

// key is the part of a row's key that names the mode.
func (m explainMode) key() string { return [...]string{"off", "pipe", "tty"}[m] }

// label names the mode in a row's label.
func (m explainMode) label() string {
	return [...]string{"--explicar=false", "explicación a una tubería", "explicación en la terminal"}[m]
}

// flag is the CLI's option for the mode: explanations are on by default,
// but BOLSILLO_EXPLICAR is removed from the environment and the flag says
// it anyway, so that nothing but the flag decides.
func (m explainMode) flag() string {
	if m == explainOff {
		return "--explicar=false"
	}
	return "--explicar=true"
}

// explainCommand is one command whose explanation is timed.
type explainCommand struct {
	key  string   // in the rows' keys
	args []string // after the global options
}

// explainCommands are the commands timed in every mode: two that only read
// and one that creates, runs and removes a container.
var explainCommands = []explainCommand{
	{key: "ps", args: []string{"ps"}},
	{key: "images", args: []string{"images"}},
	{key: "run", args: []string{"run", "--rm", "busybox", "true"}},
}

// explainKey returns the key of the row of command key in mode m, such as
// "explain-ps-tty".
func explainKey(command string, m explainMode) string {
	return "explain-" + command + "-" + m.key()
}

// label is the command as a student types it.
func (c explainCommand) label() string { return "bolsillo " + strings.Join(c.args, " ") }

// ExplainBench is what printing an explanation costs: each command of
// explainCommands timed without explanations, with them to a pipe and with
// them on a terminal, the three one after another in every round.
type ExplainBench struct {
	// Rows go command by command, the modes in the order of explainModes.
	Rows []Row
}

// explainAdded is the cost of one command's explanation: the median with
// it minus the median without it.
type explainAdded struct {
	Command string // its label
	Verb    string // "bolsillo" and its first argument, for the target
	// Pipe and TTY are the added cost to a pipe and on a terminal; the
	// have flags say whether both of the rows involved were measured.
	Pipe, TTY         time.Duration
	HavePipe, HaveTTY bool
}

// explainAdded returns the added cost of each command, in the order of
// explainCommands.
func (r *Report) explainAdded() []explainAdded {
	var out []explainAdded
	for _, c := range explainCommands {
		a := explainAdded{Command: c.label(), Verb: "bolsillo " + c.args[0]}
		off, haveOff := r.median(explainKey(c.key, explainOff))
		if pipe, ok := r.median(explainKey(c.key, explainPipe)); ok && haveOff {
			a.Pipe, a.HavePipe = pipe-off, true
		}
		if tty, ok := r.median(explainKey(c.key, explainTTY)); ok && haveOff {
			a.TTY, a.HaveTTY = tty-off, true
		}
		out = append(out, a)
	}
	return out
}

// explainWorst returns the command whose explanation on a terminal costs
// the most, and that cost; false when any command lacks the figure: the
// worst of some is not the worst.
func (r *Report) explainWorst() (explainAdded, bool) {
	if r.Explain == nil {
		return explainAdded{}, false
	}
	var worst explainAdded
	for i, a := range r.explainAdded() {
		if !a.HaveTTY {
			return explainAdded{}, false
		}
		if i == 0 || a.TTY > worst.TTY {
			worst = a
		}
	}
	return worst, true
}

// explainTarget checks the goal of the explanations: on a terminal, where
// it costs the most, an explanation adds less than maxExplainCost to every
// command.
func (r *Report) explainTarget() Target {
	t := Target{
		Key:   explainTargetKey,
		Goal:  fmt.Sprintf("la explicación añade menos de %d ms", maxExplainCost.Milliseconds()),
		Limit: millis(maxExplainCost),
	}
	worst, ok := r.explainWorst()
	if !ok {
		t.Note = "sin medir"
		return t
	}
	t.Value = millis(worst.TTY)
	t.Met = ptr(worst.TTY < maxExplainCost)
	t.Note = "peor caso: " + worst.Command
	return t
}

// formatAdded prints an added cost with its sign: noise can make it negative.
func formatAdded(d time.Duration) string {
	return fmt.Sprintf("%+.1f ms", float64(d)/float64(time.Millisecond))
}

// explainBaseline compares each explanation row with the same command
// without explanations.
func explainBaseline(key string) string {
	for _, m := range explainModes {
		if c, ok := strings.CutSuffix(key, "-"+m.key()); ok {
			return c + "-" + explainOff.key()
		}
	}
	return key
}

// writeText prints the explanation section: the rows, then what each
// explanation adds.
func (e *ExplainBench) writeText(b *strings.Builder, r *Report) {
	fmt.Fprintf(b, "\nCoste de una explicación, con el bolsillod de arriba\n"+
		"  Cada comando de tres maneras, por turnos en cada vuelta: con --explicar=false; con la explicación\n"+
		"  en Markdown a una tubería; y con stderr en una pseudoterminal (%dx%d, TERM=%s),\n"+
		"  donde bolsillo la dibuja con colores, como la ve un estudiante. Cada salida se comprueba.\n"+
		"  «vs bolsillo» compara con el mismo comando con --explicar=false.\n",
		ptyCols, ptyRows, ptyTerm)
	r.writeTimes(b, e.Rows, explainBaseline, "")
	added := table{
		indent: "  ",
		header: []string{"lo que añade la explicación (diferencia de medianas)", "a una tubería", "en la terminal"},
		right:  []bool{false, true, true},
	}
	for _, a := range r.explainAdded() {
		pipe, tty := "-", "-"
		if a.HavePipe {
			pipe = formatAdded(a.Pipe)
		}
		if a.HaveTTY {
			tty = formatAdded(a.TTY)
		}
		added.add(a.Command, pipe, tty)
	}
	b.WriteByte('\n')
	added.WriteTo(b)
}

// jsonExplain is the raw form of an ExplainBench.
type jsonExplain struct {
	Terminal     string            `json:"terminal"`
	Measurements []jsonRow         `json:"measurements"`
	Added        []jsonExplainCost `json:"added_ms"`
}

type jsonExplainCost struct {
	Command string   `json:"command"`
	Pipe    *float64 `json:"pipe"`
	TTY     *float64 `json:"tty"`
}

// json returns the raw form of e.
func (e *ExplainBench) json(r *Report) *jsonExplain {
	out := &jsonExplain{
		Terminal:     fmt.Sprintf("%dx%d TERM=%s", ptyCols, ptyRows, ptyTerm),
		Measurements: jsonRows(e.Rows),
	}
	for _, a := range r.explainAdded() {
		c := jsonExplainCost{Command: a.Command}
		if a.HavePipe {
			c.Pipe = ptr(millis(a.Pipe))
		}
		if a.HaveTTY {
			c.TTY = ptr(millis(a.TTY))
		}
		out.Added = append(out.Added, c)
	}
	return out
}

// measureExplain times every command of explainCommands against d in every
// mode and records the rows in the report. The modes of one command take
// turns in each round, so that a slow moment of the machine falls on all
// three alike.
func (b *bench) measureExplain(ctx context.Context, d *daemon) {
	eb := &ExplainBench{}
	b.report.Explain = eb
	// An empty configuration: no lesson of the user is active, so no
	// lesson check runs after each command.
	home := filepath.Join(b.dir, "explicar")
	env := cleanEnv(os.Environ(), []string{"BOLSILLO_EXPLICAR", "NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM"},
		"TERM="+ptyTerm,
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"BOLSILLO_LECCIONES="+filepath.Join(home, "lecciones"))

	for _, c := range explainCommands {
		rows := make([]Row, len(explainModes))
		runs := make([]func(context.Context) (time.Duration, error), len(explainModes))
		for i, m := range explainModes {
			argv := append([]string{filepath.Join(d.bin, "bolsillo"), "-H", d.host(), m.flag()}, c.args...)
			rows[i] = Row{Key: explainKey(c.key, m), Label: c.label() + ", " + m.label(), Command: argv}
			runs[i] = func(ctx context.Context) (time.Duration, error) { return timeExplain(ctx, argv, env, m) }
		}
		b.progress("%d + %d vueltas de %s: sin explicación, a una tubería y en una pseudoterminal", b.opts.warmups, b.opts.runs, c.label())
		samples, errs := measureTurns(ctx, b.opts.warmups, b.opts.runs, runs)
		for i := range rows {
			switch {
			case runs[i] == nil:
			case errs[i] != nil:
				rows[i].Err = errs[i].Error()
			default:
				rows[i].Samples = samples[i]
			}
		}
		eb.Rows = append(eb.Rows, rows...)
		if ctx.Err() != nil {
			return
		}
	}
}

// cleanEnv returns env without the variables named in drop, followed by add.
func cleanEnv(env, drop []string, add ...string) []string {
	out := make([]string, 0, len(env)+len(add))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(drop, name) {
			out = append(out, kv)
		}
	}
	return append(out, add...)
}

// timeExplain runs argv once in mode m and returns its wall time, from just
// before the fork to just after the exit has been reaped; in explainTTY,
// the terminal exists before the clock starts, as a student's does. It
// checks that the command printed its explanation as m says it should.
func timeExplain(ctx context.Context, argv, env []string, m explainMode) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	if m != explainTTY {
		cmd.Stderr = &stderr
		start := time.Now()
		err := cmd.Run()
		elapsed := time.Since(start)
		if err != nil {
			return 0, commandError(argv, err, stderr.Bytes())
		}
		return elapsed, checkExplanation(argv, m, stderr.Bytes())
	}

	tty, err := newTerminal()
	if err != nil {
		return 0, err
	}
	defer tty.close()
	cmd.Stderr = tty.slave
	start := time.Now()
	err = cmd.Start()
	tty.slave.Close() // the child has its own copy now
	if err == nil {
		err = cmd.Wait()
	}
	elapsed := time.Since(start)
	shown := tty.drain()
	if err != nil {
		return 0, commandError(argv, err, shown)
	}
	return elapsed, checkExplanation(argv, m, shown)
}

// checkExplanation checks what a command printed on its standard error in
// mode m: no explanation with --explicar=false; plain Markdown, which
// starts with a heading, to a pipe; and, on a terminal, the ANSI escapes
// of its colors, which plain Markdown never has.
func checkExplanation(argv []string, m explainMode, stderr []byte) error {
	heading := bytes.HasPrefix(stderr, []byte("# ")) || bytes.Contains(stderr, []byte("\n# "))
	ansi := bytes.Contains(stderr, []byte("\x1b["))
	var problem string
	switch {
	case m == explainOff && heading:
		problem = "printed an explanation with --explicar=false"
	case m == explainPipe && !heading:
		problem = "printed no Markdown explanation to a pipe"
	case m == explainPipe && ansi:
		problem = "printed terminal escapes to a pipe"
	case m == explainTTY && !ansi:
		problem = "printed no rendered explanation on a terminal"
	default:
		return nil
	}
	return fmt.Errorf("%s: %s: %q", strings.Join(argv, " "), problem, lastLine(stderr))
}

// lastLine returns the last non-empty line of b, at most 200 bytes of it.
func lastLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[i+1:])
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// terminal is a new pseudo-terminal whose output is read as it comes, so
// that a program writing to it never blocks on a full buffer.
type terminal struct {
	master  console.Console
	slave   *os.File
	out     bytes.Buffer
	drained chan struct{}
}

// newTerminal opens a pseudo-terminal of ptyCols by ptyRows and starts
// reading what it shows.
func newTerminal() (*terminal, error) {
	master, slavePath, err := console.NewPty()
	if err != nil {
		return nil, fmt.Errorf("opening a pseudo-terminal: %w", err)
	}
	if err := master.Resize(console.WinSize{Height: ptyRows, Width: ptyCols}); err != nil {
		master.Close()
		return nil, fmt.Errorf("sizing the pseudo-terminal: %w", err)
	}
	// O_NOCTTY: the terminal is the command's stderr, never this
	// program's controlling terminal.
	slave, err := os.OpenFile(slavePath, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, fmt.Errorf("opening %s: %w", slavePath, err)
	}
	t := &terminal{master: master, slave: slave, drained: make(chan struct{})}
	go func() {
		defer close(t.drained)
		// It ends with EIO once every copy of the slave is closed.
		_, _ = io.Copy(&t.out, master)
	}()
	return t, nil
}

// drain waits until everything the terminal received was read, and
// returns it. The command must have ended and the slave be closed.
func (t *terminal) drain() []byte {
	select {
	case <-t.drained:
	case <-time.After(ptyDrainTimeout):
		// Something still holds the slave: closing the master ends
		// the read.
		t.master.Close()
		<-t.drained
	}
	return t.out.Bytes()
}

// close releases both ends; what was not read yet is lost.
func (t *terminal) close() {
	t.slave.Close()
	t.master.Close()
	<-t.drained
}
