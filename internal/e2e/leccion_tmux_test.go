package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bolsillo/lessons"
)

// tmux drives a terminal on a private tmux server (-L), as a student at a
// keyboard would.
type tmux struct {
	t      *testing.T
	socket string
	marks  int
}

func (x *tmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", x.socket}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (x *tmux) screen() string {
	return x.run("capture-pane", "-p", "-J", "-S", "-200", "-t", "alumno")
}

// typeLine types line and Enter, then waits until it finished: the shell
// prints a marker that only its output (not the typed line) contains. It
// returns what the terminal showed since the previous command.
func (x *tmux) typeLine(line string) string {
	x.t.Helper()
	x.marks++
	x.run("send-keys", "-t", "alumno", "clear", "Enter")
	x.run("send-keys", "-t", "alumno", "-l", fmt.Sprintf("%s; echo FIN-$((%d+1000))", line, x.marks))
	x.run("send-keys", "-t", "alumno", "Enter")
	mark := fmt.Sprintf("FIN-%d", x.marks+1000)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if s := x.screen(); strings.Contains(s, "\n"+mark) {
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
	x.t.Fatalf("%q did not finish; screen:\n%s", line, x.screen())
	return ""
}

// TestLeccionInteractive is a student at a terminal: start a lesson, run a
// wrong command (no progress), ask for a hint, run the right one and see
// the step completed.
func TestLeccionInteractive(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed (make deps installs it)")
	}
	all, err := lessons.Load()
	if err != nil {
		t.Fatal(err)
	}
	// The first lesson whose first step is solved by plain bolsillo lines.
	var l *lessons.Lesson
	var solution []string
	for _, c := range all {
		var lines []string
		ok := true
		for _, s := range c.Pasos[0].Solucion {
			cmd, err := lessons.ParseCommand(s)
			if err != nil || cmd.Kind != lessons.CmdBolsillo || cmd.ExpectFail {
				ok = false
				break
			}
			lines = append(lines, cmd.Line)
		}
		if ok && len(c.Archivos) == 0 && len(c.Pasos[0].Ficheros) == 0 {
			l, solution = c, lines
			break
		}
	}
	if l == nil {
		t.Skip("no lesson starts with a plain bolsillo step")
	}

	d := startDaemon(t)
	d.labInit()
	home := t.TempDir()
	x := &tmux{t: t, socket: fmt.Sprintf("bolsillo-e2e-%d", os.Getpid())}
	env := []string{
		"PATH=" + bin + ":" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"BOLSILLO_LECCIONES=" + filepath.Join(home, "lecciones"),
		"BOLSILLO_HOST=" + d.host(),
		"PS1='$ '",
		"TERM=xterm-256color",
		"HISTFILE=/dev/null",
	}
	x.run("-f", "/dev/null", "new-session", "-d", "-s", "alumno", "-x", "160", "-y", "60",
		"env "+strings.Join(env, " ")+" bash --norc --noprofile")
	t.Cleanup(func() {
		_ = exec.Command("tmux", "-L", x.socket, "kill-server").Run()
		// Wait for the server and its shell to be gone before the
		// temporary folders are removed.
		for i := 0; i < 50 && exec.Command("tmux", "-L", x.socket, "has-session").Run() == nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})

	s := x.typeLine(fmt.Sprintf("bolsillo leccion empezar %d", l.Numero))
	if !strings.Contains(s, "Paso 1 de") {
		t.Fatalf("empezar did not show step 1:\n%s", s)
	}

	s = x.typeLine("bolsillo ps")
	if strings.Contains(s, "completado") {
		t.Fatalf("a wrong command completed the step:\n%s", s)
	}

	s = x.typeLine("bolsillo leccion pista")
	if !strings.Contains(s, "Pista 1 de") {
		t.Fatalf("pista did not show hint 1:\n%s", s)
	}
	s = x.typeLine("bolsillo leccion pista")
	if len(l.Pasos[0].Pistas) > 1 && !strings.Contains(s, "Pista 2 de") {
		t.Fatalf("the second pista did not show hint 2:\n%s", s)
	}

	screen := ""
	for _, line := range solution {
		screen += x.typeLine(line)
	}
	if !strings.Contains(screen, "✔ Paso 1 completado") {
		t.Fatalf("the right commands did not complete step 1:\n%s", screen)
	}
	if len(l.Pasos) > 1 && !strings.Contains(screen, "Paso 2 de") {
		t.Errorf("after step 1 the next goal is not shown:\n%s", screen)
	}

	s = x.typeLine("bolsillo leccion")
	if len(l.Pasos) > 1 && !strings.Contains(s, "Paso 2 de") {
		t.Errorf("leccion does not say the student is at step 2:\n%s", s)
	}
	s = x.typeLine("bolsillo leccion lista")
	if !strings.Contains(s, "▶") {
		t.Errorf("lista does not mark the current lesson:\n%s", s)
	}
}
