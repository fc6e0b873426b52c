package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
	"bolsillo/internal/imageref"
)

// pushOptions are the flags of bolsillo push.
type pushOptions struct {
	remote string
	quiet  bool
}

func newPushCommand(f *factory) *cobra.Command {
	var opts pushOptions
	cmd := &cobra.Command{
		Use:   "push [OPCIONES] NOMBRE[:TAG]",
		Short: "Sube una imagen a un registro",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.remote = args[0]
			return runPush(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeImages(f),
	}
	cmd.Flags().BoolVarP(&opts.quiet, "quiet", "q", false, "No muestra el progreso")
	return cmd
}

func runPush(ctx context.Context, f *factory, opts pushOptions) error {
	ref, err := parseRef(opts.remote)
	if err != nil {
		return err
	}
	if _, ok := ref.(imageref.Digested); ok {
		return hintedError{
			hint: "Se sube una etiqueta (tag), no un digest: el digest lo calcula el registro al recibir la imagen. Quita la parte `@sha256:…`.",
			err:  errors.New("cannot push a digest reference"),
		}
	}
	ref, auth, api, err := f.prepareTransfer(ref, opts.quiet)
	if err != nil {
		return err
	}
	familiar := imageref.FamiliarString(ref)
	res, err := api.ImagePush(ctx, familiar, client.ImagePushOptions{
		RegistryAuth:  auth,
		PrivilegeFunc: f.privilegeFunc(ref, "push"),
	})
	if err != nil {
		return err
	}
	defer res.Close()
	var out io.Writer = f.Out
	if opts.quiet {
		out = io.Discard
	}
	rec, err := displayStream(ctx, res, out)
	if err != nil {
		return err
	}
	if opts.quiet {
		fmt.Fprintln(f.Out, ref.String())
	}
	if !f.Explaining() {
		return nil
	}
	img, err := api.ImageInspect(ctx, familiar)
	if err != nil {
		return nil
	}
	f.explain(explain.Push(explain.PushData{
		Ref:    opts.remote,
		Image:  img.InspectResponse,
		Layers: rec.Layers,
		Digest: rec.Digest,
		Size:   rec.PushSize,
	}))
	return nil
}
