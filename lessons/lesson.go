// Package lessons runs the guided lessons of the course: lesson files
// (embedded YAML, Spanish Markdown), step checks that read the engine's
// state through the Docker Engine API only, the student's progress, and the
// auto mode that plays every step's solution.
//
// lessons imports nothing from engine/ nor from internal/cli: the CLI hands
// it an API client and a Runner that executes bolsillo command lines.
package lessons

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed cursos/*.yaml
var cursos embed.FS

// Lesson is one lesson file.
type Lesson struct {
	ID       string            `yaml:"id"`
	Numero   int               `yaml:"numero"`
	Titulo   string            `yaml:"titulo"`
	Resumen  string            `yaml:"resumen"`
	Intro    string            `yaml:"intro"`
	Archivos map[string]string `yaml:"archivos"`
	Recursos Recursos          `yaml:"recursos"`
	Pasos    []*Step           `yaml:"pasos"`

	// File is the file the lesson was read from.
	File string `yaml:"-"`
}

// Recursos names what a lesson creates: `leccion reiniciar` removes these
// and nothing else, and auto mode removes them before it starts.
type Recursos struct {
	Contenedores []string `yaml:"contenedores"`
	Imagenes     []string `yaml:"imagenes"`
	Volumenes    []string `yaml:"volumenes"`
}

// Step is one step of a lesson.
type Step struct {
	ID        string            `yaml:"id"`
	Objetivo  string            `yaml:"objetivo"`
	Comandos  []string          `yaml:"comandos"`
	Pistas    []string          `yaml:"pistas"`
	Solucion  []string          `yaml:"solucion"`
	Aprendido string            `yaml:"aprendido"`
	Ficheros  map[string]string `yaml:"ficheros"`
	Comprobar []Check           `yaml:"comprobar"`
}

// Check is one item of a step's comprobar list: a check kind and its
// parameters, still undecoded.
type Check struct {
	Kind   string
	Params yaml.Node
}

// UnmarshalYAML reads a one-key mapping: `kind: {params}`.
func (c *Check) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return fmt.Errorf("línea %d: cada comprobación es un mapa con una sola clave, el tipo (por ejemplo `contenedor_corriendo: {nombre: web}`)", n.Line)
	}
	if err := n.Content[0].Decode(&c.Kind); err != nil {
		return err
	}
	c.Params = *n.Content[1]
	return nil
}

// Dir is the name of the lesson's work folder: NN-id.
func (l *Lesson) Dir() string { return fmt.Sprintf("%02d-%s", l.Numero, l.ID) }

// Load reads and validates the lessons embedded in the binary, ordered by
// number.
func Load() ([]*Lesson, error) {
	sub, err := fs.Sub(cursos, "cursos")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}

// LoadFS reads and validates every *.yaml file at the top of fsys.
func LoadFS(fsys fs.FS) ([]*Lesson, error) {
	ls, err := parseFS(fsys)
	if err != nil {
		return nil, err
	}
	if err := Validate(ls); err != nil {
		return nil, err
	}
	return ls, nil
}

// parseFS decodes every *.yaml file of fsys, strictly, ordered by number.
func parseFS(fsys fs.FS) ([]*Lesson, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	var (
		ls   []*Lesson
		errs []error
	)
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		l, err := Parse(b)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		l.File = name
		ls = append(ls, l)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].Numero < ls[j].Numero })
	return ls, nil
}

// Parse decodes one lesson file; unknown fields are errors.
func Parse(b []byte) (*Lesson, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var l Lesson
	if err := dec.Decode(&l); err != nil {
		return nil, err
	}
	return &l, nil
}

// idRE is the form of lesson and step ids, compiled on first use.
var idRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`) })

// Validate checks lessons against the format and returns every problem
// found, joined: lesson ids unique and matching their file names, numbers
// 1..N in order, every step with a goal, a hint, a solution whose lines
// parse and at least one check of a known kind whose parameters decode.
func Validate(ls []*Lesson) error {
	var errs []error
	bad := func(l *Lesson, format string, a ...any) {
		where := l.File
		if where == "" {
			where = "lección " + l.ID
		}
		errs = append(errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, a...)))
	}
	ids := map[string]bool{}
	for i, l := range ls {
		if !idRE().MatchString(l.ID) {
			bad(l, "id %q: usa minúsculas, números y guiones", l.ID)
		}
		if ids[l.ID] {
			bad(l, "id %q repetido", l.ID)
		}
		ids[l.ID] = true
		if l.Numero != i+1 {
			bad(l, "numero %d: se esperaba %d (las lecciones van de 1 a N, sin huecos)", l.Numero, i+1)
		}
		if l.File != "" && strings.TrimSuffix(l.File, ".yaml") != l.Dir() {
			bad(l, "el archivo debería llamarse %s.yaml", l.Dir())
		}
		for what, v := range map[string]string{"titulo": l.Titulo, "resumen": l.Resumen, "intro": l.Intro} {
			if strings.TrimSpace(v) == "" {
				bad(l, "falta %s", what)
			}
		}
		if strings.Contains(strings.TrimSpace(l.Resumen), "\n") {
			bad(l, "resumen: una sola línea")
		}
		for name := range l.Archivos {
			if err := checkFileName(name); err != nil {
				bad(l, "archivos: %v", err)
			}
		}
		if len(l.Pasos) == 0 {
			bad(l, "no tiene pasos")
		}
		stepIDs := map[string]bool{}
		for j, s := range l.Pasos {
			if s == nil {
				bad(l, "paso %d: está vacío", j+1)
				continue
			}
			where := fmt.Sprintf("paso %d (%s)", j+1, s.ID)
			if !idRE().MatchString(s.ID) {
				bad(l, "%s: id %q: usa minúsculas, números y guiones", where, s.ID)
			}
			if stepIDs[s.ID] {
				bad(l, "%s: id repetido", where)
			}
			stepIDs[s.ID] = true
			if strings.TrimSpace(s.Objetivo) == "" {
				bad(l, "%s: falta objetivo", where)
			}
			if len(s.Pistas) == 0 {
				bad(l, "%s: necesita al menos una pista", where)
			}
			for k, p := range s.Pistas {
				if strings.TrimSpace(p) == "" {
					bad(l, "%s: la pista %d está vacía", where, k+1)
				}
			}
			if len(s.Solucion) == 0 {
				bad(l, "%s: necesita al menos una línea de solucion", where)
			}
			for _, line := range s.Solucion {
				if _, err := ParseCommand(line); err != nil {
					bad(l, "%s: solucion %q: %v", where, line, err)
				}
			}
			for name := range s.Ficheros {
				if err := checkFileName(name); err != nil {
					bad(l, "%s: ficheros: %v", where, err)
				}
			}
			if len(s.Comprobar) == 0 {
				bad(l, "%s: necesita al menos una comprobación", where)
			}
			for _, c := range s.Comprobar {
				if err := validateCheck(c); err != nil {
					bad(l, "%s: %s: %v", where, c.Kind, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// checkFileName accepts a relative, clean path inside the work folder.
func checkFileName(name string) error {
	if name == "" || path.IsAbs(name) || path.Clean(name) != name || strings.HasPrefix(name, "..") {
		return fmt.Errorf("%q: ruta relativa dentro de la carpeta de trabajo, sin `..`", name)
	}
	return nil
}
