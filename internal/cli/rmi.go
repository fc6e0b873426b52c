package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// rmiOptions are the flags of bolsillo rmi.
type rmiOptions struct {
	force   bool
	noPrune bool
	images  []string
}

func newRmiCommand(f *factory) *cobra.Command {
	var opts rmiOptions
	cmd := &cobra.Command{
		Use:   "rmi [OPCIONES] IMAGEN [IMAGEN...]",
		Short: "Borra una o más imágenes",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.images = args
			return runRmi(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeImages(f),
	}
	cmd.Flags().BoolVarP(&opts.force, "force", "f", false, "Fuerza el borrado de la imagen")
	cmd.Flags().BoolVar(&opts.noPrune, "no-prune", false, "No borra las imágenes padre sin etiqueta")
	return cmd
}

// runRmi removes each image like docker: "Untagged:"/"Deleted:" lines on
// stdout; a missing image with -f is only reported, any other failure
// makes the command exit with 1 after trying every image.
func runRmi(ctx context.Context, f *factory, opts rmiOptions) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	var (
		refs   []string
		before []image.InspectResponse
		// intermediate are the untagged parents the daemon may remove too.
		intermediate []image.InspectResponse
		items        []image.DeleteResponse
		errs         []error
		fatal        bool
	)
	for _, name := range opts.images {
		var img image.InspectResponse
		explaining := f.Explaining()
		if explaining {
			// Inspect first: afterwards the image may be gone.
			res, err := api.ImageInspect(ctx, name)
			explaining = err == nil
			img = res.InspectResponse
		}
		var parents []image.InspectResponse
		if explaining {
			parents = untaggedParents(ctx, api, img)
		}
		res, err := api.ImageRemove(ctx, name, client.ImageRemoveOptions{Force: opts.force, PruneChildren: !opts.noPrune})
		if err != nil {
			if !cerrdefs.IsNotFound(err) {
				fatal = true
			}
			errs = append(errs, rmiError(name, err))
			continue
		}
		for _, d := range res.Items {
			if d.Deleted != "" {
				fmt.Fprintln(f.Out, "Deleted:", d.Deleted)
			} else {
				fmt.Fprintln(f.Out, "Untagged:", d.Untagged)
			}
		}
		if explaining {
			refs = append(refs, name)
			before = append(before, img)
			intermediate = append(intermediate, parents...)
			items = append(items, res.Items...)
		}
	}
	if len(refs) > 0 {
		f.explain(explain.Rmi(refs, before, intermediate, items))
	}
	if len(errs) == 0 {
		return nil
	}
	if opts.force && !fatal {
		for _, err := range errs {
			reportError(f, err)
		}
		return nil
	}
	for _, err := range errs[:len(errs)-1] {
		reportError(f, err)
	}
	return errs[len(errs)-1]
}

// rmiError adds a Spanish explanation to a conflict: the image is used by
// a container, or has several names and -f was not given.
func rmiError(name string, err error) error {
	if !cerrdefs.IsConflict(err) {
		return err
	}
	return hintedError{
		err: err,
		hint: fmt.Sprintf("No se borró la imagen `%s`.\n\n"+
			"- Si un contenedor (aunque esté detenido) la usa, bórralo antes: búscalo con `bolsillo ps -a --filter ancestor=%s` y quítalo con `bolsillo rm`.\n"+
			"- Si la imagen tiene varios nombres y le diste su ID, borra los nombres uno a uno (`bolsillo rmi NOMBRE:TAG`) o usa `bolsillo rmi -f`.\n"+
			"- `-f` solo quita el nombre a una imagen que usa un contenedor: sus capas siguen ahí mientras el contenedor exista.",
			name, name),
	}
}

// untaggedParents follows img's Parent chain while the parents have no tag:
// the intermediate images of a build, which rmi removes with the image.
// Parent is in the API's JSON (1.50) but not in the client's type: read it
// from the raw answer.
func untaggedParents(ctx context.Context, api client.APIClient, img image.InspectResponse) []image.InspectResponse {
	var out []image.InspectResponse
	seen := map[string]bool{}
	for id := img.ID; id != "" && !seen[id]; {
		seen[id] = true
		var raw bytes.Buffer
		if _, err := api.ImageInspect(ctx, id, client.ImageInspectWithRawResponse(&raw)); err != nil {
			break
		}
		var withParent struct{ Parent string }
		if json.Unmarshal(raw.Bytes(), &withParent) != nil || withParent.Parent == "" {
			break
		}
		parent, err := api.ImageInspect(ctx, withParent.Parent)
		if err != nil || len(parent.RepoTags) > 0 {
			break
		}
		out = append(out, parent.InspectResponse)
		id = parent.ID
	}
	return out
}
