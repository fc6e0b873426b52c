package main

import (
	"io"
	"strings"
	"unicode/utf8"
)

// table is a plain-text table for a terminal or a commit message: columns
// separated by two spaces, padded to their widest cell, no trailing blanks.
type table struct {
	indent string
	header []string // optional
	right  []bool   // right-align column i (numbers); missing means left
	rows   [][]string
}

// add appends one row; it may have fewer cells than other rows.
func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// String renders the table, one line per row, each ending in a newline.
func (t *table) String() string {
	all := t.rows
	if t.header != nil {
		all = append([][]string{t.header}, t.rows...)
	}
	var widths []int
	for _, row := range all {
		for i, cell := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	var b strings.Builder
	for _, row := range all {
		var line strings.Builder
		line.WriteString(t.indent)
		for i, cell := range row {
			if i > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell))
			if i < len(t.right) && t.right[i] {
				line.WriteString(pad + cell)
			} else {
				line.WriteString(cell + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// WriteTo writes the rendered table to w.
func (t *table) WriteTo(w io.Writer) (int64, error) {
	n, err := io.WriteString(w, t.String())
	return int64(n), err
}
