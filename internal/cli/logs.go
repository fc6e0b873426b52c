package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// logsOptions are the flags of bolsillo logs.
type logsOptions struct {
	follow     bool
	tail       string
	timestamps bool
	since      string
	until      string
	container  string
}

func newLogsCommand(f *factory) *cobra.Command {
	var opts logsOptions
	cmd := &cobra.Command{
		Use:   "logs [OPCIONES] CONTENEDOR",
		Short: "Muestra la salida de un contenedor",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.container = args[0]
			return runLogs(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeContainers(f, true),
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.follow, "follow", "f", false, "Sigue mostrando la salida nueva")
	fl.StringVarP(&opts.tail, "tail", "n", "all", "Número de líneas desde el final")
	fl.BoolVarP(&opts.timestamps, "timestamps", "t", false, "Muestra la fecha y hora de cada línea")
	fl.StringVar(&opts.since, "since", "", "Desde una fecha (2013-01-02T13:23:37Z) o hace un tiempo (42m)")
	fl.StringVar(&opts.until, "until", "", "Hasta una fecha (2013-01-02T13:23:37Z) o hace un tiempo (42m)")
	return cmd
}

// validateTail accepts "all" or a whole number, like the daemon.
func validateTail(tail string) error {
	if tail == "all" || tail == "" {
		return nil
	}
	if _, err := strconv.Atoi(tail); err != nil {
		return invalidFlag(fmt.Sprintf("`--tail %s` no es válido: escribe un número de líneas (por ejemplo `--tail 10`) o `all`.", tail),
			fmt.Errorf("invalid value %q for --tail", tail))
	}
	return nil
}

func runLogs(ctx context.Context, f *factory, opts logsOptions) error {
	if err := validateTail(opts.tail); err != nil {
		return err
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	res, err := api.ContainerInspect(ctx, opts.container, client.ContainerInspectOptions{})
	if err != nil {
		return err
	}
	c := res.Container
	rc, err := api.ContainerLogs(ctx, c.ID, client.ContainerLogsOptions{
		ShowStdout: true,
		ShowStderr: true,
		Since:      opts.since,
		Until:      opts.until,
		Timestamps: opts.timestamps,
		Follow:     opts.follow,
		Tail:       opts.tail,
	})
	if err != nil {
		return err
	}
	defer rc.Close()
	// With -f the command only ends with Ctrl-C: explain first.
	if opts.follow {
		f.explain(explain.Logs(c, true))
	}
	if c.Config != nil && c.Config.Tty {
		_, err = io.Copy(f.Out, rc)
	} else {
		_, err = stdcopy.StdCopy(f.Out, f.Err, rc)
	}
	if err != nil {
		return err
	}
	if !opts.follow {
		f.explain(explain.Logs(c, false))
	}
	return nil
}
