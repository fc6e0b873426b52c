package lessons

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"bolsillo/explain/render"
)

// TestEmbeddedLessons is the lesson lint: the lessons in the binary load
// and validate (ids unique, numbers in order, every step with a goal, a
// hint, a solution that parses and checks of known kinds whose parameters
// decode), and every Markdown text renders.
func TestEmbeddedLessons(t *testing.T) {
	ls, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(ls) == 0 {
		t.Fatal("no lessons embedded from cursos/")
	}
	for _, l := range ls {
		lintMarkdown(t, l)
	}
}

func TestTestdataLessons(t *testing.T) {
	ls, err := LoadFS(os.DirFS("testdata/buenas"))
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	if len(ls) != 2 || ls[0].ID != "hola" || ls[1].ID != "web" {
		t.Fatalf("got %d lessons, want hola and web", len(ls))
	}
	for _, l := range ls {
		lintMarkdown(t, l)
	}
	s := ls[0].Pasos[1]
	if len(s.Comprobar) != 1 || s.Comprobar[0].Kind != "contenedor_parado" {
		t.Errorf("step parar checks = %+v", s.Comprobar)
	}
}

// markdownFields lists every text of l a student reads, with where it is.
func markdownFields(l *Lesson) map[string]string {
	m := map[string]string{"intro": l.Intro, "resumen": l.Resumen, "titulo": l.Titulo}
	for _, s := range l.Pasos {
		m[s.ID+".objetivo"] = s.Objetivo
		m[s.ID+".aprendido"] = s.Aprendido
		for i, p := range s.Pistas {
			m[s.ID+".pista"+string(rune('1'+i))] = p
		}
	}
	return m
}

// lintMarkdown renders every Markdown text of l and checks that inline code
// is closed: an odd number of backticks in a paragraph leaks into the text.
func lintMarkdown(t *testing.T, l *Lesson) {
	t.Helper()
	for where, md := range markdownFields(l) {
		if strings.TrimSpace(md) == "" {
			continue
		}
		out, err := render.Markdown(md, render.Options{Width: 80, Profile: termenv.Ascii})
		if err != nil {
			t.Errorf("%s %s: does not render: %v", l.File, where, err)
			continue
		}
		if strings.TrimSpace(ansi.Strip(out)) == "" {
			t.Errorf("%s %s: renders to nothing", l.File, where)
		}
		inFence := false
		for _, para := range strings.Split(md, "\n\n") {
			if strings.Count(para, "```")%2 == 1 {
				inFence = !inFence
				continue
			}
			if inFence || strings.Contains(para, "```") {
				continue
			}
			if strings.Count(para, "`")%2 == 1 {
				t.Errorf("%s %s: unclosed inline code in %q", l.File, where, para)
			}
		}
	}
}

func TestValidateBadFiles(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"01-campo-desconocido.yaml", "field colores not found"},
		{"01-sin-pistas.yaml", "necesita al menos una pista"},
		{"01-sin-objetivo.yaml", "falta objetivo"},
		{"01-sin-solucion.yaml", "necesita al menos una línea de solucion"},
		{"01-sin-comprobar.yaml", "necesita al menos una comprobación"},
		{"01-tipo-desconocido.yaml", "contenedor_volando: tipo de comprobación desconocido"},
		{"01-parametro-desconocido.yaml", "field color not found"},
		{"01-parametro-falta.yaml", "falta el parámetro nombre"},
		{"01-solucion-mala.yaml", "empieza por `bolsillo`, `curl` o `esperar`"},
		{"01-curl-fuera.yaml", "solo se permite http://127.0.0.1"},
		{"01-pasos-repetidos.yaml", "paso 2 (a): id repetido"},
		{"03-numero-mal.yaml", "numero 3: se esperaba 1"},
		{"01-nombre-fichero.yaml", "debería llamarse 01-otro-nombre.yaml"},
		{"01-comprobar-dos-claves.yaml", "un mapa con una sola clave"},
		{"01-fichero-fuera.yaml", "sin `..`"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata/malas", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = LoadFS(fstest.MapFS{tt.file: {Data: b}})
			if err == nil {
				t.Fatalf("LoadFS(%s) = nil error, want %q", tt.file, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadFS(%s) = %v, want it to contain %q", tt.file, err, tt.want)
			}
		})
	}
}

// Validate reports every problem, not only the first.
func TestValidateReportsAll(t *testing.T) {
	ls := []*Lesson{
		{ID: "a", Numero: 1, Titulo: "t", Resumen: "r", Intro: "i", Pasos: []*Step{{ID: "x"}}},
		{ID: "a", Numero: 3, Titulo: "t", Resumen: "r", Intro: "i"},
	}
	err := Validate(ls)
	if err == nil {
		t.Fatal("Validate = nil")
	}
	for _, want := range []string{"falta objetivo", "necesita al menos una pista", "id \"a\" repetido", "numero 3", "no tiene pasos"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error lacks %q:\n%v", want, err)
		}
	}
}
