package cli

import (
	"slices"
	"strings"
	"testing"
)

// TestCommandsTableNames holds the commands table to the tree: every
// command under the root is in it, with the names its constructor gives it.
func TestCommandsTableNames(t *testing.T) {
	f := newFactory()
	table := map[string]bool{}
	for _, c := range commands {
		cmd := c.build(f)
		if want := append([]string{cmd.Name()}, cmd.Aliases...); !slices.Equal(c.names, want) {
			t.Errorf("commands table: %v, but the constructor builds %v", c.names, want)
		}
		table[cmd.Name()] = true
	}
	for _, cmd := range newRootCommand(f).Commands() {
		if name := cmd.Name(); !table[name] && name != "help" && name != "completion" {
			t.Errorf("%q is in the tree but not in the commands table: bolsillo %s would build the whole tree", name, name)
		}
	}
}

func TestCommandName(t *testing.T) {
	tests := []struct {
		args []string
		want string
		ok   bool
	}{
		{[]string{"exec", "web", "true"}, "exec", true},
		{[]string{"-H", "unix:///tmp/d.sock", "--explicar=false", "exec", "web", "true"}, "exec", true},
		{[]string{"--host", "tcp://127.0.0.1:2375", "ps"}, "ps", true},
		{[]string{"--host=unix:///tmp/d.sock", "-Hunix:///x", "images"}, "images", true},
		{[]string{"--explicar", "--explicar-api", "run", "--rm", "busybox"}, "run", true},
		{[]string{"--explicar-api=true", "lesson", "lista"}, "lesson", true},
		{[]string{"--help"}, "", false},
		{[]string{"-v"}, "", false},
		{[]string{"--explicar", "false", "ps"}, "false", true}, // a bool flag takes no separate value, as in cobra
		{[]string{"-H"}, "", false},
		{nil, "", false},
	}
	for _, tt := range tests {
		got, ok := commandName(tt.args)
		if got != tt.want || ok != tt.ok {
			t.Errorf("commandName(%q) = %q, %v; want %q, %v", tt.args, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRootCommandFor(t *testing.T) {
	tests := []struct {
		args []string
		want []string // the commands under the root; nil means the whole tree
	}{
		{[]string{"--explicar=false", "exec", "web", "true"}, []string{"exec"}},
		{[]string{"explain", "capas"}, []string{"explica"}},
		{[]string{"--help"}, nil},
		{[]string{"help", "run"}, nil},
		{[]string{"exce", "web", "true"}, nil}, // cobra suggests "exec" from the whole tree
		{[]string{"completion", "bash"}, nil},
	}
	whole := len(newRootCommand(newFactory()).Commands())
	for _, tt := range tests {
		root := newRootCommandFor(newFactory(), tt.args)
		var got []string
		for _, c := range root.Commands() {
			if c.Name() != "help" && c.Name() != "completion" {
				got = append(got, c.Name())
			}
		}
		switch {
		case tt.want == nil && len(root.Commands()) != whole:
			t.Errorf("newRootCommandFor(%q) built %d commands, want the whole tree (%d)", tt.args, len(root.Commands()), whole)
		case tt.want != nil && !slices.Equal(got, tt.want):
			t.Errorf("newRootCommandFor(%q) built %v, want %v", tt.args, got, tt.want)
		}
	}
}

// TestUnknownCommand: a mistyped command is an error, as in docker, with
// cobra's suggestion in Spanish; no command at all is the help.
func TestUnknownCommand(t *testing.T) {
	tests := []struct {
		args    []string
		code    int
		wantErr []string
		wantOut string
	}{
		{args: []string{"exce", "web", "true"}, code: exitGeneric,
			wantErr: []string{"`exce` no es un comando de bolsillo", "`bolsillo exec`", "Mensaje original: unknown command: bolsillo exce"}},
		{args: []string{"-H", "unix:///nada.sock", "ejecuta"}, code: exitGeneric,
			wantErr: []string{"`ejecuta` no es un comando de bolsillo", "`bolsillo --help`"}},
		{args: nil, code: 0, wantOut: "Uso:\n  bolsillo COMANDO\n"},
		// In a group of commands too, where cobra would print the help.
		{args: []string{"volume", "lss"}, code: exitGeneric,
			wantErr: []string{"`lss` no es un comando de `bolsillo volume`", "`bolsillo volume ls`", "Mensaje original: unknown command: bolsillo volume lss"}},
		{args: []string{"network", "create", "red1"}, code: exitGeneric,
			wantErr: []string{"`create` no es un comando de `bolsillo network`", "no crea ni borra redes", "`inspect` y `ls`"}},
		{args: []string{"image", "rm", "--help"}, code: 0, wantOut: "bolsillo image rm"},
		{args: []string{"network"}, code: 0, wantOut: "Uso:\n  bolsillo network COMANDO\n\nComandos:"},
		{args: []string{"volume", "--help"}, code: 0, wantOut: "Uso:\n  bolsillo volume COMANDO\n\nComandos:"},
	}
	for _, tt := range tests {
		f, out, errOut := testFactory("unix:///nada.sock", nil)
		if code := execute(t.Context(), f, tt.args); code != tt.code {
			t.Errorf("bolsillo %q: exit %d, want %d (stderr %q)", tt.args, code, tt.code, errOut)
		}
		for _, w := range tt.wantErr {
			if !strings.Contains(errOut.String(), w) {
				t.Errorf("bolsillo %q: stderr lacks %q:\n%s", tt.args, w, errOut)
			}
		}
		if !strings.Contains(out.String(), tt.wantOut) {
			t.Errorf("bolsillo %q: stdout lacks %q:\n%s", tt.args, tt.wantOut, out)
		}
	}
}
