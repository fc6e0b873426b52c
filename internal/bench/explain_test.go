package main

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCleanEnv(t *testing.T) {
	env := []string{"PATH=/bin", "TERM=dumb", "NO_COLOR=1", "HOME=/root", "NO_COLORS=keep", "BOLSILLO_EXPLICAR=0"}
	got := cleanEnv(env, []string{"TERM", "NO_COLOR", "BOLSILLO_EXPLICAR"}, "TERM=xterm-256color", "XDG_CONFIG_HOME=/tmp/c")
	want := []string{"PATH=/bin", "HOME=/root", "NO_COLORS=keep", "TERM=xterm-256color", "XDG_CONFIG_HOME=/tmp/c"}
	if !slices.Equal(got, want) {
		t.Errorf("cleanEnv = %q, want %q", got, want)
	}
}

func TestCheckExplanation(t *testing.T) {
	const (
		markdown = "# 0 contenedores corriendo (`ps`)\n\n- `ps` solo muestra los que están corriendo.\n"
		rendered = "\x1b[1;38;5;228m 0 contenedores corriendo \x1b[0m\r\n\r\n  • ps solo muestra…\r\n"
	)
	tests := []struct {
		mode    explainMode
		stderr  string
		wantErr string // "" for none
	}{
		{explainOff, "", ""},
		{explainOff, "aviso: algo\n", ""},
		{explainOff, markdown, "printed an explanation with --explicar=false"},
		{explainPipe, markdown, ""},
		{explainPipe, "aviso: algo\n" + markdown, ""},
		{explainPipe, "", "printed no Markdown explanation to a pipe"},
		{explainPipe, "## no es un título de primer nivel\n", "printed no Markdown explanation to a pipe"},
		{explainPipe, markdown + "\x1b[0m", "printed terminal escapes to a pipe"},
		{explainTTY, rendered, ""},
		{explainTTY, strings.ReplaceAll(markdown, "\n", "\r\n"), "printed no rendered explanation on a terminal"},
		{explainTTY, "", "printed no rendered explanation on a terminal"},
	}
	for _, tt := range tests {
		err := checkExplanation([]string{"bolsillo", "ps"}, tt.mode, []byte(tt.stderr))
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s with %q: %v", tt.mode.key(), tt.stderr, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s with %q: error %v, want one with %q", tt.mode.key(), tt.stderr, err, tt.wantErr)
		}
	}
}

func TestExplainBaseline(t *testing.T) {
	for key, want := range map[string]string{
		"explain-ps-off":   "explain-ps-off",
		"explain-ps-pipe":  "explain-ps-off",
		"explain-run-tty":  "explain-run-off",
		"explain-images-x": "explain-images-x",
	} {
		if got := explainBaseline(key); got != want {
			t.Errorf("explainBaseline(%q) = %q, want %q", key, got, want)
		}
	}
}

// explainRows returns the rows of every command of explainCommands with
// medians off, pipe and tty in milliseconds; a negative one is a row that
// failed.
func explainRows(medians map[string][3]int) []Row {
	var rows []Row
	for _, c := range explainCommands {
		for _, m := range explainModes {
			row := Row{Key: explainKey(c.key, m), Label: c.label() + ", " + m.label()}
			if v := medians[c.key][m]; v >= 0 {
				row.Samples = spread(time.Duration(v)*time.Millisecond, 10)
			} else {
				row.Err = "exit status 1"
			}
			rows = append(rows, row)
		}
	}
	return rows
}

func TestExplainAdded(t *testing.T) {
	r := &Report{Explain: &ExplainBench{Rows: explainRows(map[string][3]int{
		"ps":     {10, 11, 25},
		"images": {12, 11, -1},
		"run":    {-1, 90, 110},
	})}}
	want := []explainAdded{
		{Command: "bolsillo ps", Verb: "bolsillo ps", Pipe: time.Millisecond, TTY: 15 * time.Millisecond, HavePipe: true, HaveTTY: true},
		{Command: "bolsillo images", Verb: "bolsillo images", Pipe: -time.Millisecond, HavePipe: true},
		{Command: "bolsillo run --rm busybox true", Verb: "bolsillo run"},
	}
	if got := r.explainAdded(); !slices.Equal(got, want) {
		t.Errorf("explainAdded() =\n%+v\nwant\n%+v", got, want)
	}
	if _, ok := r.explainWorst(); ok {
		t.Error("explainWorst() found a worst case with commands not measured")
	}
}

func TestFormatAdded(t *testing.T) {
	for d, want := range map[time.Duration]string{
		12340 * time.Microsecond: "+12.3 ms",
		-700 * time.Microsecond:  "-0.7 ms",
		0:                        "+0.0 ms",
	} {
		if got := formatAdded(d); got != want {
			t.Errorf("formatAdded(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestTimeExplainTerminal runs a shell on the pseudo-terminal: its stderr is
// a terminal, what it writes there is read, and a lot of it does not block.
func TestTimeExplainTerminal(t *testing.T) {
	tests := []struct {
		name    string
		script  string
		wantErr string
	}{
		{"rendered on a terminal", `test -t 2 && test ! -t 1 && printf '\033[1mhola\033[0m\n' >&2`, ""},
		{"more than the terminal's buffer", `i=0; while [ $i -lt 3000 ]; do echo "línea $i de relleno para llenar el búfer de la terminal"; i=$((i+1)); done >&2; printf '\033[0m' >&2`, ""},
		{"plain Markdown", `echo '# hola' >&2`, "printed no rendered explanation on a terminal"},
		{"failed", `echo 'Error: no responde' >&2; exit 3`, "exit status 3: Error: no responde"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := timeExplain(t.Context(), []string{"/bin/sh", "-c", tt.script}, nil, explainTTY)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatal(err)
			case tt.wantErr == "" && d <= 0:
				t.Errorf("wall time %v", d)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one with %q", err, tt.wantErr)
			}
		})
	}
}

func TestTerminalSize(t *testing.T) {
	tty, err := newTerminal()
	if err != nil {
		t.Fatal(err)
	}
	defer tty.close()
	cmd := exec.Command("stty", "size")
	cmd.Stdin, cmd.Stdout = tty.slave, tty.slave
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.slave.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(tty.drain())), fmt.Sprintf("%d %d", ptyRows, ptyCols); got != want {
		t.Errorf("stty size on the terminal = %q, want %q", got, want)
	}
}
