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
	engine string // "bolsillo" or "docker", for messages
	key    string
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

// execContainerName returns a name for the container of the Docker exec
// row that no other container there has: "bench-exec-" and 12 random hex
// digits.
func execContainerName() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "bench-exec-" + hex.EncodeToString(b[:]), nil
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
// Each engine's container is removed after its row, and nothing else.
func (b *bench) measureExec(ctx context.Context, d *daemon, dockerImport error) {
	eb := &ExecBench{}
	b.report.Exec = eb
	eb.Rows = append(eb.Rows, b.execRow(ctx, execEngine{
		engine: "bolsillo",
		key:    rowExecBolsillo,
		argv:   d.cli,
		image:  "busybox",
		name:   "bench-exec",
	}))

	if reason := b.dockerMissing(ctx); reason != "" {
		eb.DockerNote = fmt.Sprintf("docker exec: sin medir; %s (%s)", reason, dockerExecReference)
		return
	}
	docker := Row{Key: rowExecDocker, Label: execLabel("docker")}
	name, err := execContainerName()
	switch {
	case dockerImport != nil:
		docker.Err = dockerImport.Error()
	case err != nil:
		docker.Err = err.Error()
	default:
		dd := dockerDaemon{sock: b.opts.dockerSock}
		docker = b.execRow(ctx, execEngine{
			engine: "docker",
			key:    rowExecDocker,
			argv:   dd.argv,
			env:    dockerEnv,
			create: []string{"--network", "none"},
			image:  dockerImage,
			name:   name,
		})
	}
	eb.Rows = append(eb.Rows, docker)
}

// execRow creates and starts e's container, checks that exec runs a
// command in it, times `exec NAME true` and removes the container by the
// ID create printed: if create fails, nothing was made and nothing is
// removed.
func (b *bench) execRow(ctx context.Context, e execEngine) Row {
	row := Row{Key: e.key, Label: execLabel(e.engine), Command: e.argv("exec", e.name, "true")}
	create := append(append([]string{"create", "--name", e.name}, e.create...), e.image)
	out, err := output(ctx, e.argv(append(create, execSleeper...)...), e.env)
	if err != nil {
		row.Err = err.Error()
		return row
	}
	id, err := parseContainerID(out)
	if err != nil {
		row.Err = err.Error()
		return row
	}
	defer func() {
		if _, err := output(context.WithoutCancel(ctx), e.argv("rm", "--force", id), e.env); err != nil {
			b.cleanup("no se pudo borrar el contenedor %s de %s: %v", e.name, e.engine, err)
		}
	}()
	if _, err := output(ctx, e.argv("start", id), e.env); err != nil {
		row.Err = err.Error()
		return row
	}
	if err := checkExec(ctx, e); err != nil {
		row.Err = err.Error()
		return row
	}
	b.progress("%d + %d ejecuciones de %s exec %s true", b.opts.warmups, b.opts.runs, e.engine, e.name)
	row.Samples, err = measure(ctx, b.opts.warmups, b.opts.runs, func(ctx context.Context, _ int) (time.Duration, error) {
		return timeExec(ctx, row.Command, e.env)
	})
	if err != nil {
		row.Err = err.Error()
	}
	return row
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
