package cli

import (
	"context"
	"fmt"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// commitOptions are the arguments and flags of bolsillo commit.
type commitOptions struct {
	container string
	reference string
	message   string
	author    string
	changes   []string
	pause     bool
}

func newCommitCommand(f *factory) *cobra.Command {
	var opts commitOptions
	cmd := &cobra.Command{
		Use:   "commit [OPCIONES] CONTENEDOR [REPOSITORIO[:TAG]]",
		Short: "Convierte la capa de escritura de un contenedor en una imagen nueva",
		Args:  requiresRangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.container = args[0]
			if len(args) > 1 {
				opts.reference = args[1]
			}
			return runCommit(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.message, "message", "m", "", "Mensaje del commit (queda en el historial)")
	fl.StringVarP(&opts.author, "author", "a", "", `Autor (p. ej. "Ana <ana@ejemplo.com>")`)
	fl.StringArrayVarP(&opts.changes, "change", "c", nil, "Instrucción de Dockerfile que se aplica a la imagen (CMD, ENV, ...)")
	fl.BoolVarP(&opts.pause, "pause", "p", true, "Pausa el contenedor mientras se hace el commit")
	return cmd
}

func runCommit(ctx context.Context, f *factory, opts commitOptions) error {
	if opts.reference != "" {
		if _, err := parseRef(opts.reference); err != nil {
			return err
		}
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	before := f.lookupForDangling(ctx, api, opts.reference)
	res, err := api.ContainerCommit(ctx, opts.container, client.ContainerCommitOptions{
		Reference: opts.reference,
		Comment:   opts.message,
		Author:    opts.author,
		Changes:   opts.changes,
		NoPause:   !opts.pause,
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(f.Out, res.ID)
	if !f.Explaining() {
		return nil
	}
	ctr, err := api.ContainerInspect(ctx, opts.container, client.ContainerInspectOptions{})
	if err != nil {
		return nil
	}
	img, err := api.ImageInspect(ctx, res.ID)
	if err != nil {
		return nil
	}
	hist, err := api.ImageHistory(ctx, res.ID)
	if err != nil {
		return nil
	}
	f.explain(explain.Commit(explain.CommitData{
		Container: ctr.Container,
		Image:     img.InspectResponse,
		History:   hist.Items,
		Reference: opts.reference,
		Changes:   opts.changes,
		Dangling:  f.leftDangling(ctx, api, before, res.ID),
	}))
	f.printStack(explain.CommitStack(img.InspectResponse, hist.Items, ctr.Container, opts.reference)) // capas.go
	return nil
}
