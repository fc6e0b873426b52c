package cli

import (
	"context"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

func newPauseCommand(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "pause CONTENEDOR [CONTENEDOR...]",
		Short: "Congela todos los procesos de uno o más contenedores",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPause(cmd.Context(), f, args, true)
		},
		ValidArgsFunction: completeContainers(f, false),
	}
}

func newUnpauseCommand(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "unpause CONTENEDOR [CONTENEDOR...]",
		Short: "Descongela los procesos de uno o más contenedores en pausa",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPause(cmd.Context(), f, args, false)
		},
		ValidArgsFunction: completeContainers(f, false),
	}
}

func runPause(ctx context.Context, f *factory, names []string, pause bool) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	return forEachContainer(f, names, func(name string) (string, error) {
		var err error
		if pause {
			_, err = api.ContainerPause(ctx, name, client.ContainerPauseOptions{})
		} else {
			_, err = api.ContainerUnpause(ctx, name, client.ContainerUnpauseOptions{})
		}
		if err != nil {
			return "", err
		}
		if c, ok := inspectForExplain(ctx, f, api, name); ok {
			return explain.Pause(c, pause), nil
		}
		return "", nil
	})
}
