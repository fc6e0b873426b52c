// Package md holds the few Markdown and Spanish wording helpers that every
// text bolsillo writes for a student shares: explanations (package explain)
// and Dockerfile findings (explain/lint).
package md

import "strings"

// Code formats s as a Markdown code span, choosing a fence that survives
// backticks inside s.
func Code(s string) string {
	if s == "" {
		return "``"
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if fence != "`" {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// CodeList formats each element as a code span, joined in Spanish
// ("`a`, `b` y `c`").
func CodeList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = Code(s)
	}
	return JoinSpanish(quoted)
}

// JoinSpanish joins items with commas and a final "y".
func JoinSpanish(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " y " + items[len(items)-1]
}

// Plural returns singular when n is 1 and pluralForm otherwise.
func Plural(n int, singular, pluralForm string) string {
	if n == 1 {
		return singular
	}
	return pluralForm
}
