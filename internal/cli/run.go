package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// runOptions are the flags of bolsillo run and create.
type runOptions struct {
	containerFlags
	restart       string
	volumes       volumeFlags // -v and --mount, see volume_flags.go
	ports         portFlags   // -p and -P, see port_flags.go
	entrypointSet bool
	args          []string
}

func newRunCommand(f *factory) *cobra.Command {
	opts := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run [OPCIONES] IMAGEN [COMANDO] [ARG...]",
		Short: "Crea y arranca un contenedor nuevo a partir de una imagen",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.entrypointSet = cmd.Flags().Changed("entrypoint")
			opts.args = args
			return runRun(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeImages(f),
	}
	cmd.Flags().BoolVarP(&opts.detach, "detach", "d", false, "Corre el contenedor en segundo plano e imprime su ID")
	addContainerFlags(cmd.Flags(), &opts.containerFlags)
	addRestartFlag(cmd.Flags(), &opts.restart)
	addVolumeFlags(cmd.Flags(), &opts.volumes)
	addPortFlags(cmd.Flags(), &opts.ports)
	return cmd
}

func newCreateCommand(f *factory) *cobra.Command {
	opts := &runOptions{}
	cmd := &cobra.Command{
		Use:   "create [OPCIONES] IMAGEN [COMANDO] [ARG...]",
		Short: "Crea un contenedor nuevo sin arrancarlo",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.entrypointSet = cmd.Flags().Changed("entrypoint")
			opts.args = args
			return runCreate(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeImages(f),
	}
	addContainerFlags(cmd.Flags(), &opts.containerFlags)
	addRestartFlag(cmd.Flags(), &opts.restart)
	addVolumeFlags(cmd.Flags(), &opts.volumes)
	addPortFlags(cmd.Flags(), &opts.ports)
	return cmd
}

// spec parses the options into a create request; errors exit with 125.
func (o *runOptions) spec() (*containerSpec, error) {
	spec, err := parseContainerFlags(&o.containerFlags, o.args, o.entrypointSet, osEnv, os.ReadFile)
	if err != nil {
		return nil, statusError{code: exitDaemonError, err: err}
	}
	return spec, nil
}

// hintedError carries a Spanish explanation written by the command itself,
// shown instead of the generic one from explain.Error.
type hintedError struct {
	hint string
	err  error
}

func (e hintedError) Error() string { return e.err.Error() }

func (e hintedError) Unwrap() error { return e.err }

// createContainer sends the create request. A missing image is not pulled:
// the student is told how to get it.
func createContainer(ctx context.Context, api client.APIClient, spec *containerSpec) (string, error) {
	res, err := api.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name:       spec.Name,
		Config:     spec.Config,
		HostConfig: spec.HostConfig,
	})
	if err != nil {
		if cerrdefs.IsNotFound(err) && strings.Contains(strings.ToLower(err.Error()), "no such image") {
			ref := spec.Config.Image
			return "", hintedError{
				err: err,
				hint: fmt.Sprintf("La imagen `%s` no está en tu anfitrión, y bolsillo todavía no la descarga sola.\n\n"+
					"- Si es `busybox`, créala sin internet con `bolsillo lab init`.\n"+
					"- Si tienes internet, descárgala con `bolsillo pull %s`.\n\n"+
					"Luego vuelve a ejecutar el mismo comando.", ref, ref),
			}
		}
		return "", err
	}
	return res.ID, nil
}

func runCreate(ctx context.Context, f *factory, opts *runOptions) error {
	spec, err := opts.specWithRestart()
	if err != nil {
		return err
	}
	api, err := f.Client()
	if err != nil {
		return statusError{code: exitDaemonError, err: err}
	}
	id, err := createContainer(ctx, api, spec)
	if err != nil {
		return statusError{code: exitDaemonError, err: err}
	}
	fmt.Fprintln(f.Out, id)
	if f.Explaining() {
		c, errC := api.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
		img, errI := api.ImageInspect(ctx, spec.Config.Image)
		if errC == nil && errI == nil {
			f.explain(explain.Create(c.Container, img.InspectResponse))
		}
	}
	return nil
}

func runRun(ctx context.Context, f *factory, opts *runOptions) error {
	spec, err := opts.specWithRestart()
	if err != nil {
		return err
	}
	cfg := spec.Config
	if opts.detach {
		cfg.AttachStdin, cfg.AttachStdout, cfg.AttachStderr = false, false, false
		cfg.StdinOnce = false
	}
	// As docker: -it needs a keyboard behind stdin, checked before anything
	// is created.
	if cfg.Tty && cfg.AttachStdin {
		if _, ok := isTerminal(f.In); !ok {
			return errors.New("the input device is not a TTY")
		}
	}
	api, err := f.Client()
	if err != nil {
		return statusError{code: exitDaemonError, err: err}
	}
	id, err := createContainer(ctx, api, spec)
	if err != nil {
		return statusError{code: exitDaemonError, err: err}
	}

	data := explain.RunData{
		ImageRef:   cfg.Image,
		Detached:   opts.detach,
		AutoRemove: spec.HostConfig.AutoRemove,
		Env:        opts.env,
		Cmd:        cfg.Cmd,
	}

	if opts.detach {
		if _, err := api.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
			return startError(ctx, api, err)
		}
		fmt.Fprintln(f.Out, id)
		if f.Explaining() {
			gatherRunData(ctx, api, id, &data)
			f.explain(explain.Run(data))
			f.printRunStack(data) // capas.go
			f.explain(explain.Mounts(data.Container))
			explainPorts(ctx, f, data) // port.go
		}
		return nil
	}

	// Attach before start so no output is lost, then wait, then start.
	streamer, err := attach(ctx, f, api, id, cfg)
	if err != nil {
		return statusError{code: exitDaemonError, err: err}
	}
	defer streamer.Close()

	condition := container.WaitConditionNextExit
	if spec.HostConfig.AutoRemove {
		condition = container.WaitConditionRemoved
	}
	waitCtx, cancelWait := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWait()
	wait := api.ContainerWait(waitCtx, id, client.ContainerWaitOptions{Condition: condition})

	if !cfg.Tty {
		stop := forwardSignals(ctx, api, id)
		defer stop()
	}

	if f.Explaining() {
		// Inspect before start: a short-lived --rm container may be gone
		// by the time the start call returns.
		gatherRunData(ctx, api, id, &data)
	}
	if _, err := api.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		streamer.Close()
		return startError(ctx, api, err)
	}
	if f.Explaining() {
		// And again after it, for the PID of the running process.
		if c, err := api.ContainerInspect(ctx, id, client.ContainerInspectOptions{}); err == nil {
			data.Container = c.Container
		}
	}
	if cfg.Tty {
		stop := monitorTTYSize(ctx, f, api, id)
		defer stop()
	}

	streamDone := streamer.Stream()
	var code int
	select {
	case err := <-streamDone:
		// The daemon ended the stream before the wait answered: either the
		// user detached (the container goes on) or the exit is on its way.
		if streamer.Detached() {
			streamer.Close()
			if f.Explaining() {
				f.explain(explain.Detach(data.Container))
			}
			return nil
		}
		streamDone = closedWith(err)
		select {
		case res := <-wait.Result:
			code = int(res.StatusCode)
			if res.Error != nil && res.Error.Message != "" {
				return statusError{code: exitDaemonError, err: errors.New(res.Error.Message)}
			}
		case err := <-wait.Error:
			return statusError{code: exitDaemonError, err: err}
		}
	case res := <-wait.Result:
		code = int(res.StatusCode)
		if res.Error != nil && res.Error.Message != "" {
			<-streamDone
			return statusError{code: exitDaemonError, err: errors.New(res.Error.Message)}
		}
	case err := <-wait.Error:
		<-streamDone
		return statusError{code: exitDaemonError, err: err}
	}
	// The container ended: let the output drain until the daemon closes the
	// stream.
	if err := <-streamDone; err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(f.Err, "Error al leer la salida del contenedor: %v\n", err)
	}
	streamer.Close()

	if f.Explaining() {
		data.Exited = true
		data.ExitCode = code
		data.Removed = spec.HostConfig.AutoRemove
		f.explain(explain.Run(data))
		f.printRunStack(data) // capas.go
		f.explain(explain.Mounts(data.Container))
	}
	if code != 0 {
		return statusError{code: code}
	}
	return nil
}

// gatherRunData fills the inspect data of a started container and its
// image; failures only make the explanation poorer.
func gatherRunData(ctx context.Context, api client.APIClient, id string, data *explain.RunData) {
	if c, err := api.ContainerInspect(ctx, id, client.ContainerInspectOptions{}); err == nil {
		data.Container = c.Container
		if data.Detached && c.Container.State != nil && !c.Container.State.Running {
			data.LastLogs = lastLogLines(ctx, api, id, c.Container.Config != nil && c.Container.Config.Tty, 5)
		}
		if img, err := api.ImageInspect(ctx, c.Container.Image); err == nil {
			data.Image = img.InspectResponse
			return
		}
	}
	if img, err := api.ImageInspect(ctx, data.ImageRef); err == nil {
		data.Image = img.InspectResponse
	} else {
		data.Image = image.InspectResponse{}
	}
}

// lastLogLines reads the last n lines a container logged, stdout and
// stderr together; nil when there are none or they cannot be read.
func lastLogLines(ctx context.Context, api client.APIClient, id string, tty bool, n int) []string {
	rc, err := api.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Tail: strconv.Itoa(n)})
	if err != nil {
		return nil
	}
	defer rc.Close()
	var buf bytes.Buffer
	src := io.LimitReader(rc, 64<<10)
	if tty {
		_, err = io.Copy(&buf, src)
	} else {
		// Without a TTY the log stream is multiplexed: 8-byte frame headers.
		_, err = stdcopy.StdCopy(&buf, &buf, src)
	}
	if err != nil {
		return nil
	}
	text := strings.TrimRight(buf.String(), "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

// startError maps a failed start to docker's exit codes: 127 when the
// command does not exist, 126 when it cannot be executed, 125 otherwise.
func startError(ctx context.Context, api client.APIClient, err error) error {
	return statusError{code: startExitCode(err), err: withPortHint(ctx, api, err)} // port.go
}

// startExitCode is docker's toStatusError classification.
func startExitCode(err error) int {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "executable file not found"),
		strings.Contains(msg, "no such file or directory"),
		strings.Contains(msg, "system cannot find the file specified"):
		return exitNotFound
	case strings.Contains(msg, syscall.EACCES.Error()),
		strings.Contains(msg, syscall.EISDIR.Error()):
		return exitCannotExec
	}
	return exitDaemonError
}

// closedWith returns a channel that yields err once.
func closedWith(err error) <-chan error {
	ch := make(chan error, 1)
	ch <- err
	return ch
}
