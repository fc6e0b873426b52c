package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Keys of the exec rows.
const (
	rowExecBolsillo = "exec-bolsillo"
	rowExecDocker   = "exec-docker"
)

// Target of exec, and the time of `docker exec NAME true` measured on this
// kind of machine, quoted when no Docker daemon answers.
const (
	minExecRatioOfDocker = 3.0
	refDockerExec        = 65 * time.Millisecond
)

// dockerExecReference quotes the reference figure of Docker's exec.
var dockerExecReference = fmt.Sprintf("cifra de referencia medida en este tipo de máquina: ~%d ms", refDockerExec.Milliseconds())

// execSleeper is the command of the container the exec rows run in: it
// outlives every measurement and is removed at the end.
var execSleeper = []string{"sleep", "1000"}

// execProbe is what the untimed check before each exec row prints through
// exec: the engine really runs a process in the container.
const execProbe = "bolsillo-bench"

// containerIDPattern is a full container ID, as create prints it.
var containerIDPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ExecBench is `exec NAME true` timed in a container that runs
// execSleeper, started before the runs and removed after them.
type ExecBench struct {
	Rows []Row // bolsillo first
	// DockerNote says why Docker was not measured; empty when it was.
	DockerNote string
}

// execEngine is one engine of the exec rows and the container it makes.
type execEngine struct {
	engine string                        // "bolsillo" or "docker", for messages
	argv   func(args ...string) []string // argv of the engine's CLI
	env    []string                      // added to the CLI's environment
	// create are the options of create, before the image.
	create []string
	image  string
	name   string // of the container; exec reaches it by name
}

// execLabel names an exec row.
func execLabel(engine string) string {
	return engine + " exec true en un contenedor que corre"
}

// dockerContainerName returns a name for a container the bench makes in
// Docker that no other container there has: prefix ("bench-exec") and 12
// random hex digits.
func dockerContainerName(prefix string) (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return prefix + "-" + hex.EncodeToString(b[:]), nil
}

// parseContainerID returns the ID that create printed on its standard
// output: its last line, a full 64-digit hexadecimal ID.
func parseContainerID(out []byte) (string, error) {
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	id := string(bytes.TrimSpace(lines[len(lines)-1]))
	if !containerIDPattern.MatchString(id) {
		return "", fmt.Errorf("create printed %q, not a container ID", bytes.TrimSpace(out))
	}
	return id, nil
}

// measureExec times `exec NAME true` in a running container of bolsillo
// and, when a Docker daemon answers, of Docker, and records the rows in
// the report. dockerImport is the error of importing busybox into Docker.
// The engines take turns, one exec of each in every round, so that a
// machine whose speed drifts during the measurement weighs on both alike.
// Each engine's container is removed at the end, and nothing else.
func (b *bench) measureExec(ctx context.Context, d *daemon, dockerImport error) {
	eb := &ExecBench{}
	b.report.Exec = eb
	engines := []execEngine{{
		engine: "bolsillo",
		argv:   d.cli,
		image:  "busybox",
		name:   "bench-exec",
	}}
	rows := []Row{{Key: rowExecBolsillo, Label: execLabel("bolsillo")}}
	if reason := b.dockerMissing(ctx); reason != "" {
		eb.DockerNote = fmt.Sprintf("docker exec: sin medir; %s (%s)", reason, dockerExecReference)
	} else {
		docker := Row{Key: rowExecDocker, Label: execLabel("docker")}
		name, err := dockerContainerName("bench-exec")
		switch {
		case dockerImport != nil:
			docker.Err = dockerImport.Error()
		case err != nil:
			docker.Err = err.Error()
		}
		dd := dockerDaemon{sock: b.opts.dockerSock}
		engines = append(engines, execEngine{
			engine: "docker",
			argv:   dd.argv,
			env:    dockerEnv,
			create: []string{"--network", "none"},
			image:  dockerImage,
			name:   name,
		})
		rows = append(rows, docker)
	}

	runs := make([]func(context.Context) (time.Duration, error), len(engines))
	var names []string
	for i, e := range engines {
		if rows[i].Err != "" {
			continue
		}
		remove, err := b.startExecContainer(ctx, e)
		defer remove()
		if err != nil {
			rows[i].Err = err.Error()
			continue
		}
		rows[i].Command = e.argv("exec", e.name, "true")
		runs[i] = func(ctx context.Context) (time.Duration, error) {
			return timeExec(ctx, rows[i].Command, e.env)
		}
		names = append(names, e.engine)
	}
	b.progress("%d + %d vueltas de exec true, por turnos: %s", b.opts.warmups, b.opts.runs, strings.Join(names, ", "))
	samples, errs := measureTurns(ctx, b.opts.warmups, b.opts.runs, runs)
	recordTurns(rows, runs, samples, errs)
	eb.Rows = rows
}

// startExecContainer creates and starts e's container and checks that exec
// runs a command in it. The returned func removes the container by the ID
// create printed; if create failed, nothing was made and it does nothing.
func (b *bench) startExecContainer(ctx context.Context, e execEngine) (remove func(), err error) {
	create := append(append([]string{"create", "--name", e.name}, e.create...), e.image)
	out, err := output(ctx, e.argv(append(create, execSleeper...)...), e.env)
	if err != nil {
		return func() {}, err
	}
	id, err := parseContainerID(out)
	if err != nil {
		return func() {}, err
	}
	remove = func() {
		if _, err := output(context.WithoutCancel(ctx), e.argv("rm", "--force", id), e.env); err != nil {
			b.cleanup("no se pudo borrar el contenedor %s de %s: %v", e.name, e.engine, err)
		}
	}
	if _, err := output(ctx, e.argv("start", id), e.env); err != nil {
		return remove, err
	}
	return remove, checkExec(ctx, e)
}

// checkExec runs `exec NAME echo execProbe` and checks its output: a row
// must time a process that ran in the container, not an error path that
// happens to exit 0.
func checkExec(ctx context.Context, e execEngine) error {
	argv := e.argv("exec", e.name, "echo", execProbe)
	out, err := output(ctx, argv, e.env)
	if err != nil {
		return err
	}
	if got := string(out); got != execProbe+"\n" {
		return fmt.Errorf("%s printed %q, want %q", strings.Join(argv, " "), got, execProbe+"\n")
	}
	return nil
}

// execTarget checks the goal of exec: at least minExecRatioOfDocker times
// faster than Docker's, or, without a Docker daemon, what the reference
// figure would make of bolsillo's time.
func (r *Report) execTarget() Target {
	t := Target{
		Key:   rowExecDocker + "/" + rowExecBolsillo,
		Goal:  fmt.Sprintf("exec al menos %gx más rápido que Docker", minExecRatioOfDocker),
		Limit: minExecRatioOfDocker,
	}
	bolsillo, haveBolsillo := r.median(rowExecBolsillo)
	docker, haveDocker := r.median(rowExecDocker)
	switch {
	case haveBolsillo && haveDocker:
		t.Value = ratio(docker, bolsillo)
		t.Met = ptr(t.Value >= minExecRatioOfDocker)
	case haveBolsillo && r.Exec.DockerNote != "":
		t.Note = fmt.Sprintf("sin medir; con la referencia de ~%d ms sería %.2fx", refDockerExec.Milliseconds(), ratio(refDockerExec, bolsillo))
	default:
		t.Note = "sin medir"
	}
	return t
}
