package explain

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

const (
	// maxWidth caps word wrapping on wide terminals.
	maxWidth = 100
	// fallbackWidth is used when the terminal does not report its size.
	fallbackWidth = 80
	// rendererName is the binary that renders Markdown for a terminal; see
	// package bolsillo/explain/render for why it is a binary of its own.
	rendererName = "bolsillo-render"
)

// renderFunc writes markdown rendered for a terminal of the given width to
// w, or returns an error having written nothing.
type renderFunc func(w io.Writer, markdown string, width int) error

// Printer writes explanations, normally to stderr: rendered for the terminal
// when the writer is one, plain Markdown otherwise. Printing never fails the
// command: if rendering fails, the plain Markdown is written instead.
type Printer struct {
	w       io.Writer
	enabled bool

	tty    bool // render for a terminal of this width
	width  int
	render renderFunc

	mu sync.Mutex // serializes Print
}

// NewPrinter returns a Printer of explanations writing to w. When w is an
// *os.File attached to a terminal, they are laid out for that terminal's
// width (at most 100 columns), in color unless NO_COLOR is set or TERM is
// dumb (term.go); otherwise they are written as Markdown. A disabled
// Printer prints nothing.
func NewPrinter(w io.Writer, enabled bool) *Printer {
	p := &Printer{w: w, enabled: enabled}
	if width, ok := terminalWidth(w); ok {
		color := os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
		p.tty, p.width = true, width
		p.render = func(w io.Writer, markdown string, width int) error {
			_, err := io.WriteString(w, renderTerminal(markdown, width, color))
			return err
		}
	}
	return p
}

// NewPagePrinter returns a Printer for long documents read once, concept
// pages and lessons: on a terminal they are rendered by bolsillo-render
// (glamour: tables, headings, highlighted code), as Markdown otherwise.
func NewPagePrinter(w io.Writer) *Printer {
	p := &Printer{w: w, enabled: true}
	if width, ok := terminalWidth(w); ok {
		p.tty, p.width, p.render = true, width, runRenderer
	}
	return p
}

// terminalWidth is the width to lay text out for when w is a terminal.
func terminalWidth(w io.Writer) (int, bool) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	width := fallbackWidth
	if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
		width = cols
	}
	return min(width, maxWidth), true
}

// Enabled reports whether the Printer writes anything.
func (p *Printer) Enabled() bool {
	return p != nil && p.enabled
}

// Print writes one explanation. It does nothing when the Printer is disabled
// or markdown is empty. Write errors are ignored: an explanation that cannot
// be shown must not turn a successful command into a failed one.
func (p *Printer) Print(markdown string) {
	if !p.Enabled() || strings.TrimSpace(markdown) == "" {
		return
	}
	if !strings.HasSuffix(markdown, "\n") {
		markdown += "\n"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.render != nil && p.render(p.w, markdown, p.width) == nil {
		return
	}
	_, _ = io.WriteString(p.w, markdown)
}

// runRenderer pipes markdown through bolsillo-render, found next to the
// running binary or on PATH, with w (the terminal) as its output so that it
// sees the terminal's colors.
func runRenderer(w io.Writer, markdown string, width int) error {
	path, err := rendererPath()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--width", strconv.Itoa(width))
	cmd.Stdin = strings.NewReader(markdown)
	cmd.Stdout = w
	return cmd.Run()
}

func rendererPath() (string, error) {
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), rendererName)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	if p, err := exec.LookPath(rendererName); err == nil {
		return p, nil
	}
	return "", errors.New(rendererName + " not found")
}
