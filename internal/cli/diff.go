package cli

import (
	"context"
	"fmt"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

func newDiffCommand(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "diff CONTENEDOR",
		Short: "Muestra los archivos añadidos (A), cambiados (C) y borrados (D) en la capa de escritura de un contenedor",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(cmd.Context(), f, args[0])
		},
	}
}

func runDiff(ctx context.Context, f *factory, name string) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	res, err := api.ContainerDiff(ctx, name, client.ContainerDiffOptions{})
	if err != nil {
		return err
	}
	for _, c := range res.Changes {
		fmt.Fprintf(f.Out, "%s %s\n", changeLetter(c.Kind), c.Path)
	}
	if !f.Explaining() {
		return nil
	}
	if c, err := api.ContainerInspect(ctx, name, client.ContainerInspectOptions{}); err == nil {
		f.explain(explain.Diff(c.Container, res.Changes))
	}
	return nil
}

// changeLetter is docker diff's letter for a change kind.
func changeLetter(k container.ChangeType) string {
	switch k {
	case container.ChangeAdd:
		return "A"
	case container.ChangeDelete:
		return "D"
	}
	return "C"
}
