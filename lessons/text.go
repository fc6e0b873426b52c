package lessons

import (
	"fmt"
	"sort"
	"strings"
)

// The Spanish Markdown a student reads, built from the lesson files.

// LessonIntro is shown when a lesson starts: its title, intro and where
// its work folder is.
func LessonIntro(l *Lesson, dir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Lección %d: %s\n\n%s\n", l.Numero, l.Titulo, strings.TrimSpace(l.Intro))
	if dir != "" {
		fmt.Fprintf(&b, "\nTu carpeta de trabajo es `%s`", dir)
		if len(l.Archivos) > 0 {
			fmt.Fprintf(&b, ": ahí tienes %s", fileList(l.Archivos))
		}
		b.WriteString(". Trabaja desde ella (`cd` a esa carpeta).\n")
	}
	return b.String()
}

func fileList(files map[string]string) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, "`"+n+"`")
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// StepText is the goal of step i of l, with its suggested commands and the
// files the student has to create.
func StepText(l *Lesson, i int) string {
	s := l.Pasos[i]
	var b strings.Builder
	fmt.Fprintf(&b, "## Paso %d de %d\n\n%s\n", i+1, len(l.Pasos), strings.TrimSpace(s.Objetivo))
	if len(s.Ficheros) > 0 {
		names := make([]string, 0, len(s.Ficheros))
		for n := range s.Ficheros {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(&b, "\nCrea este archivo, `%s`, en tu carpeta de trabajo:\n\n```\n%s```\n", n, ensureNewline(s.Ficheros[n]))
		}
	}
	if len(s.Comandos) > 0 {
		b.WriteString("\n```\n")
		for _, c := range s.Comandos {
			b.WriteString(c + "\n")
		}
		b.WriteString("```\n")
	}
	return b.String()
}

func ensureNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

// StepDone is shown when step i of l is completed: what was learned.
func StepDone(l *Lesson, i int) string {
	s := l.Pasos[i]
	md := fmt.Sprintf("**✔ Paso %d completado**\n", i+1)
	if a := strings.TrimSpace(s.Aprendido); a != "" {
		md += "\n" + a + "\n"
	}
	return md
}

// HintText is hint n (0-based) of step i; past the last one, the last one
// again with a pointer to the solution.
func HintText(l *Lesson, i, n int) string {
	s := l.Pasos[i]
	if n >= len(s.Pistas) {
		return fmt.Sprintf("**Pista %d de %d:** %s\n\nNo hay más pistas: `bolsillo leccion solucion` te enseña los comandos.\n",
			len(s.Pistas), len(s.Pistas), strings.TrimSpace(s.Pistas[len(s.Pistas)-1]))
	}
	md := fmt.Sprintf("**Pista %d de %d:** %s\n", n+1, len(s.Pistas), strings.TrimSpace(s.Pistas[n]))
	if n+1 < len(s.Pistas) {
		md += "\n¿Necesitas más? Vuelve a pedir `bolsillo leccion pista`.\n"
	}
	return md
}

// SolutionText shows the commands that solve step i of l, and the files it
// needs.
func SolutionText(l *Lesson, i int) string {
	s := l.Pasos[i]
	var b strings.Builder
	fmt.Fprintf(&b, "## Solución del paso %d\n\n", i+1)
	if len(s.Ficheros) > 0 {
		fmt.Fprintf(&b, "Con %s en tu carpeta de trabajo:\n\n", fileList(s.Ficheros))
	}
	b.WriteString("```\n")
	for _, line := range s.Solucion {
		c, err := ParseCommand(line)
		switch {
		case err != nil:
			b.WriteString(line + "\n")
		case c.Kind == CmdEsperar:
			fmt.Fprintf(&b, "sleep %g\n", c.Wait.Seconds())
		case c.ExpectFail:
			fmt.Fprintf(&b, "%s   # este falla, a propósito\n", c.Line[2:])
		default:
			b.WriteString(c.Line + "\n")
		}
	}
	b.WriteString("```\n\nDespués comprueba el paso con `bolsillo leccion verificar`.\n")
	return b.String()
}

// ListText lists every lesson with its progress: ✔ done, ▶ current.
func ListText(ls []*Lesson, p *Progress) string {
	var b strings.Builder
	b.WriteString("# Lecciones\n\n")
	for _, l := range ls {
		mark := "  "
		lp := p.Lecciones[l.ID]
		switch {
		case p.Activa == l.ID:
			mark = "▶ "
		case lp != nil && lp.Completada:
			mark = "✔ "
		}
		extra := ""
		if lp != nil && !lp.Completada && len(lp.Hechos) > 0 {
			extra = fmt.Sprintf(" (%d de %d pasos)", len(lp.Hechos), len(l.Pasos))
		}
		fmt.Fprintf(&b, "- %s**%d. %s**: %s%s\n", mark, l.Numero, l.Titulo, l.Resumen, extra)
	}
	b.WriteString("\nEmpieza una con `bolsillo leccion empezar N`.\n")
	return b.String()
}
