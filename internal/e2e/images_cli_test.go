package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The images part of the course with the bolsillo CLI: tag, history, push
// to a registry, pull into another machine's daemon, a tag that moves and
// leaves an image dangling, prune, rmi, save and load. Each command prints
// docker's stdout and explains on stderr.
func TestImagesWithBolsillo(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	reg := startRegistry(t)
	id := strings.TrimSpace(d.must("--explicar=false", "image", "inspect", "-f", "{{.Id}}", "busybox").stdout)

	r := d.must("tag", "busybox", "mio/busybox:1.0")
	if r.stdout != "" || !strings.Contains(r.stderr, id[7:19]) {
		t.Errorf("tag: stdout %q (want none), explanation:\n%s", r.stdout, r.stderr)
	}
	h := d.must("history", "-H", "busybox")
	if !strings.HasPrefix(h.stdout, "IMAGE          CREATED") || !strings.Contains(h.stdout, "Imported from -") {
		t.Errorf("history -H stdout:\n%s", h.stdout)
	}
	if !strings.Contains(h.stderr, "hace") {
		t.Errorf("history explanation has no Spanish time:\n%s", h.stderr)
	}

	ref := reg + "/aula/busybox:1.0"
	d.must("tag", "busybox", ref)
	push := d.must("push", ref)
	if !regexp.MustCompile(`1\.0: digest: sha256:[0-9a-f]{64} size: \d+\n`).MatchString(push.stdout) {
		t.Errorf("push stdout:\n%s", push.stdout)
	}

	// Another machine: a fresh daemon pulls it.
	d2 := startDaemon(t)
	pull := d2.must("pull", ref)
	for _, want := range []string{"Pull complete", "Digest: sha256:", "Status: Downloaded newer image for " + ref, "\n" + ref + "\n"} {
		if !strings.Contains(pull.stdout, want) {
			t.Errorf("pull stdout lacks %q:\n%s", want, pull.stdout)
		}
	}
	if !strings.Contains(pull.stderr, "capa") {
		t.Errorf("pull explanation:\n%s", pull.stderr)
	}
	if again := d2.must("pull", ref); !strings.Contains(again.stdout, "Image is up to date for "+ref) {
		t.Errorf("second pull:\n%s", again.stdout)
	}
	if got := strings.TrimSpace(d2.must("--explicar=false", "image", "inspect", "-f", "{{.Id}}", ref).stdout); got != id {
		t.Errorf("pulled ID %s, want %s", got, id)
	}

	// The tag moves: the old image is left dangling, and the explanation
	// says so when it happens.
	imp := d.must("import", "-c", `CMD ["sh"]`, writeRootfs(t), "busybox:latest")
	_ = imp
	dangling := strings.TrimSpace(d.must("--explicar=false", "images", "-f", "dangling=true", "-q").stdout)
	if dangling != "" {
		t.Errorf("busybox:latest moved but mio/busybox:1.0 still names the old image; dangling = %q", dangling)
	}
	rmi := d.must("rmi", "mio/busybox:1.0", ref)
	if rmi.stdout != "Untagged: mio/busybox:1.0\nUntagged: "+ref+"\nDeleted: "+id+"\n" && !strings.HasPrefix(rmi.stdout, "Untagged: mio/busybox:1.0\nUntagged: "+ref+"\nDeleted: "+id+"\nDeleted: sha256:") {
		t.Errorf("rmi stdout:\n%s", rmi.stdout)
	}

	// A second import to the same tag leaves the first import dangling.
	d.must("import", "-c", `CMD ["sh"]`, writeRootfs(t), "busybox:latest")
	dangling = strings.TrimSpace(d.must("--explicar=false", "images", "-f", "dangling=true", "-q").stdout)
	if len(dangling) != 12 {
		t.Fatalf("images -f dangling=true -q = %q, want one ID", dangling)
	}
	if ps := d.must("images"); !strings.Contains(ps.stdout, "<none>       <none>") {
		t.Errorf("images does not show the dangling image as <none>:\n%s", ps.stdout)
	}
	prune := d.must("image", "prune", "-f")
	if !strings.Contains(prune.stdout, "deleted: sha256:"+dangling) || !strings.Contains(prune.stdout, "Total reclaimed space:") {
		t.Errorf("image prune -f stdout:\n%s", prune.stdout)
	}

	// save and load between daemons.
	tarPath := filepath.Join(t.TempDir(), "imgs.tar")
	d.must("save", "-o", tarPath, "busybox")
	if fi, err := os.Stat(tarPath); err != nil || fi.Size() < 1<<20 {
		t.Fatalf("save wrote %v (err %v)", fi, err)
	}
	d3 := startDaemon(t)
	load := d3.must("load", "-i", tarPath)
	if load.stdout != "Loaded image: busybox:latest\n" {
		t.Errorf("load stdout = %q", load.stdout)
	}
	if got := d3.must("--explicar=false", "run", "--rm", "busybox", "cat", "/etc/mensaje").stdout; got != "desde un tar\n" {
		t.Errorf("run of the loaded image = %q", got)
	}
}

// Bad references get a Spanish explanation of the name:tag format and no
// request reaches a registry.
func TestPullBadReference(t *testing.T) {
	d := startDaemon(t)
	for _, ref := range []string{"Busybox:Latest", "a:b:c"} {
		r := d.bolsillo("pull", ref)
		if r.code == 0 || !strings.Contains(r.stderr, "etiqueta") {
			t.Errorf("pull %s: %s", ref, r)
		}
	}
}
