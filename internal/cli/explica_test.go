package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// noDaemon is a host where nothing listens: explica must not need one.
const noDaemon = "unix:///nonexistent/bolsillo-explica.sock"

// TestEveryCommandExplained walks the whole command tree: every runnable
// command (but help and completion) must have a concept page in
// commandTopics, and its --help must end pointing to it.
func TestEveryCommandExplained(t *testing.T) {
	f, _, _ := testFactory(noDaemon, nil)
	root := newRootCommand(f)
	var runnable []*cobra.Command
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Name() == "help" || c.Name() == "completion" {
			return
		}
		if c.Runnable() && c != root {
			runnable = append(runnable, c)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if len(runnable) < 40 {
		t.Fatalf("found %d runnable commands, want the whole tree", len(runnable))
	}
	for _, c := range runnable {
		path := strings.TrimPrefix(c.CommandPath(), "bolsillo ")
		t.Run(path, func(t *testing.T) {
			topic, ok := commandTopics[path]
			if !ok {
				t.Fatalf("%q has no entry in commandTopics (explica.go)", path)
			}
			if _, ok := explain.Page(topic); !ok {
				t.Fatalf("%q -> %q: no such concept page", path, topic)
			}
			f, out, _ := testFactory(noDaemon, nil)
			if code := execute(t.Context(), f, append(strings.Fields(path), "--help")); code != 0 {
				t.Fatalf("%s --help: exit code %d", path, code)
			}
			want := "\nMás: bolsillo explica " + topic + "\n"
			if !strings.HasSuffix(out.String(), want) {
				t.Errorf("%s --help ends with %q, want %q", path, tail(out.String(), 80), want)
			}
		})
	}
}

// TestCommandTopicsExist checks every entry of the table, also those of
// commands that are not in the tree.
func TestCommandTopicsExist(t *testing.T) {
	for path, topic := range commandTopics {
		if _, ok := explain.Page(topic); !ok {
			t.Errorf("commandTopics[%q] = %q: no such concept page", path, topic)
		}
	}
}

func TestExplica(t *testing.T) {
	capas, _ := explain.Page("capas")
	colgadas, _ := explain.Page("colgadas")
	cicloDeVida, _ := explain.Page("ciclo-de-vida")
	volumenes, _ := explain.Page("volumenes")
	copyPage, _ := explain.Page("COPY")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"list", []string{"explica"}, explain.TopicList()},
		{"english alias of the command", []string{"explain"}, explain.TopicList()},
		{"topic", []string{"explica", "capas"}, capas},
		{"english topic", []string{"explain", "layers"}, capas},
		{"accents", []string{"explica", "Volúmenes"}, volumenes},
		{"instruction", []string{"explica", "copy"}, copyPage},
		{"several words", []string{"explica", "ciclo", "de", "vida"}, cicloDeVida},
		{"a command", []string{"explica", "image prune"}, colgadas},
		{"a command in words", []string{"explica", "container", "rename"}, cicloDeVida},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, out, errOut := testFactory(noDaemon, nil)
			if code := execute(t.Context(), f, tt.args); code != 0 {
				t.Fatalf("exit code = %d, stderr:\n%s", code, errOut)
			}
			if out.String() != tt.want {
				t.Errorf("stdout = %q, want %q", tail(out.String(), 200), tail(tt.want, 200))
			}
			if errOut.Len() != 0 {
				t.Errorf("stderr = %q, want empty", errOut)
			}
		})
	}
}

func TestExplicaUnknownTopic(t *testing.T) {
	tests := []struct {
		topic string
		name  string // golden file
	}{
		{"capaz", "near"},
		{"zzzzzzzzzz", "far"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, out, errOut := testFactory(noDaemon, nil)
			if code := execute(t.Context(), f, []string{"explica", tt.topic}); code != exitGeneric {
				t.Errorf("exit code = %d, want %d", code, exitGeneric)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q, want empty", out)
			}
			assertGolden(t, "TestExplicaUnknownTopic/"+tt.name, errOut.String())
		})
	}
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
