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

// NewPrinter returns a Printer writing to w. When w is an *os.File attached
// to a terminal, explanations are rendered for that terminal's width (at most
// 100 columns) and colors by bolsillo-render; otherwise they are written as
// Markdown. A disabled Printer prints nothing.
func NewPrinter(w io.Writer, enabled bool) *Printer {
	p := &Printer{w: w, enabled: enabled}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return p
	}
	width := fallbackWidth
	if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
		width = cols
	}
	p.tty = true
	p.width = min(width, maxWidth)
	p.render = runRenderer
	return p
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
