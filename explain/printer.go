package explain

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/charmbracelet/glamour"
	"github.com/muesli/termenv"
	"golang.org/x/term"
)

const (
	// renderStyle is pinned: glamour's auto style queries the terminal for its
	// background color, which can hang on terminals that never answer.
	renderStyle = "dark"
	// maxWidth caps word wrapping on wide terminals.
	maxWidth = 100
	// fallbackWidth is used when the terminal does not report its size.
	fallbackWidth = 80
)

// Printer writes explanations, normally to stderr: rendered with glamour when
// the writer is a terminal, plain Markdown otherwise. Printing never fails the
// command: if rendering fails, the plain Markdown is written instead.
type Printer struct {
	w       io.Writer
	enabled bool

	// tty selects glamour rendering; style, width and profile configure it.
	tty     bool
	style   string
	width   int
	profile termenv.Profile

	mu       sync.Mutex // serializes Print: a glamour renderer is not safe for concurrent use
	renderer *glamour.TermRenderer
	err      error
}

// NewPrinter returns a Printer writing to w. When w is an *os.File attached
// to a terminal, explanations are rendered for that terminal's width (at most
// 100 columns) and color support; otherwise they are written as Markdown.
// A disabled Printer prints nothing.
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
	p.style = renderStyle
	p.width = min(width, maxWidth)
	p.profile = termenv.NewOutput(f).EnvColorProfile()
	return p
}

// newTerminalPrinter returns a Printer that renders as if w were a terminal
// of the given width and color profile.
func newTerminalPrinter(w io.Writer, width int, profile termenv.Profile) *Printer {
	return &Printer{w: w, enabled: true, tty: true, style: renderStyle, width: min(width, maxWidth), profile: profile}
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
	p.mu.Lock()
	defer p.mu.Unlock()
	out := markdown
	if p.tty {
		if rendered, err := p.render(markdown); err == nil {
			out = rendered
		}
	}
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	_, _ = io.WriteString(p.w, out)
}

// render renders markdown with glamour, creating the renderer on first use.
// The caller holds p.mu.
func (p *Printer) render(markdown string) (string, error) {
	if p.renderer == nil && p.err == nil {
		p.renderer, p.err = glamour.NewTermRenderer(
			glamour.WithStandardStyle(p.style),
			glamour.WithWordWrap(p.width),
			glamour.WithColorProfile(p.profile),
		)
	}
	if p.err != nil {
		return "", fmt.Errorf("creating markdown renderer: %w", p.err)
	}
	return p.renderer.Render(markdown)
}
