package e2e

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"bolsillo/explain"
)

var shBlock = regexp.MustCompile("(?s)```sh\n(.*?)```")

// TestConceptExamples runs the example of every concept page (its ```sh
// blocks) with sh -e against a real daemon with the lab's busybox, as a
// student would paste it: every command must work, and the example must
// leave no container or volume behind.
func TestConceptExamples(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	path := bin + string(os.PathListSeparator) + os.Getenv("PATH")
	for _, tp := range explain.Topics() {
		t.Run(tp.Name, func(t *testing.T) {
			page, _ := explain.Page(tp.Name)
			blocks := shBlock.FindAllStringSubmatch(page, -1)
			if len(blocks) == 0 {
				t.Fatal("no sh block")
			}
			for _, b := range blocks {
				script := b[1]
				// Published ports: a free one instead of the page's 8080,
				// which another program of the machine may hold.
				if strings.Contains(script, "8080") {
					script = strings.ReplaceAll(script, "8080", strconv.Itoa(freePort(t)))
				}
				ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
				cmd := exec.CommandContext(ctx, "sh", "-ec", script)
				cmd.Dir = t.TempDir()
				cmd.Env = append(os.Environ(), "PATH="+path, "BOLSILLO_HOST="+d.host(), "BOLSILLO_EXPLICAR=0")
				out, err := cmd.CombinedOutput()
				cancel()
				if err != nil {
					t.Fatalf("example failed: %v\nscript:\n%s\noutput:\n%s", err, script, out)
				}
			}
			if r := d.must("ps", "-a", "-q"); strings.TrimSpace(r.stdout) != "" {
				t.Errorf("the example left containers behind:\n%s", d.must("ps", "-a").stdout)
				d.bolsillo(append([]string{"rm", "-f", "-v"}, strings.Fields(r.stdout)...)...)
			}
			if r := d.must("volume", "ls", "-q"); strings.TrimSpace(r.stdout) != "" {
				t.Errorf("the example left volumes behind: %s", r.stdout)
				d.bolsillo(append([]string{"volume", "rm"}, strings.Fields(r.stdout)...)...)
			}
		})
	}
}
