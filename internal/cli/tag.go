package cli

import (
	"context"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// tagOptions are the arguments of bolsillo tag.
type tagOptions struct {
	source string
	target string
}

func newTagCommand(f *factory) *cobra.Command {
	var opts tagOptions
	return &cobra.Command{
		Use:   "tag IMAGEN_ORIGEN[:TAG] IMAGEN_DESTINO[:TAG]",
		Short: "Da otro nombre (etiqueta) a una imagen",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.source, opts.target = args[0], args[1]
			return runTag(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeImages(f),
	}
}

func runTag(ctx context.Context, f *factory, opts tagOptions) error {
	if _, err := parseRef(opts.target); err != nil {
		return err
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	before := f.lookupForDangling(ctx, api, opts.target)
	if _, err := api.ImageTag(ctx, client.ImageTagOptions{Source: opts.source, Target: opts.target}); err != nil {
		return err
	}
	if !f.Explaining() {
		return nil
	}
	src, err := api.ImageInspect(ctx, opts.source)
	if err != nil {
		return nil
	}
	f.explain(explain.Tag(src.InspectResponse, opts.target, f.leftDangling(ctx, api, before, src.ID)))
	return nil
}
