package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/docker/go-units"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

const (
	// largeFile is the size from which a file in a context without
	// .dockerignore is worth a finding.
	largeFile = 10 << 20
	// maxWalk bounds the walk of a context without .dockerignore.
	maxWalk = 100_000
	// maxListed is how many large files a finding names.
	maxListed = 3
)

// ignoreLine is one pattern of a .dockerignore and its line.
type ignoreLine struct {
	line    int
	pattern string // as the build uses it (cleaned, "!" kept)
}

// checkContext runs the .dockerignore checks: BP100, BP101, BP102.
func (l *linter) checkContext() {
	if l.ctx.Dir == "" {
		return
	}
	file := filepath.Join(l.ctx.Dir, ".dockerignore")
	if l.ctx.Dockerfile != "" {
		if own := l.ctx.Dockerfile + ".dockerignore"; fileExists(own) {
			file = own
		}
	}
	raw, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		l.checkNoIgnore(file)
		return
	}
	if err != nil {
		return
	}
	lines := l.checkIgnoreComments(file, raw)
	l.checkIgnoredSources(file, lines)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// checkNoIgnore: BP100, a context without .dockerignore that holds .git,
// node_modules or large files.
func (l *linter) checkNoIgnore(file string) {
	var (
		git, modules string
		large        []string
		sizes        = map[string]int64{}
		seen         int
	)
	_ = filepath.WalkDir(l.ctx.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if seen++; seen > maxWalk {
			return filepath.SkipAll
		}
		rel, err := filepath.Rel(l.ctx.Dir, p)
		if err != nil || rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		switch d.Name() {
		case ".git":
			if git == "" {
				git = rel
			}
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		case "node_modules":
			if modules == "" {
				modules = rel
			}
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil && info.Size() >= largeFile {
				large = append(large, rel)
				sizes[rel] = info.Size()
			}
		}
		return nil
	})
	if git == "" && modules == "" && len(large) == 0 {
		return
	}
	slices.SortFunc(large, func(a, b string) int {
		if sizes[a] != sizes[b] {
			return int(sizes[b] - sizes[a]) // largest first
		}
		return strings.Compare(a, b)
	})
	var found, patterns []string
	if git != "" {
		found = append(found, code(git)+" (todo el historial de git)")
		patterns = append(patterns, ignorePattern(git, ".git"))
	}
	if modules != "" {
		found = append(found, code(modules)+" (las dependencias, que se instalan dentro de la imagen)")
		patterns = append(patterns, ignorePattern(modules, "node_modules"))
	}
	for i, f := range large {
		if i == maxListed {
			found = append(found, fmt.Sprintf("%d archivos grandes más", len(large)-maxListed))
			break
		}
		found = append(found, fmt.Sprintf("%s (%s)", code(f), units.HumanSizeWithPrecision(float64(sizes[f]), 3)))
		patterns = append(patterns, f)
	}
	l.add(ruleNoIgnore, nil, finding{
		file:    file,
		message: "No hay `.dockerignore` y el contexto lleva " + joinSpanish(found),
		why:     fmt.Sprintf("`build` empaqueta toda la carpeta del contexto de construcción (build context), %s, y la envía al daemon antes del primer paso: cada construcción espera a que viaje todo eso, y un `COPY . .` lo mete en la imagen. `.dockerignore` dice qué no enviar.", code(l.ctx.Dir)),
		fix:     fmt.Sprintf("Crea %s con un patrón por línea, con la sintaxis de `.gitignore`; las líneas que empiezan por `#` son comentarios.", code(file)),
		example: strings.Join(patterns, "\n"),
	})
}

// ignorePattern is the pattern for a directory found at rel: name itself
// at the top, **/name when it is deeper.
func ignorePattern(rel, name string) string {
	if rel == name {
		return name
	}
	return "**/" + name
}

// checkIgnoreComments: BP101, a comment after a pattern. It returns the
// patterns with their lines.
func (l *linter) checkIgnoreComments(file string, raw []byte) []ignoreLine {
	var out []ignoreLine
	for i, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimRight(line, "\r")
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if ps, err := ignorefile.ReadAll(bytes.NewReader([]byte(line))); err == nil && len(ps) == 1 {
			out = append(out, ignoreLine{line: i + 1, pattern: ps[0]})
		}
		idx := strings.Index(t, " #")
		if j := strings.Index(t, "\t#"); j >= 0 && (idx < 0 || j < idx) {
			idx = j
		}
		if idx < 0 {
			continue
		}
		pattern, comment := strings.TrimSpace(t[:idx]), strings.TrimSpace(t[idx:])
		l.add(ruleIgnoreComment, nil, finding{
			file:    file,
			line:    i + 1,
			source:  line,
			message: fmt.Sprintf("El patrón %s lleva un comentario en la misma línea", code(pattern)),
			why:     fmt.Sprintf("En `.dockerignore` solo es comentario la línea que empieza por `#`. Esta línea entera es un patrón, %s, que no coincide con ningún archivo: %s no se excluye y viaja al daemon en cada construcción.", code(t), code(pattern)),
			fix:     "Pon el comentario en su propia línea, encima del patrón.",
			example: comment + "\n" + pattern,
		})
	}
	return out
}

// checkIgnoredSources: BP102, a COPY or ADD source that .dockerignore
// excludes from the context.
func (l *linter) checkIgnoredSources(file string, lines []ignoreLine) {
	var patterns []string
	for _, il := range lines {
		patterns = append(patterns, il.pattern)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil || len(patterns) == 0 {
		return
	}
	excluded := func(rel string) bool {
		m, err := pm.MatchesOrParentMatches(rel)
		return err == nil && m
	}
	for _, in := range l.all {
		if (in.kw != "COPY" && in.kw != "ADD") || len(in.node.Heredocs) > 0 || len(in.args) < 2 {
			continue
		}
		if _, ok := in.flag("from"); ok {
			continue
		}
		for _, src := range in.args[:len(in.args)-1] {
			if isURL(src) || isGitURL(src) || strings.Contains(src, "$") {
				continue
			}
			rel := path.Clean(strings.TrimPrefix(filepath.ToSlash(src), "/"))
			if rel == "." || strings.HasPrefix(rel, "../") {
				continue
			}
			var missing []string
			if strings.ContainsAny(rel, "*?[") {
				matches, err := filepath.Glob(filepath.Join(l.ctx.Dir, filepath.FromSlash(rel)))
				if err != nil || len(matches) == 0 {
					continue
				}
				for _, m := range matches {
					r, err := filepath.Rel(l.ctx.Dir, m)
					if err != nil {
						continue
					}
					if r = filepath.ToSlash(r); !excluded(r) {
						missing = nil
						break
					}
					missing = append(missing, r)
				}
			} else if excluded(rel) {
				missing = []string{rel}
			}
			if len(missing) == 0 {
				continue
			}
			culprit := responsible(lines, missing[0])
			where := ""
			if culprit.line > 0 {
				where = fmt.Sprintf(" (el patrón %s, línea %d)", code(culprit.pattern), culprit.line)
			}
			example := ""
			for _, m := range missing {
				example += "!" + m + "\n"
			}
			l.add(ruleIgnoredSource, in, finding{
				message: fmt.Sprintf("%s excluye %s, que este %s necesita", code(file), codeList(missing), code(in.kw)),
				why:     fmt.Sprintf("El cliente quita del contexto lo que dice `.dockerignore`%s antes de enviarlo al daemon. Para el daemon ese archivo no existe, y %s falla aunque lo veas en tu carpeta: el mensaje dice «excluded by .dockerignore».", where, code(in.kw)),
				fix:     fmt.Sprintf("Quita ese patrón de %s o añade debajo de él una excepción que empiece por `!`.", code(file)),
				example: strings.TrimSuffix(example, "\n"),
			})
		}
	}
}

// responsible returns the last non-exception pattern that excludes rel.
func responsible(lines []ignoreLine, rel string) ignoreLine {
	var found ignoreLine
	for _, il := range lines {
		if strings.HasPrefix(il.pattern, "!") {
			continue
		}
		if m, err := patternmatcher.MatchesOrParentMatches(rel, []string{il.pattern}); err == nil && m {
			found = il
		}
	}
	return found
}
