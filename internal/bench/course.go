package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// rowCourse is the key of the course's row and of its target.
const rowCourse = "course"

// maxCourse is the target of the course: every lesson, done by itself,
// in less than this.
const maxCourse = 2 * time.Minute

// courseTimeout bounds the course's run: well past the target, so that a
// slow course is measured and misses it rather than being cut short.
const courseTimeout = 5 * time.Minute

// courseTailLines is how many of the last lines of its output a failed
// course quotes.
const courseTailLines = 8

// courseCommand is what runs the course, after the global options.
var courseCommand = []string{"leccion", "auto", "--todas"}

// courseDone is the line the course ends with when every lesson passed:
// "**✔ Curso completo: 15 lecciones en 10.8 s.**".
var courseDone = regexp.MustCompile(`(?m)^\**✔ Curso completo: (\d+) lecciones\b`)

// CourseBench is the whole course in auto mode, once, on a daemon of its
// own with a new data root: every step of every lesson run and checked
// against the engine.
type CourseBench struct {
	Row Row
	// Lessons is how many lessons the course said it completed.
	Lessons int
	// Tail are the last lines the course printed when it failed.
	Tail []string
}

// parseCourseDone returns how many lessons the course's output says were
// completed, or an error when it does not say the course was completed.
func parseCourseDone(out []byte) (int, error) {
	m := courseDone.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("the course ended without %q", "Curso completo")
	}
	n, err := strconv.Atoi(string(m[1]))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("the course says it completed %q lessons", m[1])
	}
	return n, nil
}

// tailLines returns the last n non-empty lines of out, without the
// carriage returns or the blanks at either end.
func tailLines(out []byte, n int) []string {
	var lines []string
	for line := range strings.Lines(string(out)) {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return lines[max(0, len(lines)-n):]
}

// measureCourse starts a bolsillod of its own on a new data root under the
// bench's directory, creates busybox with lab init, times one run of the
// whole course in auto mode, with the progress and the lessons' folders
// in directories of their own, and stops that daemon.
func (b *bench) measureCourse(ctx context.Context) {
	cb := &CourseBench{Row: Row{Key: rowCourse, Label: "bolsillo " + strings.Join(courseCommand, " ")}}
	b.report.Course = cb
	fail := func(err error) { cb.Row.Err = err.Error() }

	dir := filepath.Join(b.dir, "curso")
	if err := os.Mkdir(dir, 0o755); err != nil {
		fail(err)
		return
	}
	b.progress("arrancando otro bolsillod, con un data root nuevo, para el curso en %s", dir)
	d, err := startDaemon(ctx, b.bin, dir)
	if err != nil {
		fail(err)
		return
	}
	defer func() {
		b.progress("deteniendo el bolsillod del curso (PID %d) con SIGTERM", d.pid())
		if err := d.stop(); err != nil {
			b.cleanup("%v", err)
		}
	}()
	if _, err := output(ctx, d.cli("lab", "init"), nil); err != nil {
		fail(err)
		return
	}

	// With explanations, as a student runs it; no lesson of the user's
	// progress is touched.
	argv := append([]string{filepath.Join(d.bin, "bolsillo"), "-H", d.host()}, courseCommand...)
	cb.Row.Command = argv
	env := cleanEnv(os.Environ(), []string{"BOLSILLO_EXPLICAR"},
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"BOLSILLO_LECCIONES="+filepath.Join(dir, "lecciones"))
	b.progress("el curso entero: %s", strings.Join(courseCommand, " "))
	elapsed, out, err := timeCourse(ctx, argv, env)
	if err == nil {
		cb.Lessons, err = parseCourseDone(out)
	}
	if err != nil {
		fail(err)
		cb.Tail = tailLines(out, courseTailLines)
		return
	}
	cb.Row.Samples = []time.Duration{elapsed}
}

// timeCourse runs argv with both outputs in one buffer, in the order they
// were written, and returns its wall time and that output, which it also
// returns when the command failed.
func timeCourse(ctx context.Context, argv, env []string) (time.Duration, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, courseTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("%w after %s", err, courseTimeout)
		}
		return 0, out.Bytes(), fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	return elapsed, out.Bytes(), nil
}

// courseTarget checks the goal of the course: all of it in less than
// maxCourse. Its value is in seconds.
func (r *Report) courseTarget() Target {
	t := Target{
		Key:   rowCourse,
		Goal:  fmt.Sprintf("el curso entero en menos de %d minutos", int(maxCourse.Minutes())),
		Limit: maxCourse.Seconds(),
		Note:  "sin medir",
	}
	if d, ok := r.median(rowCourse); ok {
		t.Value = d.Seconds()
		t.Met = ptr(d < maxCourse)
		t.Note = ""
	}
	return t
}

// writeText prints the course's section.
func (c *CourseBench) writeText(b *strings.Builder) {
	b.WriteString("\nEl curso entero en modo automático, en otro bolsillod con un data root nuevo\n" +
		"  Tras `bolsillo lab init`, sin contarlo, una sola ejecución con las explicaciones puestas: cada\n" +
		"  paso de cada lección corre y se comprueba contra el motor.\n")
	if c.Row.Err != "" {
		fmt.Fprintf(b, "  %s: no se pudo medir: %s\n", c.Row.Label, c.Row.Err)
		if len(c.Tail) > 0 {
			b.WriteString("  Sus últimas líneas:\n")
			for _, line := range c.Tail {
				fmt.Fprintf(b, "    %s\n", line)
			}
		}
		return
	}
	t := table{indent: "  ", right: []bool{false, true, true}}
	if len(c.Row.Samples) > 0 {
		t.add(c.Row.Label, fmt.Sprintf("%d lecciones", c.Lessons), formatSeconds(c.Row.Samples[0]))
	}
	t.WriteTo(b)
}

// jsonCourse is the raw form of a CourseBench.
type jsonCourse struct {
	Command []string `json:"command"`
	Lessons int      `json:"lessons,omitempty"`
	Seconds float64  `json:"seconds,omitempty"`
	Error   string   `json:"error,omitempty"`
	Tail    []string `json:"tail,omitempty"`
}

// json returns the raw form of c.
func (c *CourseBench) json() *jsonCourse {
	out := &jsonCourse{Command: c.Row.Command, Lessons: c.Lessons, Error: c.Row.Err, Tail: c.Tail}
	if len(c.Row.Samples) > 0 {
		out.Seconds = c.Row.Samples[0].Seconds()
	}
	return out
}
