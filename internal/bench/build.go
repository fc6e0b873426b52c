package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

const (
	// benchBusybox is busybox under a name of this benchmark's own, in
	// bolsillod and in Docker: the base of the reference Dockerfile, so
	// that both engines build exactly the same file.
	benchBusybox = "bolsillo-bench/busybox"
	// buildTag names the image of the reference Dockerfile.
	buildTag = "bench/ref:1"
	// buildCachedSteps is how many steps of the reference Dockerfile a
	// cached rebuild reuses: every one after FROM.
	buildCachedSteps = 5
)

// referenceDockerfile is the Dockerfile the build rows build: the one of
// the course, with busybox under the benchmark's name.
const referenceDockerfile = `FROM ` + benchBusybox + `
ENV SALUDO=hola
WORKDIR /app
COPY hola.txt .
RUN echo "construido" > /app/info.txt && ls -la /app
CMD ["cat", "/app/info.txt"]
`

// buildContextFiles is the build context of referenceDockerfile, file
// name to content.
var buildContextFiles = map[string]string{
	"Dockerfile": referenceDockerfile,
	"hola.txt":   "hola\n",
}

// writeBuildContext writes the build context of referenceDockerfile to
// dir, which it creates.
func writeBuildContext(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the build context: %w", err)
	}
	for name, content := range buildContextFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return fmt.Errorf("writing the build context: %w", err)
		}
	}
	return nil
}

// buildLog is what the classic builder's output (Docker's and bolsillo's,
// which prints the same lines) says about one build.
type buildLog struct {
	// CacheHits counts the " ---> Using cache" lines: the steps reused.
	CacheHits int
	// Built is the ID of the "Successfully built ID" line; "" when the
	// build did not finish.
	Built string
	// Last is the last image ID the build printed after its FROM step:
	// the final image of a finished build, the deepest intermediate image
	// of a failed one. Removing it removes the images the build made. ""
	// when the build made none.
	Last string
}

// errCacheUse is returned when a build did not use the cache as it was meant to.
var errCacheUse = errors.New("the build did not use the cache as expected")

// parseBuildLog reads the standard output of a classic build. The image
// printed under "Step 1/N" is the base, not something the build made, so
// it never becomes Last.
func parseBuildLog(out []byte) buildLog {
	var l buildLog
	inFrom := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.HasPrefix(line, "Step ") {
			inFrom = strings.HasPrefix(line, "Step 1/")
			continue
		}
		if id, ok := strings.CutPrefix(line, "Successfully built "); ok && isShortID(id) {
			l.Built, l.Last = id, id
			continue
		}
		rest, ok := strings.CutPrefix(line, " ---> ")
		switch {
		case !ok:
		case rest == "Using cache":
			l.CacheHits++
		case isShortID(rest) && !inFrom:
			l.Last = rest
		}
	}
	return l
}

// isShortID reports whether s is an image ID as the classic builder
// prints it: 12 lowercase hexadecimal digits.
func isShortID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// check returns an error unless the build finished and reused exactly
// what it should: every step after FROM when cached, none otherwise.
func (l buildLog) check(cached bool) error {
	if l.Built == "" {
		return errors.New(`the build printed no "Successfully built" line`)
	}
	want := 0
	if cached {
		want = buildCachedSteps
	}
	if l.CacheHits != want {
		return fmt.Errorf("%w: %d steps came from the cache, want %d", errCacheUse, l.CacheHits, want)
	}
	return nil
}

// timedBuild returns a measure function that times the build argv and
// checks in its output that it finished and used the cache as cached says.
// It passes the Last image of every build to made, also of a build that
// failed, so that the caller can remove what the builds left.
func timedBuild(argv, env []string, cached bool, made func(id string)) func(context.Context, int) (time.Duration, error) {
	return func(ctx context.Context, _ int) (time.Duration, error) {
		d, out, err := timeExecOutput(ctx, argv, env)
		l := parseBuildLog(out)
		if l.Last != "" && made != nil {
			made(l.Last)
		}
		if err != nil {
			return 0, err
		}
		if err := l.check(cached); err != nil {
			return 0, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
		}
		return d, nil
	}
}

// buildArgs returns the arguments of `build` of the reference Dockerfile
// in dir, with or without the cache. --force-rm makes no difference to a
// build that succeeds; it keeps a failed one from leaving its container.
func buildArgs(dir string, cached bool) []string {
	args := []string{"build", "--force-rm"}
	if !cached {
		args = append(args, "--no-cache")
	}
	return append(args, "-t", buildTag, dir)
}

// buildLabel names a build row: "bolsillo build con caché".
func buildLabel(engine string, cached bool) string {
	if cached {
		return engine + " build con caché"
	}
	return engine + " build sin caché (Dockerfile de referencia)"
}

// builder is one engine's CLI as the build rows run it.
type builder struct {
	engine string    // "bolsillo" or "docker", for the labels
	keys   [2]string // row keys: without the cache, and with it
	argv   func(args ...string) []string
	env    []string
	// display turns an argv into the command line the report shows; nil
	// shows the argv.
	display func([]string) []string
	// made, if not nil, receives the images the builds leave.
	made func(id string)
}

// unmeasured returns the engine's two rows, neither measured: skipped
// says why they were left out, err why they could not run.
func (e builder) unmeasured(skipped, err string) (noCache, cached Row) {
	return Row{Key: e.keys[0], Label: buildLabel(e.engine, false), Skipped: skipped, Err: err},
		Row{Key: e.keys[1], Label: buildLabel(e.engine, true), Skipped: skipped, Err: err}
}

// buildRows times the engine's two loops on the build context in dir: the
// builds without the cache, then the cached rebuilds.
func (b *bench) buildRows(ctx context.Context, bb *BuildBench, dir string, e builder) (noCache, cached Row) {
	loops := [2]struct {
		cached        bool
		warmups, runs int
	}{
		{false, bb.NoCacheWarmups, bb.NoCacheRuns},
		{true, bb.CachedWarmups, bb.CachedRuns},
	}
	var rows [2]Row
	for i, loop := range loops {
		argv := e.argv(buildArgs(dir, loop.cached)...)
		row := Row{Key: e.keys[i], Label: buildLabel(e.engine, loop.cached), Command: argv}
		if e.display != nil {
			row.Command = e.display(argv)
		}
		if i > 0 && rows[0].Err != "" {
			row.Skipped = "la caché sale de los builds sin caché, que fallaron"
			rows[i] = row
			continue
		}
		b.progress("%d + %d ejecuciones de %s", loop.warmups, loop.runs, row.Label)
		var err error
		if row.Samples, err = measure(ctx, loop.warmups, loop.runs, timedBuild(argv, e.env, loop.cached, e.made)); err != nil {
			row.Err = err.Error()
		}
		rows[i] = row
	}
	return rows[0], rows[1]
}

// measureBuild times the reference Dockerfile built without the cache and
// rebuilt with it, by bolsillo and, when a Docker daemon answers, by
// Docker's classic builder, on the same build context and the same
// busybox. dockerImport is the error of importing busybox into Docker.
func (b *bench) measureBuild(ctx context.Context, d *daemon, dockerImport error) {
	o := b.opts
	bb := &BuildBench{
		Dockerfile:     referenceDockerfile,
		NoCacheWarmups: o.buildWarmups,
		NoCacheRuns:    o.buildRuns,
		CachedWarmups:  o.buildWarmups,
		CachedRuns:     o.buildCachedRuns,
	}
	b.report.Build = bb
	bolsillo := builder{engine: "bolsillo", keys: [2]string{rowBuildBolsillo, rowBuildCachedBolsillo}, argv: d.cli}

	dir := filepath.Join(b.dir, "build")
	err := writeBuildContext(dir)
	if err == nil {
		_, err = output(ctx, d.cli("tag", "busybox", benchBusybox), nil)
	}
	if err != nil {
		r0, r1 := bolsillo.unmeasured("", err.Error())
		bb.Rows = []Row{r0, r1}
		return
	}
	bolNoCache, bolCached := b.buildRows(ctx, bb, dir, bolsillo)

	if reason := b.dockerMissing(ctx); reason != "" {
		bb.DockerNote = fmt.Sprintf("docker build: sin medir; %s (%s)", reason, dockerBuildReference)
		bb.Rows = []Row{bolNoCache, bolCached}
		return
	}
	dockNoCache, dockCached := b.measureDockerBuild(ctx, dir, bb, dockerImport)
	bb.Rows = []Row{bolNoCache, dockNoCache, bolCached, dockCached}
}

// measureDockerBuild times the two build loops with Docker's classic
// builder and then removes from Docker every image they made, and only
// those.
func (b *bench) measureDockerBuild(ctx context.Context, dir string, bb *BuildBench, dockerImport error) (noCache, cached Row) {
	dd := dockerDaemon{sock: b.opts.dockerSock}
	var made []string // images the builds left, oldest first
	docker := builder{
		engine:  "docker",
		keys:    [2]string{rowBuildDocker, rowBuildCachedDocker},
		argv:    dd.argv,
		env:     dockerBuildEnv,
		display: func(argv []string) []string { return append([]string{"DOCKER_BUILDKIT=0"}, argv...) },
		made: func(id string) {
			if !slices.Contains(made, id) {
				made = append(made, id)
			}
		},
	}
	if dockerImport != nil {
		return docker.unmeasured("", dockerImport.Error())
	}
	switch taken, err := dd.hasImage(ctx, buildTag); {
	case err != nil:
		return docker.unmeasured("", err.Error())
	case taken:
		return docker.unmeasured(fmt.Sprintf("Docker ya tiene una imagen %s que no es de este benchmark, y no se toca", buildTag), "")
	}

	defer func() {
		ctx := context.WithoutCancel(ctx)
		// Newest first: an image goes before the images it was built on.
		for _, id := range slices.Backward(made) {
			if _, err := output(ctx, dd.argv("rmi", "-f", id), dockerEnv); err != nil {
				if _, inspectErr := output(ctx, dd.argv("image", "inspect", id), dockerEnv); inspectErr == nil {
					b.cleanup("no se pudo borrar de Docker la imagen %s que dejó un build: %v", id, err)
				}
			}
		}
	}()
	return b.buildRows(ctx, bb, dir, docker)
}
