package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"bolsillo/lessons"
)

// lessonEnv is the environment of a student whose work folders and
// progress live in temporary folders.
func lessonEnv(t *testing.T) []string {
	dir := t.TempDir()
	return []string{
		"BOLSILLO_LECCIONES=" + filepath.Join(dir, "lecciones"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"HOME=" + dir,
	}
}

// TestLessonsAuto runs the whole course in auto mode against a real
// bolsillod, as `make demo` does, with every step's checks required to fail
// on the state before the step (--comprobar-antes) and to pass after it.
func TestLessonsAuto(t *testing.T) {
	all, err := lessons.Load()
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t)
	d.labInit()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "bolsillo"), "-H", d.host(), "leccion", "auto", "--todas", "--comprobar-antes")
	cmd.Env = append(os.Environ(), lessonEnv(t)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	elapsed := time.Since(start)
	steps := 0
	for _, l := range all {
		steps += len(l.Pasos)
	}
	t.Logf("leccion auto --todas: %d lessons, %d steps in %.1f s", len(all), steps, elapsed.Seconds())
	if err != nil {
		t.Fatalf("leccion auto --todas --comprobar-antes: %v\nstdout (end):\n%s\nstderr (end):\n%s", err, tail(stdout.String(), 60), tail(stderr.String(), 40))
	}
	for _, l := range all {
		if want := "✔ Lección " + strconv.Itoa(l.Numero) + " completada"; !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if len(all) > 1 && !strings.Contains(stdout.String(), "Curso completo") {
		t.Errorf("output lacks the course summary")
	}

	// Auto mode starts each lesson from a clean state: a second run of a
	// lesson passes again, its old resources removed first.
	l := all[len(all)-1]
	again := d.bolsillo("leccion", "auto", strconv.Itoa(l.Numero))
	if again.code != 0 {
		t.Errorf("second run of lesson %d: %s", l.Numero, again)
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestLeccionReiniciar removes only the lesson's own resources.
func TestLeccionReiniciar(t *testing.T) {
	all, err := lessons.Load()
	if err != nil {
		t.Fatal(err)
	}
	var l *lessons.Lesson
	for _, c := range all {
		if len(c.Recursos.Contenedores) > 0 {
			l = c
			break
		}
	}
	if l == nil {
		t.Skip("no lesson owns containers")
	}
	d := startDaemon(t)
	d.labInit()
	env := lessonEnv(t)
	run := func(args ...string) result {
		t.Helper()
		return d.exec(append([]string{filepath.Join(bin, "bolsillo"), "-H", d.host()}, args...), env)
	}
	if r := run("leccion", "empezar", strconv.Itoa(l.Numero)); r.code != 0 {
		t.Fatalf("empezar: %s", r)
	}
	owned := l.Recursos.Contenedores[0]
	d.must("run", "-d", "--name", owned, "busybox", "sleep", "600")
	d.must("run", "-d", "--name", "del-estudiante", "busybox", "sleep", "600")
	r := run("leccion", "reiniciar", strconv.Itoa(l.Numero))
	if r.code != 0 || !strings.Contains(r.stdout, "contenedor "+owned) {
		t.Fatalf("reiniciar: %s", r)
	}
	if got := d.bolsillo("inspect", owned); got.code == 0 {
		t.Errorf("%s still exists after reiniciar", owned)
	}
	d.must("inspect", "del-estudiante")
	d.must("rm", "-f", "del-estudiante")
	if r := run("leccion"); !strings.Contains(r.stdout, "No tienes ninguna lección en marcha") {
		t.Errorf("after reiniciar the lesson is still active: %s", r)
	}
}
