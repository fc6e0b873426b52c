package cli

import (
	"context"
	"errors"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// attachOptions are the flags of bolsillo attach.
type attachOptions struct {
	noStdin   bool
	container string
}

func newAttachCommand(f *factory) *cobra.Command {
	var opts attachOptions
	cmd := &cobra.Command{
		Use:   "attach [OPCIONES] CONTENEDOR",
		Short: "Conecta tu terminal a la entrada y la salida del proceso principal de un contenedor",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.container = args[0]
			return runAttach(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeContainers(f, false),
	}
	cmd.Flags().BoolVar(&opts.noStdin, "no-stdin", false, "No conecta la entrada estándar")
	return cmd
}

// runAttach is docker attach: the container must be running; the output
// streams until the main process ends (exit with its code) or the user
// types ctrl-p ctrl-q (exit 0, the container goes on).
func runAttach(ctx context.Context, f *factory, opts attachOptions) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	res, err := api.ContainerInspect(ctx, opts.container, client.ContainerInspectOptions{})
	if err != nil {
		return err
	}
	c := res.Container
	if c.State == nil || !c.State.Running {
		return hintedError{
			hint: explain.AttachNotRunning(c),
			err:  errors.New("You cannot attach to a stopped container, start it first"),
		}
	}
	cfg := *c.Config
	cfg.AttachStdin = cfg.OpenStdin && !opts.noStdin
	cfg.AttachStdout, cfg.AttachStderr = true, true
	s, err := attach(ctx, f, api, c.ID, &cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	waitCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	wait := api.ContainerWait(waitCtx, c.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	if !cfg.Tty {
		stop := forwardSignals(ctx, api, c.ID)
		defer stop()
	} else {
		stop := monitorTTYSize(ctx, f, api, c.ID)
		defer stop()
	}
	f.explain(explain.Attach(c))
	done := s.Stream()
	select {
	case <-done:
		if s.Detached() {
			f.explain(explain.Detach(c))
			return nil
		}
		select {
		case r := <-wait.Result:
			if r.StatusCode != 0 {
				return statusError{code: int(r.StatusCode)}
			}
		case err := <-wait.Error:
			return err
		}
	case r := <-wait.Result:
		<-done
		if r.StatusCode != 0 {
			return statusError{code: int(r.StatusCode)}
		}
	case err := <-wait.Error:
		return err
	}
	return nil
}
