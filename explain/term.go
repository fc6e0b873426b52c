package explain

import (
	"strings"
	"unicode/utf8"
)

// This file draws the explanations of commands on a terminal, in the
// process. They use a small part of Markdown, the one doc writes: a "#"
// title, "-" and "1." items (indented for sub-items), inline code, bold and
// fenced blocks. Rendering them here costs microseconds; starting
// bolsillo-render (glamour and its syntax highlighter) costs 15-35 ms,
// which would be paid after every command. Concept pages and lessons,
// longer and read once, still go through bolsillo-render.

// ANSI styles of the terminal rendering.
const (
	styleReset = "\x1b[0m"
	styleTitle = "\x1b[1;36m" // bold cyan
	styleHead  = "\x1b[1m"    // bold
	styleCode  = "\x1b[33m"   // yellow
	styleBold  = "\x1b[1m"
	styleBlock = "\x1b[2m"  // dim
	styleMark  = "\x1b[36m" // cyan bullets and numbers
)

// inline is a run of text with one style.
type inline struct {
	text  string
	style string // "" for plain text
}

// renderTerminal lays markdown out for a terminal width columns wide,
// wrapping items under their own indentation; with color, in ANSI styles.
func renderTerminal(markdown string, width int, color bool) string {
	if width < 20 {
		width = 20
	}
	st := func(style string) string {
		if color {
			return style
		}
		return ""
	}
	var b strings.Builder
	lines := strings.Split(strings.TrimRight(markdown, "\n"), "\n")
	inBlock := false
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			inBlock = !inBlock
			continue
		}
		if inBlock {
			b.WriteString("    " + st(styleBlock) + line + st(styleReset) + "\n")
			continue
		}
		switch {
		case trimmed == "":
			b.WriteString("\n")
		case strings.HasPrefix(trimmed, "# "):
			writeWords(&b, words(parseInline(trimmed[2:], color)), "", 0, "", width, st, styleTitle)
		case strings.HasPrefix(trimmed, "## "), strings.HasPrefix(trimmed, "### "):
			_, text, _ := strings.Cut(trimmed, " ")
			writeWords(&b, words(parseInline(text, color)), "", 0, "", width, st, styleHead)
		default:
			indent := strings.Repeat(" ", len(line)-len(strings.TrimLeft(line, " ")))
			if mark, text, ok := listItem(trimmed); ok {
				first := indent + st(styleMark) + mark + st(styleReset) + " "
				hang := indent + strings.Repeat(" ", utf8.RuneCountInString(mark)+1)
				writeWords(&b, words(parseInline(text, color)), first, len(indent)+utf8.RuneCountInString(mark)+1, hang, width, st, "")
				continue
			}
			writeWords(&b, words(parseInline(trimmed, color)), indent, len(indent), indent, width, st, "")
		}
	}
	return b.String()
}

// listItem splits "- text" and "12. text" into the mark to draw and the
// text.
func listItem(s string) (mark, text string, ok bool) {
	if rest, found := strings.CutPrefix(s, "- "); found {
		return "•", rest, true
	}
	if rest, found := strings.CutPrefix(s, "* "); found {
		return "•", rest, true
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(s) && s[i] == '.' && s[i+1] == ' ' {
		return s[:i+1], s[i+2:], true
	}
	return "", "", false
}

// parseInline splits text into plain, code and bold runs. A code span
// starts with a run of backticks and ends with a run of the same length,
// as in CommonMark; one space inside each end is dropped when both are
// there. Without color, code keeps its backticks: they are what tells it
// apart.
func parseInline(text string, color bool) []inline {
	var out []inline
	var plain strings.Builder
	bold := false
	flush := func() {
		if plain.Len() > 0 {
			style := ""
			if bold {
				style = styleBold
			}
			out = append(out, inline{text: plain.String(), style: style})
			plain.Reset()
		}
	}
	for i := 0; i < len(text); {
		switch {
		case text[i] == '`':
			n := 0
			for i+n < len(text) && text[i+n] == '`' {
				n++
			}
			fence := text[i : i+n]
			end := strings.Index(text[i+n:], fence)
			if end < 0 {
				plain.WriteString(fence)
				i += n
				continue
			}
			code := text[i+n : i+n+end]
			if len(code) >= 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.Trim(code, " ") != "" {
				code = code[1 : len(code)-1]
			}
			if !color {
				plain.WriteString(text[i : i+n+end+n])
				i += n + end + n
				continue
			}
			flush()
			out = append(out, inline{text: code, style: styleCode})
			i += n + end + n
		case strings.HasPrefix(text[i:], "**"):
			flush()
			bold = !bold
			i += 2
		default:
			plain.WriteByte(text[i])
			i++
		}
	}
	flush()
	return out
}

// word is one unbreakable piece of a line: its text with the style of
// each of its runs.
type word struct {
	parts []inline
	width int
}

// words splits runs at spaces; a word may join runs of several styles
// ("`web`:" is code and plain).
func words(runs []inline) []word {
	var out []word
	var cur word
	for _, r := range runs {
		for i, piece := range strings.Split(r.text, " ") {
			if i > 0 && cur.width > 0 {
				out = append(out, cur)
				cur = word{}
			}
			if piece == "" {
				continue
			}
			cur.parts = append(cur.parts, inline{text: piece, style: r.style})
			cur.width += utf8.RuneCountInString(piece)
		}
	}
	if cur.width > 0 {
		out = append(out, cur)
	}
	return out
}

// writeWords writes ws wrapped to width: the first line after first
// (firstWidth columns wide: it may hold escape codes), the others after
// hang, the whole text in style when it has one.
func writeWords(b *strings.Builder, ws []word, first string, firstWidth int, hang string, width int, st func(string) string, style string) {
	// A style of the whole text (a title) opens once per line.
	open := func(prefix string) {
		b.WriteString(prefix)
		if style != "" {
			b.WriteString(st(style))
		}
	}
	closeLine := func() {
		if style != "" {
			b.WriteString(st(styleReset))
		}
		b.WriteString("\n")
	}
	open(first)
	col := firstWidth
	lineStart := true
	for _, w := range ws {
		if !lineStart && col+1+w.width > width {
			closeLine()
			open(hang)
			col = utf8.RuneCountInString(hang)
			lineStart = true
		}
		if !lineStart {
			b.WriteByte(' ')
			col++
		}
		for _, p := range w.parts {
			if style == "" && p.style != "" {
				b.WriteString(st(p.style) + p.text + st(styleReset))
			} else {
				b.WriteString(p.text)
			}
		}
		col += w.width
		lineStart = false
	}
	closeLine()
}
