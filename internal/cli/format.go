package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"text/template"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Format keys understood by --format, as in docker.
const (
	tableFormatKey = "table"
	jsonFormatKey  = "json"
	quietFormat    = "{{.ID}}"
)

// templateFuncs are the helpers docker offers in every --format template.
var templateFuncs = template.FuncMap{
	"json": func(v any) string {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			panic(err)
		}
		return strings.TrimSpace(buf.String())
	},
	"split":    strings.Split,
	"join":     strings.Join,
	"title":    title,
	"lower":    strings.ToLower,
	"upper":    strings.ToUpper,
	"pad":      padWithSpace,
	"truncate": truncateWithLength,
}

// headerFuncs replace templateFuncs when a table header is rendered, so the
// header keeps the column names intact.
var headerFuncs = template.FuncMap{
	"json":     func(v string) string { return v },
	"split":    func(v string, _ string) string { return v },
	"join":     func(v string, _ string) string { return v },
	"title":    func(v string) string { return v },
	"lower":    func(v string) string { return v },
	"upper":    func(v string) string { return v },
	"truncate": func(v string, _ int) string { return v },
}

// title upper-cases the first letter of each space-separated word (ASCII).
func title(s string) string {
	words := strings.Split(s, " ")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// padWithSpace surrounds a non-empty source with spaces.
func padWithSpace(source string, prefix, suffix int) string {
	if source == "" {
		return source
	}
	return strings.Repeat(" ", prefix) + source + strings.Repeat(" ", suffix)
}

// truncateWithLength cuts source to at most length bytes.
func truncateWithLength(source string, length int) string {
	if len(source) < length {
		return source
	}
	return source[:length]
}

// parseTemplate parses a --format template with docker's helpers.
func parseTemplate(format string) (*template.Template, error) {
	tmpl, err := template.New("").Funcs(templateFuncs).Parse(format)
	if err != nil {
		return nil, invalidFlag("La plantilla de `--format` tiene un error de sintaxis. Revisa las llaves `{{ }}` y los nombres de los campos.",
			fmt.Errorf("template parsing error: %w", err))
	}
	return tmpl, nil
}

// listWriter renders rows of a listing (ps, images) through a docker-style
// format: "table ..." gets a header and aligned columns, "json" gives one
// JSON object per line, anything else is a plain Go template per row.
type listWriter struct {
	format string
	// header maps each field to its column title, e.g. "ID": "CONTAINER ID".
	header map[string]string
}

// isTable reports whether the format asks for a table.
func (lw listWriter) isTable() bool {
	return strings.HasPrefix(lw.format, tableFormatKey)
}

// finalFormat strips the table prefix and expands \t and \n like docker.
func (lw listWriter) finalFormat() string {
	f := lw.format
	switch {
	case lw.isTable():
		f = f[len(tableFormatKey):]
	case f == jsonFormatKey:
		f = "{{json .}}"
	}
	f = strings.Trim(f, " ")
	return strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(f)
}

// template parses the format.
func (lw listWriter) template() (*template.Template, error) {
	return parseTemplate(lw.finalFormat())
}

// write renders rows to w.
func (lw listWriter) write(w io.Writer, rows []any) error {
	tmpl, err := lw.template()
	if err != nil {
		return err
	}
	var body bytes.Buffer
	for _, row := range rows {
		if err := tmpl.Execute(&body, row); err != nil {
			return fmt.Errorf("template parsing error: %w", err)
		}
		body.WriteString("\n")
	}
	if !lw.isTable() {
		_, err := body.WriteTo(w)
		return err
	}
	tw := tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
	var head bytes.Buffer
	// Like docker, a header that cannot be rendered (a method with
	// arguments such as .Label "x") is printed as far as it got.
	_ = tmpl.Funcs(headerFuncs).Execute(&head, lw.header)
	head.WriteString("\n")
	if _, err := head.WriteTo(tw); err != nil {
		return err
	}
	if _, err := body.WriteTo(tw); err != nil {
		return err
	}
	return tw.Flush()
}

// ellipsis shortens s to maxWidth display columns, ending in "…", counting
// East Asian wide characters as two columns, like docker's formatter.
func ellipsis(s string, maxWidth int) string {
	if maxWidth <= 0 {
		return ""
	}
	rs := []rune(s)
	if len(rs) == 0 {
		return s
	}
	if maxWidth == 1 {
		return string(rs[0])
	}
	if len(s) == utf8.RuneCountInString(s) {
		if len(s) <= maxWidth {
			return s
		}
		return string(rs[:maxWidth-1]) + "…"
	}
	total := 0
	cols := make([]int, len(rs))
	for i, r := range rs {
		total += charWidth(r)
		cols[i] = total
	}
	if total <= maxWidth {
		return s
	}
	for i := range cols {
		if cols[i] <= maxWidth-1 && (i+1 == len(cols) || cols[i+1] > maxWidth-1) {
			return string(rs[:i+1]) + "…"
		}
	}
	return string(rs[0]) + "…"
}

// charWidth returns the columns a rune takes on a terminal.
func charWidth(r rune) int {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	default:
		return 1
	}
}

// printInspected prints the raw JSON of inspected objects as docker does:
// an indented JSON array, or each object through a --format template (run
// over the decoded JSON, so every field the API sent is there).
func printInspected(f *factory, raws []json.RawMessage, format string) error {
	if format == "" || format == jsonFormatKey {
		return writeJSONArray(f, raws, format == jsonFormatKey)
	}
	tmpl, err := parseTemplate(format)
	if err != nil {
		return err
	}
	for _, raw := range raws {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		if err := tmpl.Execute(f.Out, v); err != nil {
			return fmt.Errorf("template parsing error: %w", err)
		}
		fmt.Fprintln(f.Out)
	}
	return nil
}
