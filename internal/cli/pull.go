package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"

	"bolsillo/explain"
	"bolsillo/internal/imageref"
)

// pullOptions are the flags of bolsillo pull.
type pullOptions struct {
	remote   string
	quiet    bool
	platform string
}

func newPullCommand(f *factory) *cobra.Command {
	var opts pullOptions
	cmd := &cobra.Command{
		Use:   "pull [OPCIONES] NOMBRE[:TAG|@DIGEST]",
		Short: "Descarga una imagen de un registro",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.remote = args[0]
			return runPull(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeImages(f),
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.quiet, "quiet", "q", false, "No muestra el progreso")
	fl.StringVar(&opts.platform, "platform", "", "Plataforma que se descarga de una imagen multiplataforma (por ejemplo linux/arm64)")
	return cmd
}

// parsePlatform parses --platform, "os[/arch[/variant]]" or just an
// architecture ("arm64", meaning linux/arm64).
func parsePlatform(s string) ([]ocispec.Platform, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(strings.ToLower(s), "/")
	bad := len(parts) > 3
	for _, p := range parts {
		bad = bad || p == ""
	}
	if bad {
		return nil, invalidFlag(fmt.Sprintf("La plataforma `%s` no se entiende. Escríbela como `os/arquitectura`, por ejemplo `linux/amd64` o `linux/arm64`.", s),
			fmt.Errorf("%q: unknown platform format: expected os[/arch[/variant]]", s))
	}
	p := ocispec.Platform{OS: parts[0]}
	switch {
	case len(parts) == 1 && parts[0] != "linux" && parts[0] != "windows":
		p = ocispec.Platform{OS: "linux", Architecture: parts[0]}
	case len(parts) >= 2:
		p.Architecture = parts[1]
		if len(parts) == 3 {
			p.Variant = parts[2]
		}
	}
	return []ocispec.Platform{p}, nil
}

// parseRef parses an image reference like docker, explaining a bad one.
func parseRef(s string) (imageref.Named, error) {
	ref, err := imageref.ParseNormalizedNamed(s)
	if err != nil {
		return nil, hintedError{
			hint: fmt.Sprintf("`%s` no es un nombre de imagen válido.\n\n"+
				"Se escribe `NOMBRE[:TAG]`: el nombre en minúsculas (puede llevar delante un registro, `localhost:5000/web`) "+
				"y, tras un solo `:`, la etiqueta (tag), por ejemplo `busybox:latest` o `mio/web:1.0`.", s),
			err: err,
		}
	}
	return ref, nil
}

func runPull(ctx context.Context, f *factory, opts pullOptions) error {
	ref, err := parseRef(opts.remote)
	if err != nil {
		return err
	}
	plats, err := parsePlatform(opts.platform)
	if err != nil {
		return err
	}
	ref, auth, api, err := f.prepareTransfer(ref, opts.quiet)
	if err != nil {
		return err
	}
	familiar := imageref.FamiliarString(ref)
	before := f.lookupForDangling(ctx, api, familiar)
	res, err := api.ImagePull(ctx, familiar, client.ImagePullOptions{
		RegistryAuth:  auth,
		PrivilegeFunc: f.privilegeFunc(ref, "pull"),
		Platforms:     plats,
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
	fmt.Fprintln(f.Out, ref.String())
	if !f.Explaining() {
		return nil
	}
	after, err := api.ImageInspect(ctx, familiar)
	if err != nil {
		return nil
	}
	f.explain(explain.Pull(explain.PullData{
		Ref:      opts.remote,
		Image:    after.InspectResponse,
		Layers:   rec.Layers,
		Digest:   rec.Digest,
		UpToDate: strings.HasPrefix(rec.Status, "Image is up to date"),
		Dangling: f.leftDangling(ctx, api, before, after.ID),
	}))
	return nil
}
