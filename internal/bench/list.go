package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Keys of the listing rows, and of their targets.
const (
	rowListPs     = "list-ps"
	rowListImages = "list-images"
)

// What the listing rows list, and their target: a student's `ps -a` and
// `images` stay instant on a crowded daemon.
const (
	listContainers = 200
	listImages     = 100
	maxList        = 50 * time.Millisecond
)

// listDockerfile is the Dockerfile of the listed images: each build adds
// a label of its own with --label, so that every image is a different one
// over the same busybox layer.
const listDockerfile = "FROM busybox\nLABEL bench=lista\n"

// ListBench is `ps -a` with listContainers containers and `images` with
// listImages more images, in the bench's bolsillod: the containers are
// created and not started, the images built from one Dockerfile with a
// different label each, so that they share busybox's layer. Every listing
// timed was checked to list them all.
type ListBench struct {
	Containers int // containers listed by ps -a
	Images     int // images listed by images
	Warmups    int
	Runs       int
	Rows       []Row // ps first
}

// listCommand is one listing, and how many lines it prints: a header and
// one line per object.
type listCommand struct {
	key, label string
	args       []string
	lines      int
}

// measureList creates the containers and the images, times both listings
// and removes what it created.
func (b *bench) measureList(ctx context.Context, d *daemon) {
	lb := &ListBench{Warmups: b.opts.warmups, Runs: b.opts.runs}
	b.report.List = lb
	commands := []listCommand{
		{key: rowListPs, args: []string{"ps", "-a"}},
		{key: rowListImages, args: []string{"images"}},
	}
	fail := func(err error) {
		for _, c := range commands {
			lb.Rows = append(lb.Rows, Row{Key: c.key, Label: "bolsillo " + strings.Join(c.args, " "), Err: err.Error()})
		}
	}

	// What is there before, so that the listings are checked against it.
	var before [2]int
	for i, args := range [][]string{{"ps", "-a", "-q"}, {"images", "-q"}} {
		out, err := output(ctx, d.cli(args...), nil)
		if err != nil {
			fail(err)
			return
		}
		before[i] = len(strings.Fields(string(out)))
	}

	b.progress("creando %d contenedores y construyendo %d imágenes para ps -a e images", listContainers, listImages)
	var containers, images []string
	defer func() { b.removeListed(ctx, d, containers, images) }()
	for i := range listContainers {
		name := fmt.Sprintf("bench-lista-%d", i)
		if _, err := output(ctx, d.cli("create", "--name", name, "busybox", "true"), nil); err != nil {
			fail(err)
			return
		}
		containers = append(containers, name)
	}
	dir := filepath.Join(b.dir, "lista")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(listDockerfile), 0o644); err != nil {
		fail(err)
		return
	}
	for i := range listImages {
		ref := fmt.Sprintf("bench/lista:%d", i)
		if _, err := output(ctx, d.cli("build", "-q", "--label", fmt.Sprintf("bench.n=%d", i), "-t", ref, dir), nil); err != nil {
			fail(err)
			return
		}
		images = append(images, ref)
	}
	lb.Containers, lb.Images = before[0]+listContainers, before[1]+listImages
	commands[0].label = fmt.Sprintf("bolsillo ps -a con %d contenedores", lb.Containers)
	commands[0].lines = lb.Containers + 1
	commands[1].label = fmt.Sprintf("bolsillo images con %d imágenes", lb.Images)
	commands[1].lines = lb.Images + 1

	for _, c := range commands {
		argv := d.cli(c.args...)
		row := Row{Key: c.key, Label: c.label, Command: argv}
		b.progress("%d + %d ejecuciones de %s", b.opts.warmups, b.opts.runs, c.label)
		var err error
		row.Samples, err = measure(ctx, b.opts.warmups, b.opts.runs, func(ctx context.Context, _ int) (time.Duration, error) {
			elapsed, out, err := timeExecOutput(ctx, argv, nil)
			if err == nil {
				err = checkListed(argv, out, c.lines)
			}
			return elapsed, err
		})
		if err != nil {
			row.Err = err.Error()
		}
		lb.Rows = append(lb.Rows, row)
	}
}

// checkListed checks that a listing printed lines lines.
func checkListed(argv []string, out []byte, lines int) error {
	if got := strings.Count(string(out), "\n"); got != lines {
		return fmt.Errorf("%s printed %d lines, want %d (a header and one per object)", strings.Join(argv, " "), got, lines)
	}
	return nil
}

// removeListed removes the containers and the images measureList created;
// what it cannot remove is recorded as a clean-up problem.
func (b *bench) removeListed(ctx context.Context, d *daemon, containers, images []string) {
	ctx = context.WithoutCancel(ctx)
	if len(containers) > 0 {
		if _, err := output(ctx, d.cli(append([]string{"rm", "-f"}, containers...)...), nil); err != nil {
			b.cleanup("no se pudieron borrar los %d contenedores de ps -a: %v", len(containers), err)
		}
	}
	if len(images) > 0 {
		if _, err := output(ctx, d.cli(append([]string{"rmi"}, images...)...), nil); err != nil {
			b.cleanup("no se pudieron borrar las %d imágenes de images: %v", len(images), err)
		}
	}
}

// listTargets checks the goals of the listings: each under maxList. Their
// values are in milliseconds.
func (r *Report) listTargets() []Target {
	var targets []Target
	for _, l := range []struct{ key, what string }{
		{rowListPs, fmt.Sprintf("ps -a con %d contenedores", listContainers)},
		{rowListImages, fmt.Sprintf("images con %d imágenes", listImages)},
	} {
		t := Target{
			Key:   l.key,
			Goal:  fmt.Sprintf("%s por debajo de %d ms", l.what, maxList.Milliseconds()),
			Limit: millis(maxList),
			Note:  "sin medir",
		}
		if d, ok := r.median(l.key); ok {
			t.Value, t.Met, t.Note = millis(d), ptr(d < maxList), ""
		}
		targets = append(targets, t)
	}
	return targets
}

// writeText prints the listings' section.
func (l *ListBench) writeText(b *strings.Builder, r *Report) {
	fmt.Fprintf(b, "\nListar con muchos objetos, con el bolsillod de arriba y --explicar=false\n"+
		"  %d contenedores creados sin arrancar; %d imágenes construidas del mismo Dockerfile con una\n"+
		"  etiqueta (--label) distinta cada una, que comparten la capa de busybox. Calentamiento %d, medidas %d;\n"+
		"  cada salida se comprueba: una línea por objeto. Después se borran.\n"+
		"  «vs bolsillo» compara con ps e images de la sección anterior, con pocos objetos.\n",
		listContainers, listImages, l.Warmups, l.Runs)
	r.writeTimes(b, l.Rows, listBaseline, "")
}

// listBaseline compares each listing with the same verb timed by the
// explanation rows, with --explicar=false on a daemon with few objects.
func listBaseline(key string) string {
	if key == rowListImages {
		return explainKey("images", explainOff)
	}
	return explainKey("ps", explainOff)
}

// jsonList is the raw form of a ListBench.
type jsonList struct {
	Containers   int       `json:"containers"`
	Images       int       `json:"images"`
	Warmups      int       `json:"warmups"`
	Runs         int       `json:"runs"`
	Measurements []jsonRow `json:"measurements"`
}

// json returns the raw form of l.
func (l *ListBench) json() *jsonList {
	return &jsonList{Containers: l.Containers, Images: l.Images, Warmups: l.Warmups, Runs: l.Runs, Measurements: jsonRows(l.Rows)}
}
