package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

func newTopCommand(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "top CONTENEDOR [OPCIONES DE ps]",
		Short: "Muestra los procesos de un contenedor",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTop(cmd.Context(), f, args[0], args[1:])
		},
		ValidArgsFunction: completeContainers(f, false),
	}
}

func runTop(ctx context.Context, f *factory, name string, psArgs []string) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	res, err := api.ContainerTop(ctx, name, client.ContainerTopOptions{Arguments: psArgs})
	if err != nil {
		return err
	}
	// docker's own layout: a tabwriter with padding 3.
	w := tabwriter.NewWriter(f.Out, 20, 1, 3, ' ', 0)
	fmt.Fprintln(w, strings.Join(res.Titles, "\t"))
	for _, p := range res.Processes {
		fmt.Fprintln(w, strings.Join(p, "\t"))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if c, ok := inspectForExplain(ctx, f, api, name); ok {
		f.explain(explain.Top(c, len(res.Processes)))
	}
	return nil
}
