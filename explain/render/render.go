// Package render turns explanation Markdown into text for a terminal, with
// glamour.
//
// It lives apart from explain, in its own binary (cmd/bolsillo-render),
// because glamour's dependencies (chroma's lexers and styles, bluemonday,
// goldmark) cost about 15 ms of package initialisation on every start of a
// program that links them. The bolsillo CLI runs once per command, so it
// does not link them: it writes plain Markdown, and only when its stderr is
// a terminal it pipes the Markdown through bolsillo-render.
package render

import (
	"fmt"

	"github.com/charmbracelet/glamour"
	"github.com/muesli/termenv"
)

const (
	// Style is pinned: glamour's auto style queries the terminal for its
	// background color, which can hang on terminals that never answer.
	Style = "dark"
	// MaxWidth caps word wrapping on wide terminals.
	MaxWidth = 100
)

// Options configure a rendering.
type Options struct {
	Width   int             // columns to wrap at; capped at MaxWidth
	Style   string          // a glamour standard style; "" is Style
	Profile termenv.Profile // the colors the terminal supports
}

// Markdown renders md for a terminal.
func Markdown(md string, o Options) (string, error) {
	if o.Style == "" {
		o.Style = Style
	}
	if o.Width <= 0 || o.Width > MaxWidth {
		o.Width = MaxWidth
	}
	r, err := glamour.NewTermRenderer(
		glamour.WithStandardStyle(o.Style),
		glamour.WithWordWrap(o.Width),
		glamour.WithColorProfile(o.Profile),
	)
	if err != nil {
		return "", fmt.Errorf("creating markdown renderer: %w", err)
	}
	return r.Render(md)
}
