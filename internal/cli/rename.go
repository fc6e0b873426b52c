package cli

import (
	"context"
	"fmt"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

func newRenameCommand(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "rename CONTENEDOR NUEVO_NOMBRE",
		Short: "Cambia el nombre de un contenedor",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRename(cmd.Context(), f, args[0], args[1])
		},
		ValidArgsFunction: completeContainers(f, true),
	}
}

func runRename(ctx context.Context, f *factory, old, name string) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	before, _ := inspectForExplain(ctx, f, api, old)
	if _, err := api.ContainerRename(ctx, old, client.ContainerRenameOptions{NewName: name}); err != nil {
		return err
	}
	if f.Explaining() {
		f.explain(explain.Rename(before, name))
	}
	return nil
}

func newWaitCommand(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "wait CONTENEDOR [CONTENEDOR...]",
		Short: "Espera a que terminen uno o más contenedores e imprime su código de salida",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWait(cmd.Context(), f, args)
		},
		ValidArgsFunction: completeContainers(f, false),
	}
}

// runWait prints each container's exit code when it ends, as docker wait.
func runWait(ctx context.Context, f *factory, names []string) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	failed := false
	for _, name := range names {
		w := api.ContainerWait(ctx, name, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
		select {
		case res := <-w.Result:
			fmt.Fprintln(f.Out, res.StatusCode)
			if c, ok := inspectForExplain(ctx, f, api, name); ok {
				f.explain(explain.Wait(c))
			}
		case err := <-w.Error:
			reportError(f, err)
			failed = true
		}
	}
	if failed {
		return statusError{code: exitGeneric}
	}
	return nil
}

// containerPruneOptions are the flags of bolsillo container prune.
type containerPruneOptions struct {
	force   bool
	filters []string
}

const containerPruneWarning = "WARNING! This will remove all stopped containers.\nAre you sure you want to continue?"

func newContainerPruneCommand(f *factory) *cobra.Command {
	var opts containerPruneOptions
	cmd := &cobra.Command{
		Use:   "prune [OPCIONES]",
		Short: "Borra todos los contenedores detenidos",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runContainerPrune(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.force, "force", "f", false, "No pide confirmación")
	cmd.Flags().StringArrayVar(&opts.filters, "filter", nil, "Filtra qué se borra (por ejemplo label=curso)")
	return cmd
}

func runContainerPrune(ctx context.Context, f *factory, opts containerPruneOptions) error {
	filters, err := parseFilters(opts.filters)
	if err != nil {
		return err
	}
	if !opts.force && !f.confirm(containerPruneWarning) {
		return nil
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	res, err := api.ContainerPrune(ctx, client.ContainerPruneOptions{Filters: filters})
	if err != nil {
		return err
	}
	r := res.Report
	printPruned(f.Out, "Deleted Containers", r.ContainersDeleted)
	printReclaimed(f.Out, r.SpaceReclaimed)
	f.explain(explain.ContainerPrune(r))
	return nil
}
