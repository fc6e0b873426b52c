package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// maxAdvice is how many findings the advice after a build lists.
const maxAdvice = 8

// Markdown writes the findings for a student: a title with the counts and,
// for each finding, where it is, the line as written, what happens and the
// fix with the line rewritten. dockerfile names the file in the title.
func Markdown(findings []Finding, dockerfile string) string {
	var b strings.Builder
	if len(findings) == 0 {
		fmt.Fprintf(&b, "# Revisión de %s: todo en orden\n\n", code(dockerfile))
		fmt.Fprintf(&b, "- Sigue las %d reglas de buenas prácticas que revisa `bolsillo lint`: pocas capas, sin paquetes innecesarios, `COPY` en vez de `ADD`, metadatos en `LABEL`, un `USER` que no es root, un servicio por contenedor, `CMD` en forma JSON, etiquetas fijas en `FROM`, `WORKDIR` en vez de `cd`, nada interactivo y un `.dockerignore` a la medida del contexto.\n", len(allRules))
		return b.String()
	}
	fmt.Fprintf(&b, "# Revisión de %s: %s\n", code(dockerfile), countSentence(findings))
	for i, f := range findings {
		fmt.Fprintf(&b, "\n## %d. %s · %s · %s %s\n\n", i+1, capitalize(where(f, dockerfile)), f.Severity, f.Rule, code(f.Name))
		if f.Source != "" {
			fmt.Fprintf(&b, "%s\n\n", fence(f.Source, language(f)))
		}
		fmt.Fprintf(&b, "**%s.** %s\n\n", strings.TrimSuffix(f.Message, "."), f.Why)
		fmt.Fprintf(&b, "**Cómo arreglarlo:** %s\n", f.Fix)
		if f.Example != "" {
			fmt.Fprintf(&b, "\n%s\n", fence(f.Example, exampleLanguage(f)))
		}
		if f.BuildKit != "" {
			fmt.Fprintf(&b, "\nBuildKit la llama %s en sus comprobaciones (`docker build --check`).\n", code(f.BuildKit))
		}
	}
	return b.String()
}

// Advice writes the findings briefly, as the advice printed after a
// build: one line each, errors first, and how to see the details. It returns "" when
// there are no findings. lintCommand is the command that shows them in
// full.
func Advice(findings []Finding, dockerfile, lintCommand string) string {
	if len(findings) == 0 {
		return ""
	}
	// The most serious first: only maxAdvice are listed.
	findings = slices.Clone(findings)
	slices.SortStableFunc(findings, func(a, b Finding) int { return int(b.Severity) - int(a.Severity) })
	var b strings.Builder
	fmt.Fprintf(&b, "# Consejos para tu %s: %s\n\n", code(dockerfile), countSentence(findings))
	for i, f := range findings {
		if i == maxAdvice {
			fmt.Fprintf(&b, "- …y %d más.\n", len(findings)-maxAdvice)
			break
		}
		fmt.Fprintf(&b, "- %s (%s, %s): %s. %s\n", capitalize(where(f, dockerfile)), f.Severity, f.Rule, strings.TrimSuffix(f.Message, "."), f.Fix)
	}
	fmt.Fprintf(&b, "- Con %s ves el porqué de cada uno y tu línea ya corregida.\n", code(lintCommand))
	return b.String()
}

// JSON encodes the findings as a JSON array (an empty one when there are
// none), indented, with a final newline. The field names and the rule IDs
// are stable.
func JSON(findings []Finding) ([]byte, error) {
	if findings == nil {
		findings = []Finding{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(findings); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// countSentence says how many findings of each severity there are:
// "1 error, 3 avisos y 2 consejos".
func countSentence(findings []Finding) string {
	e, w, i := Count(findings)
	var parts []string
	if e > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", e, plural(e, "error", "errores")))
	}
	if w > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", w, plural(w, "aviso", "avisos")))
	}
	if i > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", i, plural(i, "consejo", "consejos")))
	}
	return joinSpanish(parts)
}

// where names the place of a finding: "línea 3", "líneas 3 a 5",
// "`.dockerignore`, línea 2" or "`.dockerignore`".
func where(f Finding, dockerfile string) string {
	lines := ""
	switch {
	case f.Line == 0:
	case f.EndLine > f.Line:
		lines = fmt.Sprintf("líneas %d a %d", f.Line, f.EndLine)
	default:
		lines = fmt.Sprintf("línea %d", f.Line)
	}
	switch {
	case f.File == dockerfile && lines != "":
		return lines
	case lines == "":
		return code(f.File)
	}
	return code(f.File) + ", " + lines
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// language is the fence language of a finding's source.
func language(f Finding) string {
	if strings.HasSuffix(f.File, ".dockerignore") {
		return ""
	}
	return "dockerfile"
}

// exampleLanguage is the fence language of a finding's example: the
// .dockerignore rules suggest .dockerignore lines.
func exampleLanguage(f Finding) string {
	switch f.Rule {
	case ruleNoIgnore.ID, ruleIgnoreComment.ID, ruleIgnoredSource.ID:
		return ""
	}
	return "dockerfile"
}

// fence writes s as a fenced code block that survives backticks in s.
func fence(s, lang string) string {
	f := "```"
	for strings.Contains(s, f) {
		f += "`"
	}
	return f + lang + "\n" + s + "\n" + f
}
