package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"bolsillo/explain"
)

const (
	// wasteAutoLimit is the largest image whose layers `capas` reads
	// without --desperdicio: reading them means streaming the whole image
	// (docker save), which for a classroom image of a few MB takes a few
	// milliseconds.
	wasteAutoLimit = 64 << 20
	// maxSharingInspects caps how many other images `capas` inspects to
	// find shared layers.
	maxSharingInspects = 32
)

// capasOptions are the argument and flags of bolsillo capas.
type capasOptions struct {
	target         string
	forceImage     bool
	forceContainer bool
	waste          bool
	wasteSet       bool // --desperdicio was given, true or false
}

func newCapasCommand(f *factory) *cobra.Command {
	var opts capasOptions
	cmd := &cobra.Command{
		Use:   "capas [OPCIONES] IMAGEN|CONTENEDOR",
		Short: "Dibuja las capas de una imagen, o de un contenedor sobre su imagen",
		Long: "Dibuja la pila de capas de una imagen (de la más nueva, arriba, a la base, abajo), con la instrucción\n" +
			"que creó cada una y su tamaño; o la de un contenedor: su capa de lectura y escritura encima.\n" +
			"Si el nombre es de un contenedor y de una imagen a la vez, gana el contenedor (usa --imagen).\n\n" +
			"El espacio desperdiciado (archivos añadidos en una capa y borrados en otra) se busca leyendo el\n" +
			"contenido de las capas: sola en imágenes de hasta 64 MB, o siempre con --desperdicio.",
		Example: "  bolsillo capas busybox\n  bolsillo capas web\n  bolsillo capas --desperdicio web:2",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.target = args[0]
			opts.wasteSet = cmd.Flags().Changed("desperdicio")
			if opts.forceImage && opts.forceContainer {
				return invalidFlag("Elige una sola: `--imagen` o `--contenedor`.", fmt.Errorf("--imagen and --contenedor cannot be used together"))
			}
			return runCapas(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeImages(f),
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.forceImage, "imagen", false, "Busca solo una imagen con ese nombre")
	fl.BoolVar(&opts.forceContainer, "contenedor", false, "Busca solo un contenedor con ese nombre")
	fl.BoolVar(&opts.waste, "desperdicio", false, "Lee el contenido de las capas para encontrar archivos borrados que siguen pesando (por defecto, solo en imágenes de hasta 64 MB)")
	return cmd
}

func runCapas(ctx context.Context, f *factory, opts capasOptions) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	var data explain.LayersData
	imageRef := opts.target
	if !opts.forceImage {
		res, err := api.ContainerInspect(ctx, opts.target, client.ContainerInspectOptions{Size: true})
		switch {
		case err == nil:
			c := res.Container
			data.Container = &c
			imageRef = c.Image
		case !cerrdefs.IsNotFound(err) || opts.forceContainer:
			return err
		}
	}
	img, err := api.ImageInspect(ctx, imageRef)
	if err != nil {
		if cerrdefs.IsNotFound(err) && !opts.forceImage && data.Container == nil {
			return hintedError{err: err, hint: fmt.Sprintf("No hay ningún contenedor ni ninguna imagen `%s` en tu anfitrión. "+
				"Mira los nombres con `bolsillo ps -a` y `bolsillo images`.", opts.target)}
		}
		return err
	}
	data.Image = img.InspectResponse
	if data.Container == nil {
		data.Ref = opts.target
	}
	if h, err := api.ImageHistory(ctx, data.Image.ID); err == nil {
		data.History = h.Items
	}
	if data.Container != nil {
		if res, err := api.ContainerDiff(ctx, data.Container.ID, client.ContainerDiffOptions{}); err == nil {
			data.Changes = res.Changes
		}
	}
	data.Others = otherImages(ctx, api, data.Image)

	if opts.wasteSet && opts.waste || !opts.wasteSet && data.Image.Size <= wasteAutoLimit {
		rep, err := imageWaste(ctx, api, data.Image)
		switch {
		case err == nil:
			data.Waste = rep
		case opts.wasteSet:
			return fmt.Errorf("reading the layers of %s: %w", opts.target, err)
		}
	}

	d := explain.Layers(data)
	fd, tty := isTerminal(f.Out)
	if !tty {
		_, err := io.WriteString(f.Out, d.Plain())
		return err
	}
	width := 80
	if cols, _, err := term.GetSize(int(fd)); err == nil && cols > 0 {
		width = cols
	}
	_, err = io.WriteString(f.Out, d.Styled(width, colorProfile(f.Out)))
	return err
}

// otherImages inspects the other local images, to find the layers img
// shares with them. Images with fewer layers than needed to share even the
// base are skipped after inspect; at most maxSharingInspects are inspected.
func otherImages(ctx context.Context, api client.APIClient, img image.InspectResponse) []image.InspectResponse {
	if len(img.RootFS.Layers) == 0 {
		return nil
	}
	list, err := api.ImageList(ctx, client.ImageListOptions{})
	if err != nil {
		return nil
	}
	var others []image.InspectResponse
	inspected := 0
	for _, s := range list.Items {
		if s.ID == img.ID {
			continue
		}
		if inspected == maxSharingInspects {
			break
		}
		inspected++
		res, err := api.ImageInspect(ctx, s.ID)
		if err != nil {
			continue
		}
		o := res.InspectResponse
		if len(o.RootFS.Layers) > 0 && o.RootFS.Layers[0] == img.RootFS.Layers[0] {
			others = append(others, o)
		}
	}
	return others
}

// imageWaste reads the image's layers through `GET /images/{id}/get` and
// finds the files that a later layer deleted or replaced.
func imageWaste(ctx context.Context, api client.APIClient, img image.InspectResponse) (*explain.WasteReport, error) {
	rc, err := api.ImageSave(ctx, []string{img.ID})
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	layers, err := explain.ReadSavedLayers(rc)
	if err != nil {
		return nil, err
	}
	if len(layers) != len(img.RootFS.Layers) {
		return nil, fmt.Errorf("the archive has %d layers, the image %d", len(layers), len(img.RootFS.Layers))
	}
	rep := explain.FindWaste(layers)
	return &rep, nil
}

// colorProfile is the colors w supports, from the environment (TERM,
// COLORTERM, NO_COLOR); it never queries the terminal.
func colorProfile(w io.Writer) termenv.Profile {
	if file, ok := w.(*os.File); ok {
		return termenv.NewOutput(file).EnvColorProfile()
	}
	return termenv.Ascii
}

// printStack writes a compact layer stack to stderr after run, commit or
// build, with colors when stderr is a terminal. It prints nothing when
// explanations are off.
func (f *factory) printStack(s explain.Stack) {
	if !f.Explaining() {
		return
	}
	if _, tty := isTerminal(f.Err); tty {
		_, _ = io.WriteString(f.Err, s.Styled(colorProfile(f.Err)))
		return
	}
	_, _ = io.WriteString(f.Err, s.Plain())
}

// printRunStack shows the container's writable layer over its image's
// layers after run, unless the container is already gone (--rm).
func (f *factory) printRunStack(data explain.RunData) {
	if data.Container.ID == "" || data.Removed {
		return
	}
	f.printStack(explain.ContainerStack(data.Container, data.Image, data.ImageRef))
}

// printBuildStack shows the stack of the image a build made.
func (f *factory) printBuildStack(d explain.BuildData) {
	ref := ""
	if len(d.Tags) > 0 {
		ref = d.Tags[0]
	}
	f.printStack(explain.ImageStack(d.Image, d.History, ref))
}
