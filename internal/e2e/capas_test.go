package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A file written by one RUN and deleted by the next still weighs in the
// image: `capas` draws the layers with their instructions and names the
// wasted file with its size, read through GET /images/{id}/get. On a
// container, its read-write layer is drawn on top with the counts of
// `diff`. After run, commit and build, a compact stack goes to stderr.
func TestCapas(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	ctx := t.TempDir()
	dockerfile := "FROM busybox\n" +
		"RUN dd if=/dev/zero of=/grande bs=1024 count=3000\n" +
		"ENV MODO=aula\n" +
		"RUN rm /grande\n" +
		"COPY hola.txt /www/\n"
	for name, body := range map[string]string{"Dockerfile": dockerfile, "hola.txt": "hola\n"} {
		if err := os.WriteFile(filepath.Join(ctx, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	build := d.must("build", "-t", "web:2", ctx)
	if !strings.Contains(build.stderr, "Capas de web:2, de arriba abajo: [COPY") {
		t.Errorf("build did not show the compact stack:\n%s", build.stderr)
	}

	img := d.must("capas", "web:2")
	want := []string{
		"Capas de la imagen web:2",
		"capa 4  COPY", "capa 3  RUN rm /grande", "capa 2  RUN dd if=/dev/zero of=/grande",
		"ENV MODO=aula", "sin capa (solo metadatos)",
		"compartida con busybox:latest",
		"Total: 4 capas de solo lectura",
		"/grande  3.07MB: añadido en la capa 2 y borrado en la capa 3",
	}
	for _, w := range want {
		if !strings.Contains(img.stdout, w) {
			t.Errorf("capas web:2 lacks %q:\n%s", w, img.stdout)
		}
	}
	if n := len(regexp.MustCompile(`(?m)^  capa \d+ `).FindAllString(img.stdout, -1)); n != 4 {
		t.Errorf("capas web:2 drew %d layers, want 4:\n%s", n, img.stdout)
	}
	if strings.Contains(img.stdout, "\x1b[") {
		t.Errorf("capas wrote colors to a pipe:\n%q", img.stdout)
	}

	// Without reading the contents, the diagram says how to ask for it.
	quick := d.must("capas", "--desperdicio=false", "web:2")
	if strings.Contains(quick.stdout, "/grande  3.07MB") || !strings.Contains(quick.stdout, "bolsillo capas --desperdicio web:2") {
		t.Errorf("capas --desperdicio=false:\n%s", quick.stdout)
	}

	run := d.must("run", "-d", "--name", "web", "web:2", "sh", "-c", "echo hola > /tmp/nota; rm /www/hola.txt; sleep 300")
	if !strings.Contains(run.stderr, "Capas de web, de arriba abajo: [lectura y escritura") {
		t.Errorf("run did not show the compact stack:\n%s", run.stderr)
	}
	// Wait for the shell to have made its changes.
	for i := 0; i < 100 && !strings.Contains(d.must("diff", "web").stdout, "D /www/hola.txt"); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	ctr := d.must("capas", "web")
	for _, w := range []string{
		"Capas del contenedor web (imagen web:2)",
		"R/W     capa de lectura y escritura",
		"1 añadido (A), 2 cambiados (C), 1 borrado (D)",
		filepath.Join(d.root, "containers"),
		"solo lectura: imagen web:2",
		"capa 4  COPY",
	} {
		if !strings.Contains(ctr.stdout, w) {
			t.Errorf("capas web lacks %q:\n%s", w, ctr.stdout)
		}
	}
	// --imagen skips the container of the same name.
	if r := d.must("capas", "--imagen", "busybox"); !strings.Contains(r.stdout, "Capas de la imagen busybox:latest") {
		t.Errorf("capas --imagen busybox:\n%s", r.stdout)
	}

	commit := d.must("commit", "web", "mi:1")
	if !strings.Contains(commit.stderr, "Capas de mi:1, de arriba abajo: [capa nueva: la de web") ||
		!strings.Contains(commit.stderr, "[4 capas de solo lectura: de web:2") {
		t.Errorf("commit did not show the new layer over the old ones:\n%s", commit.stderr)
	}
	if r := d.must("capas", "mi:1"); !strings.Contains(r.stdout, "Total: 5 capas de solo lectura") || !strings.Contains(r.stdout, "compartida con web:2") {
		t.Errorf("capas mi:1:\n%s", r.stdout)
	}

	if r := d.bolsillo("capas", "nada"); r.code == 0 || !strings.Contains(r.stderr, "No hay ningún contenedor ni ninguna imagen `nada`") {
		t.Errorf("capas nada: %s", r)
	}
	d.must("rm", "-f", "web")
}
