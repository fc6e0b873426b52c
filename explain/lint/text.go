package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"bolsillo/explain/md"
)

// The Markdown and wording helpers lint shares with the explanations.
var (
	code        = md.Code
	codeList    = md.CodeList
	joinSpanish = md.JoinSpanish
	plural      = md.Plural
)

// lineList names lines in Spanish: "3", "3 y 5", "3, 5 y 9".
func lineList(lines []int) string {
	s := make([]string, len(lines))
	for i, n := range lines {
		s[i] = fmt.Sprint(n)
	}
	return joinSpanish(s)
}

// jsonArray writes words as a Dockerfile JSON array: ["a", "b"].
func jsonArray(words []string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = jsonString(w)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// jsonString quotes s as JSON without escaping <, > and &.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// splitOutsideQuotes splits s at every sep that is not inside quotes or
// escaped, trimming each piece.
func splitOutsideQuotes(s, sep string) []string {
	var (
		out   []string
		start int
		quote rune
	)
	for i := 0; i < len(s); i++ {
		c := rune(s[i])
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '\\' && quote == '"' {
				i++
			}
		case c == '\\':
			i++
		case c == '\'' || c == '"':
			quote = c
		case strings.HasPrefix(s[i:], sep):
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + len(sep)
			i += len(sep) - 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// collapseSpaces turns the runs of blanks a joined continuation leaves
// ("a &&     b") into single spaces, outside quotes.
func collapseSpaces(s string) string {
	var (
		b     strings.Builder
		quote rune
		space bool
	)
	for _, c := range strings.TrimSpace(s) {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ' ' || c == '\t':
			if space {
				continue
			}
			space = true
			b.WriteRune(' ')
			continue
		}
		space = false
		b.WriteRune(c)
	}
	return b.String()
}

// continued writes a RUN with one command per line: "RUN a \\\n    && b".
func continued(keyword string, cmds []string) string {
	return keyword + " " + strings.Join(cmds, " \\\n    && ")
}

// lazyRegexp returns a function that compiles expr on its first call, so
// that the CLI does not compile every pattern of the package at each start.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// insertEach inserts text after every match of re in src whose command
// (what follows up to the next &&, ;, | or end of line) does not satisfy
// done. It returns "" when nothing changed.
func insertEach(src string, re *regexp.Regexp, text string, done func(rest string) bool) string {
	var b strings.Builder
	last, changed := 0, false
	for _, m := range re.FindAllStringIndex(src, -1) {
		rest := src[m[1]:]
		if i := strings.IndexAny(rest, "&;|\n"); i >= 0 {
			rest = rest[:i]
		}
		if done(rest) {
			continue
		}
		b.WriteString(src[last:m[1]])
		b.WriteString(text)
		last, changed = m[1], true
	}
	if !changed {
		return ""
	}
	b.WriteString(src[last:])
	return b.String()
}

// replaceKeyword swaps the instruction keyword at the start of src.
func replaceKeyword(src, keyword, with string) string {
	trimmed := strings.TrimLeft(src, " \t")
	indent := src[:len(src)-len(trimmed)]
	if len(trimmed) < len(keyword) || !strings.EqualFold(trimmed[:len(keyword)], keyword) {
		return ""
	}
	return indent + with + trimmed[len(keyword):]
}

// withoutKeyword returns src without its leading instruction keyword.
func withoutKeyword(src string) string {
	trimmed := strings.TrimLeft(src, " \t")
	if i := strings.IndexAny(trimmed, " \t"); i >= 0 {
		return strings.TrimLeft(trimmed[i:], " \t")
	}
	return ""
}
