// Command bench times bolsillo against raw runc and, when a Docker daemon
// answers on /var/run/docker.sock, against Docker, in one run: the wall time
// of a container that runs `true` from start to removal, the wall time of
// `exec NAME true` in a container that runs, the HTTP requests per second
// to busybox httpd in a container through its published port and straight
// to its address on the daemon's bridge, the idle RSS of bolsillod,
// the size of both binaries, the wall time of a build of the
// course's reference Dockerfile without the cache and rebuilt with it
// (Docker with its classic builder), the wall time of a pull of a
// 5-layer image from a bolsillo-registry it starts on 127.0.0.1, what an
// explanation adds to `ps`, `images` and `run --rm busybox true`, to a pipe
// and rendered on a pseudo-terminal, the wall time of `ps -a` with 200
// containers and of `images` with 100 images, and the wall time of the
// whole course in auto mode on a second bolsillod with a new data root. It
// prints a table with ratios and checks the engine's targets as facts: a
// benchmark reports, it does not assert. It exits 1 only when a
// measurement could not run.
//
//	sudo go run ./internal/bench -bin bin [-n 20] [-warmup 3] [-build-n 5] [-build-cached-n 10]
//		[-build-warmup 1] [-pull-n 5] [-pull-warmup 1] [-json]
//
// It needs root (namespaces, mounts, cgroups). It starts its own bolsillod
// and registry on temporary directories, a socket and a free port, and
// leaves nothing behind: of a Docker daemon it uses, it removes only the
// images and the container it created.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// idleWait is how long bolsillod is left alone before its RSS is read.
const idleWait = 2 * time.Second

// options are the command-line flags.
type options struct {
	bin     string // directory with bolsillod and bolsillo
	runs    int
	warmups int
	json    bool
	// pullRuns and pullWarmups are the runs of each pull row: a pull
	// downloads megabytes, so there are fewer than of a container start.
	pullRuns    int
	pullWarmups int
	// buildRuns, buildCachedRuns and buildWarmups are the runs of the
	// build rows: without the cache, with it, and the warm-ups of each.
	buildRuns       int
	buildCachedRuns int
	buildWarmups    int
	// dockerSock is where a Docker daemon to compare with may answer.
	dockerSock string
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin", "directorio con bolsillod, bolsillo y bolsillo-registry, los que deja 'make build'")
	flag.IntVar(&o.runs, "n", 20, "ejecuciones medidas por fila")
	flag.IntVar(&o.warmups, "warmup", 3, "ejecuciones de calentamiento por fila, que no cuentan")
	flag.IntVar(&o.buildRuns, "build-n", 5, "builds sin caché medidos por fila")
	flag.IntVar(&o.buildCachedRuns, "build-cached-n", 10, "builds con caché medidos por fila")
	flag.IntVar(&o.buildWarmups, "build-warmup", 1, "builds de calentamiento por fila, que no cuentan")
	flag.IntVar(&o.pullRuns, "pull-n", 5, "pulls medidos por fila")
	flag.IntVar(&o.pullWarmups, "pull-warmup", 1, "pulls de calentamiento por fila, que no cuentan")
	flag.BoolVar(&o.json, "json", false, "imprime las cifras en bruto, en JSON, en vez de la tabla")
	flag.StringVar(&o.dockerSock, "docker-sock", defaultDockerSock, "socket del daemon de Docker con el que comparar, si responde")
	flag.Parse()
	if o.runs < 1 || o.warmups < 0 || o.pullRuns < 1 || o.pullWarmups < 0 ||
		o.buildRuns < 1 || o.buildCachedRuns < 1 || o.buildWarmups < 0 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, o, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run measures, cleans up and prints; it returns the exit code.
func run(ctx context.Context, o options, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 1
	}
	if os.Geteuid() != 0 {
		return fail(errors.New("bolsillod y runc crean namespaces, montajes y cgroups: ejecútalo como root ('sudo make bench')"))
	}
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return fail(err)
	}
	r := &Report{
		Date:    time.Now(),
		Kernel:  kernelRelease(),
		CPUs:    runtime.NumCPU(),
		Warmups: o.warmups,
		Runs:    o.runs,
	}
	for _, name := range []string{"bolsillod", "bolsillo"} {
		info, err := os.Stat(filepath.Join(bin, name))
		if err != nil {
			return fail(fmt.Errorf("no encuentro %s: ejecuta 'make build' o pasa -bin DIR (%w)", name, err))
		}
		r.Binaries = append(r.Binaries, Binary{Name: name, Size: info.Size()})
	}

	dir, err := os.MkdirTemp("", "bolsillo-bench-")
	if err != nil {
		return fail(err)
	}
	b := &bench{opts: o, bin: bin, dir: dir, report: r, log: stderr}
	err = b.measure(ctx)
	if cerr := removeTemp(dir); cerr != nil {
		r.Cleanup = append(r.Cleanup, cerr.Error())
	}
	if ctx.Err() != nil {
		err = errors.New("interrumpido: no hay cifras")
	}
	if err != nil {
		for _, f := range append(r.Failures, r.Cleanup...) {
			fmt.Fprintf(stderr, "bench: %s\n", f)
		}
		return fail(err)
	}

	write := r.WriteText
	if o.json {
		write = r.WriteJSON
	}
	if err := write(stdout); err != nil {
		return fail(err)
	}
	if r.Failed() {
		return 1
	}
	return 0
}

// bench is one benchmark run: it fills report.
type bench struct {
	opts   options
	bin    string
	dir    string // temporary: data root, socket, runc bundle and state
	report *Report
	log    io.Writer // progress
	// dockerReason caches dockerMissing: nil until Docker was probed.
	dockerReason *string
}

// dockerMissing says why Docker cannot be measured, or "" when its daemon
// answers. It probes the daemon once per run.
func (b *bench) dockerMissing(ctx context.Context) string {
	if b.dockerReason == nil {
		reason := dockerDaemon{sock: b.opts.dockerSock}.missing(ctx)
		b.dockerReason = &reason
	}
	return *b.dockerReason
}

func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(b.log, "bench: "+format+"\n", args...)
}

// failure records a measurement that could not run.
func (b *bench) failure(format string, args ...any) {
	b.report.Failures = append(b.report.Failures, fmt.Sprintf(format, args...))
}

// cleanup records something left behind; the figures stand.
func (b *bench) cleanup(format string, args ...any) {
	b.report.Cleanup = append(b.report.Cleanup, fmt.Sprintf(format, args...))
}

// measure starts bolsillod, takes every figure and stops bolsillod. It
// returns an error when bolsillo itself could not be measured; failures of
// the other rows are recorded in the report.
func (b *bench) measure(ctx context.Context) error {
	b.progress("arrancando bolsillod en %s", b.dir)
	d, err := startDaemon(ctx, b.bin, b.dir)
	if err != nil {
		return err
	}
	defer func() {
		b.progress("deteniendo bolsillod (PID %d) con SIGTERM", d.pid())
		if err := d.stop(); err != nil {
			b.cleanup("%v", err)
		}
	}()

	if _, err := output(ctx, d.cli("lab", "init"), nil); err != nil {
		return fmt.Errorf("creating busybox:latest: %w", err)
	}
	rootfs, err := d.imageLowerDir(ctx, "busybox")
	if err != nil {
		return err
	}
	if err := sleep(ctx, idleWait); err != nil {
		return err
	}
	if b.report.RSSAfterInit, err = readVmRSS(d.pid()); err != nil {
		b.failure("RSS de bolsillod: %v", err)
	}

	removeDockerImage, dockerImport := b.importDocker(ctx, rootfs)
	defer removeDockerImage()
	if err := b.measureRuns(ctx, d, rootfs, dockerImport); err != nil {
		return err
	}
	lastRun := time.Now()
	if out, err := output(ctx, d.cli("ps", "--all", "--quiet"), nil); err != nil {
		b.cleanup("bolsillo ps: %v", err)
	} else if left := strings.Fields(string(out)); len(left) > 0 {
		b.cleanup("--rm no borró %d contenedores de bolsillo: %s", len(left), strings.Join(left, " "))
	}

	if err := sleep(ctx, time.Until(lastRun.Add(idleWait))); err != nil {
		return err
	}
	if b.report.RSSAfterRuns, err = readVmRSS(d.pid()); err != nil {
		b.failure("RSS de bolsillod: %v", err)
	}

	// After the idle RSS, as the build and the pull: a running container
	// is not idle.
	b.measureExec(ctx, d, dockerImport)
	if err := ctx.Err(); err != nil {
		return err
	}
	b.measureHTTP(ctx, d, dockerImport)
	if err := ctx.Err(); err != nil {
		return err
	}
	// After the idle RSS, as the pull: the images a build makes are not idle.
	b.measureBuild(ctx, d, dockerImport)
	if err := ctx.Err(); err != nil {
		return err
	}
	// After the idle RSS, so that the megabytes a pull moves do not count in it.
	b.measurePull(ctx, d)
	if err := ctx.Err(); err != nil {
		return err
	}
	b.measureExplain(ctx, d)
	if err := ctx.Err(); err != nil {
		return err
	}
	// After the explanations, which time ps and images on a daemon with
	// few objects.
	b.measureList(ctx, d)
	if err := ctx.Err(); err != nil {
		return err
	}
	// Last, on a daemon of its own: the course leaves containers and
	// images behind, and wants a data root that has only busybox.
	b.measureCourse(ctx)
	return ctx.Err()
}

// measureRuns times `run --rm busybox true` in bolsillo and the rows it is
// compared with: runc on the same rootfs, and Docker without a network and
// with its bridge when a Docker daemon answers (dockerImport is the error
// of importing busybox there). The engines take turns, one run of each in
// every round, so that a machine whose speed drifts during the measurement
// weighs on all alike. It returns an error only when bolsillo itself could
// not be timed.
func (b *bench) measureRuns(ctx context.Context, d *daemon, rootfs string, dockerImport error) error {
	const label = "bolsillo run --rm busybox true"
	rows := []Row{{Key: rowBolsillo, Label: label, Command: d.cli("run", "--rm", "busybox", "true")}}
	runs := []func(context.Context) (time.Duration, error){func(ctx context.Context) (time.Duration, error) {
		return timeExec(ctx, rows[0].Command, nil)
	}}

	runc, rb := b.runcRow(ctx, rootfs)
	rows = append(rows, runc)
	runs = append(runs, nil)
	if rb != nil {
		i := 0
		runs[len(runs)-1] = func(ctx context.Context) (time.Duration, error) {
			i++
			return rb.run(ctx, i)
		}
	}

	dd := dockerDaemon{sock: b.opts.dockerSock}
	if reason := b.dockerMissing(ctx); reason != "" {
		b.report.DockerNote = fmt.Sprintf("Docker: %s (%s)", reason, dockerReference)
	} else {
		for _, r := range []struct{ key, label, network string }{
			{rowDockerNone, "docker run --rm --network none", "none"},
			{rowDockerBridge, "docker run --rm (red bridge)", ""},
		} {
			row := Row{Key: r.key, Label: r.label}
			var run func(context.Context) (time.Duration, error)
			if dockerImport != nil {
				row.Err = dockerImport.Error()
			} else {
				argv, timed := dd.run(r.network)
				row.Command = argv
				run = func(ctx context.Context) (time.Duration, error) { return timed(ctx, 0) }
			}
			rows = append(rows, row)
			runs = append(runs, run)
		}
	}

	var names []string
	for i, row := range rows {
		if runs[i] != nil {
			names = append(names, row.Label)
		}
	}
	b.progress("%d + %d vueltas por turnos de: %s", b.opts.warmups, b.opts.runs, strings.Join(names, "; "))
	samples, errs := measureTurns(ctx, b.opts.warmups, b.opts.runs, runs)
	if errs[0] != nil {
		return fmt.Errorf("timing bolsillo: %w", errs[0])
	}
	recordTurns(rows, runs, samples, errs)
	if rb != nil {
		if left, err := rb.leftovers(ctx); err != nil {
			b.cleanup("runc list: %v", err)
		} else if len(left) > 0 {
			b.cleanup("runc dejó contenedores en %s: %s", rb.state, strings.Join(left, " "))
		}
	}
	b.report.Rows = append(b.report.Rows, rows...)
	return ctx.Err()
}

// runcRow returns the runc row, with its label and command, and the
// bundle its runs use; without runc, or when the bundle cannot be made, the
// bundle is nil and the row says why.
func (b *bench) runcRow(ctx context.Context, rootfs string) (Row, *runcBench) {
	row := Row{Key: rowRunc, Label: "runc run (mismo rootfs, sin daemon)"}
	if _, err := exec.LookPath("runc"); err != nil {
		row.Skipped = "runc no está instalado (apt-get install runc)"
		return row, nil
	}
	if v := strings.TrimPrefix(runcVersion(ctx), "runc version "); v != "" {
		row.Label = fmt.Sprintf("runc %s run (mismo rootfs, sin daemon)", v)
	}
	rb, err := prepareRunc(ctx, filepath.Join(b.dir, "runc"), rootfs)
	if err != nil {
		row.Err = err.Error()
		return row, nil
	}
	row.Command = rb.argv(rb.prefix + "N")
	return row, rb
}

// importDocker imports rootfs into Docker as dockerImage, for the rows
// that compare with Docker, when a Docker daemon answers on its socket. It
// returns a function that removes the image again, to call once those rows
// are done, and the import's error; without a daemon, there is nothing to
// import or remove.
func (b *bench) importDocker(ctx context.Context, rootfs string) (remove func(), err error) {
	if b.dockerMissing(ctx) != "" {
		return func() {}, nil
	}
	dd := dockerDaemon{sock: b.opts.dockerSock}
	b.progress("importando %s en Docker como %s", rootfs, dockerImage)
	if err := dd.importRootfs(ctx, rootfs); err != nil {
		return func() {}, err
	}
	return func() {
		if err := dd.removeImage(context.WithoutCancel(ctx)); err != nil {
			b.cleanup("no se pudo borrar %s de Docker: %v", dockerImage, err)
		}
	}, nil
}

// removeTemp removes the temporary directory, unless something is still
// mounted under it: removing through a mount would delete what it shows.
func removeTemp(dir string) error {
	mounts, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return err
	}
	if left := mountsUnder(mounts, dir); len(left) > 0 {
		return fmt.Errorf("%s no se borra porque aún hay montajes bajo él: %s", dir, strings.Join(left, " "))
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("borrando %s: %w", dir, err)
	}
	return nil
}

// sleep waits for d, or less if ctx ends first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// kernelRelease returns the running kernel's release, as uname -r.
func kernelRelease() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}
