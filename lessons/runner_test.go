package lessons

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeRunner stands for the command line: it records each command line and
// applies its effect to the fake API's state.
type fakeRunner struct {
	mu    sync.Mutex
	lines []string
	dirs  []string
	do    func(args []string) error
}

func (r *fakeRunner) Bolsillo(_ context.Context, dir string, args []string, stdout, _ io.Writer) error {
	r.mu.Lock()
	r.lines = append(r.lines, strings.Join(args, " "))
	r.dirs = append(r.dirs, dir)
	r.mu.Unlock()
	io.WriteString(stdout, "salida de "+args[0]+"\n")
	if r.do != nil {
		return r.do(args)
	}
	return nil
}

// lessonOne is testdata lesson hola against a fake engine where `run`
// creates hola1 running and `stop` stops it.
func lessonOne(t *testing.T) (*Lesson, *fakeAPI, *fakeRunner) {
	t.Helper()
	ls, err := LoadFS(os.DirFS("testdata/buenas"))
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeAPI(t)
	f.json("DELETE /containers/hola1", nil)
	r := &fakeRunner{}
	r.do = func(args []string) error {
		switch args[0] {
		case "run":
			f.json("GET /containers/hola1/json", map[string]any{"Id": "h", "Name": "/hola1", "Created": time.Now().Format(time.RFC3339Nano),
				"State": map[string]any{"Running": true}})
		case "stop":
			f.json("GET /containers/hola1/json", map[string]any{"Id": "h", "Name": "/hola1", "Created": time.Now().Format(time.RFC3339Nano),
				"State": map[string]any{"Running": false}})
		case "start":
			return errors.New("terminó con código 1")
		}
		return nil
	}
	return ls[0], f, r
}

func TestAutoRunsLesson(t *testing.T) {
	l, f, r := lessonOne(t)
	var out bytes.Buffer
	root := t.TempDir()
	a := &Auto{API: f.client(t), Runner: r, Out: &out, Err: io.Discard, WorkRoot: root, CheckBefore: true, Settle: time.Second}
	if err := a.RunLesson(context.Background(), l); err != nil {
		t.Fatalf("RunLesson: %v\n%s", err, out.String())
	}
	want := []string{"run -d --name hola1 busybox sleep 1000", "stop -t 1 hola1", "start no-existe"}
	if strings.Join(r.lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("ran %q, want %q", r.lines, want)
	}
	dir := filepath.Join(root, "01-hola")
	for _, d := range r.dirs {
		if d != dir {
			t.Errorf("command ran in %s, want %s", d, dir)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "index.html")); err != nil || string(b) != "<h1>hola</h1>\n" {
		t.Errorf("archivos not written: %q, %v", b, err)
	}
	for _, s := range []string{"# Lección 1: Hola, contenedor", "## Paso 1 de 2", "$ bolsillo run -d --name hola1 busybox sleep 1000",
		"salida de run", "**✔ Paso 1 completado**", "El contenedor vive mientras vive su proceso.",
		"$ ! bolsillo start no-existe", "(falla, como se esperaba)", "$ esperar 0.1", "**✔ Lección 1 completada: Hola, contenedor**"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, out.String())
		}
	}
}

// With CheckBefore, a step whose checks already pass is a defect.
func TestAutoCheckBefore(t *testing.T) {
	l, f, r := lessonOne(t)
	// hola1 is already stopped: step 2 (contenedor_parado) cannot fail.
	r.do = func(args []string) error {
		f.json("GET /containers/hola1/json", map[string]any{"Id": "h", "Name": "/hola1", "Created": time.Now().Format(time.RFC3339Nano),
			"State": map[string]any{"Running": false}})
		return nil
	}
	a := &Auto{API: f.client(t), Runner: r, Out: io.Discard, Err: io.Discard, WorkRoot: t.TempDir(), CheckBefore: true, Settle: 200 * time.Millisecond}
	err := a.RunLesson(context.Background(), l)
	var se *StepError
	if !errors.As(err, &se) {
		t.Fatalf("RunLesson = %v, want a StepError", err)
	}
	// Step 1 fails after its solution (the container is not running).
	if se.Step != 0 || !strings.Contains(err.Error(), "existe pero no está corriendo") {
		t.Errorf("err = %v", err)
	}

	l, f, r = lessonOne(t)
	f.json("GET /containers/hola1/json", map[string]any{"Id": "h", "Name": "/hola1", "Created": time.Now().Add(time.Hour).Format(time.RFC3339Nano),
		"State": map[string]any{"Running": true}})
	a = &Auto{API: f.client(t), Runner: r, Out: io.Discard, Err: io.Discard, WorkRoot: t.TempDir(), CheckBefore: true, Settle: 200 * time.Millisecond}
	err = a.RunLesson(context.Background(), l)
	if !errors.As(err, &se) || se.Step != 0 || !strings.Contains(err.Error(), "ya pasan antes") {
		t.Errorf("RunLesson with a check that cannot fail = %v", err)
	}
}

// A command that must fail and does not stops the lesson; so does one that
// fails when it should not.
func TestAutoCommandFailures(t *testing.T) {
	l, f, r := lessonOne(t)
	r.do = func(args []string) error {
		if args[0] == "run" {
			return errors.New("terminó con código 125")
		}
		return nil
	}
	a := &Auto{API: f.client(t), Runner: r, Out: io.Discard, Err: io.Discard, WorkRoot: t.TempDir(), Settle: 100 * time.Millisecond}
	err := a.RunLesson(context.Background(), l)
	if err == nil || !strings.Contains(err.Error(), "paso 1 (crear): `bolsillo run -d --name hola1 busybox sleep 1000`: terminó con código 125") {
		t.Errorf("RunLesson = %v", err)
	}

	l, f, r = lessonOne(t)
	inner := r.do
	r.do = func(args []string) error {
		if args[0] == "start" {
			return nil
		}
		return inner(args)
	}
	a = &Auto{API: f.client(t), Runner: r, Out: io.Discard, Err: io.Discard, WorkRoot: t.TempDir(), Settle: 100 * time.Millisecond}
	err = a.RunLesson(context.Background(), l)
	if err == nil || !strings.Contains(err.Error(), "debía fallar y no falló") {
		t.Errorf("RunLesson = %v", err)
	}
}

// Clean removes the lesson's resources by name and skips what is missing.
func TestClean(t *testing.T) {
	f := newFakeAPI(t)
	var mu sync.Mutex
	var deleted []string
	for _, route := range []string{"DELETE /containers/web", "DELETE /images/web:1"} {
		f.routes[route] = func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			deleted = append(deleted, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "[]")
		}
	}
	l := &Lesson{Recursos: Recursos{Contenedores: []string{"web", "web2"}, Imagenes: []string{"web:1"}, Volumenes: []string{"datos"}}}
	removed, err := Clean(context.Background(), f.client(t), l)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(removed, ",") != "contenedor web,imagen web:1" {
		t.Errorf("removed %v", removed)
	}
	if len(deleted) != 2 || !strings.Contains(deleted[0], "force=1") {
		t.Errorf("requests %v", deleted)
	}
}
