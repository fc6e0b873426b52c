package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bolsillo/lessons"
)

// TestLeccionFlow walks the interactive commands against a daemon where
// nothing of the lesson exists: progress is written, hints get stronger,
// the solution is recorded as seen, and the step is not completed.
func TestLeccionFlow(t *testing.T) {
	all, err := lessons.Load()
	if err != nil || len(all) == 0 {
		t.Fatalf("lessons.Load: %d lessons, %v", len(all), err)
	}
	l := all[0]
	d := newFakeDaemon(t)
	home := t.TempDir()
	env := map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, "cfg"), "BOLSILLO_LECCIONES": filepath.Join(home, "w")}
	run := func(args ...string) (int, string, string) {
		t.Helper()
		f, out, errOut := testFactory(d.host, env)
		code := execute(context.Background(), f, args)
		return code, out.String(), errOut.String()
	}

	code, out, _ := run("leccion")
	if code != 0 || !strings.Contains(out, "No tienes ninguna lección en marcha") {
		t.Fatalf("leccion before starting: %d %q", code, out)
	}
	if code, _, errOut := run("leccion", "pista"); code != 1 || !strings.Contains(errOut, "No tienes ninguna lección") {
		t.Errorf("pista without a lesson: %d %q", code, errOut)
	}

	code, out, _ = run("lesson", "empezar", l.ID)
	if code != 0 || !strings.Contains(out, "# Lección 1: "+l.Titulo) || !strings.Contains(out, "## Paso 1 de") {
		t.Fatalf("empezar: %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(home, "w", l.Dir())); err != nil {
		t.Errorf("work folder not created: %v", err)
	}

	_, out, _ = run("leccion", "pista")
	if !strings.Contains(out, "Pista 1 de") {
		t.Errorf("first pista: %q", out)
	}
	_, out, _ = run("leccion", "pista")
	if n := len(l.Pasos[0].Pistas); n > 1 && !strings.Contains(out, "Pista 2 de") {
		t.Errorf("second pista: %q", out)
	}
	_, out, _ = run("leccion", "solucion")
	first, _ := lessons.ParseCommand(l.Pasos[0].Solucion[0])
	if !strings.Contains(out, "Solución del paso 1") || !strings.Contains(out, strings.TrimPrefix(first.Line, "! ")) {
		t.Errorf("solucion: %q", out)
	}
	_, out, _ = run("leccion", "lista")
	if !strings.Contains(out, "▶ **1. "+l.Titulo) {
		t.Errorf("lista does not mark lesson 1 as current:\n%s", out)
	}

	// Nothing exists in the fake daemon: the step is not done.
	code, _, errOut := run("leccion", "verificar")
	if code != 1 || !strings.Contains(errOut, "Todavía no:") {
		t.Errorf("verificar: %d %q", code, errOut)
	}
	// Any other command is followed by the check, silently when not done.
	d.json("GET /containers/json", 200, []any{})
	if code, _, errOut := run("ps"); code != 0 || strings.Contains(errOut, "completado") {
		t.Errorf("ps after a step not done: %d %q", code, errOut)
	}

	p, err := lessons.LoadProgress(filepath.Join(home, "cfg", "bolsillo", "lecciones.json"))
	if err != nil {
		t.Fatal(err)
	}
	lp := p.Lecciones[l.ID]
	if p.Activa != l.ID || lp == nil || lp.Paso != 0 || lp.Pistas < 1 || len(lp.Soluciones) != 1 {
		t.Errorf("progress = %+v %+v", p, lp)
	}
}

func TestLeccionArgs(t *testing.T) {
	d := newFakeDaemon(t)
	env := map[string]string{"HOME": t.TempDir()}
	for _, args := range [][]string{
		{"leccion", "auto"},
		{"leccion", "auto", "1", "--todas"},
		{"leccion", "empezar"},
	} {
		f, _, errOut := testFactory(d.host, env)
		if code := execute(context.Background(), f, args); code != exitDaemonError {
			t.Errorf("%v = %d, want %d\n%s", args, code, exitDaemonError, errOut)
		}
	}
	f, _, errOut := testFactory(d.host, env)
	if code := execute(context.Background(), f, []string{"leccion", "empezar", "99"}); code != 1 || !strings.Contains(errOut.String(), "no hay ninguna lección \"99\"") {
		t.Errorf("empezar 99 = %d %q", code, errOut)
	}
}

// The check after a command is skipped for leccion itself, help and the
// commands auto mode runs.
func TestSkipLessonCheck(t *testing.T) {
	f := newFactory()
	root := newRootCommand(f)
	root.InitDefaultHelpCmd()
	for _, tt := range []struct {
		args []string
		skip bool
	}{
		{[]string{"leccion", "verificar"}, true},
		{[]string{"leccion"}, true},
		{[]string{"help"}, true},
		{[]string{"completion", "bash"}, true},
		{[]string{"ps"}, false},
		{[]string{"run"}, false},
	} {
		cmd, _, err := root.Find(tt.args)
		if err != nil {
			t.Fatal(err)
		}
		if got := skipLessonCheck(cmd); got != tt.skip {
			t.Errorf("skipLessonCheck(%v) = %v, want %v", tt.args, got, tt.skip)
		}
	}
}
