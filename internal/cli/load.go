package cli

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"

	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// loadOptions are the flags of bolsillo load.
type loadOptions struct {
	input string
	quiet bool
}

func newLoadCommand(f *factory) *cobra.Command {
	var opts loadOptions
	cmd := &cobra.Command{
		Use:   "load [OPCIONES]",
		Short: "Carga imágenes de un archivo tar o de la entrada estándar",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLoad(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.input, "input", "i", "", "Lee de este archivo tar en vez de la entrada estándar")
	cmd.Flags().BoolVarP(&opts.quiet, "quiet", "q", false, "No muestra el progreso")
	return cmd
}

// jsonReader decodes a JSON message stream from a plain reader, such as
// the body of POST /images/load.
type jsonReader struct{ r io.Reader }

// JSONMessages yields each message until EOF or the first decoding error.
func (j jsonReader) JSONMessages(ctx context.Context) iter.Seq2[jsonstream.Message, error] {
	return func(yield func(jsonstream.Message, error) bool) {
		dec := json.NewDecoder(j.r)
		for ctx.Err() == nil {
			var m jsonstream.Message
			err := dec.Decode(&m)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(m, fmt.Errorf("reading load response: %w", err))
				return
			}
			if !yield(m, nil) {
				return
			}
		}
	}
}

func runLoad(ctx context.Context, f *factory, opts loadOptions) error {
	var in io.Reader = f.In
	if opts.input == "" {
		if _, tty := isTerminal(f.In); tty {
			return hintedError{
				hint: "`bolsillo load` lee un archivo tar: dáselo con `-i imagenes.tar` o por la entrada estándar (`bolsillo load < imagenes.tar`).",
				err:  errors.New("requested load from stdin, but stdin is empty"),
			}
		}
	} else {
		file, err := os.Open(opts.input)
		if err != nil {
			return hintedError{
				hint: fmt.Sprintf("No pude abrir `%s`. Revisa la ruta del archivo tar.", opts.input),
				err:  err,
			}
		}
		defer file.Close()
		in = file
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	var before []image.InspectResponse
	if f.Explaining() && opts.input != "" {
		before = imagesNamedInArchive(ctx, api, opts.input)
	}
	_, tty := isTerminal(f.Out)
	res, err := api.ImageLoad(ctx, in, client.ImageLoadWithQuiet(opts.quiet || !tty))
	if err != nil {
		return err
	}
	defer res.Close()
	rec, err := displayStream(ctx, jsonReader{res}, f.Out)
	if err != nil {
		return err
	}
	if f.Explaining() {
		imgs := loadedImages(ctx, api, rec.Lines)
		f.explain(explain.Load(rec.Lines, imgs, leftDanglingAll(ctx, f, api, before, imgs)))
	}
	return nil
}

// loadedImages inspects the images named by "Loaded image: NAME" and
// "Loaded image ID: ID" lines.
func loadedImages(ctx context.Context, api client.APIClient, lines []string) []image.InspectResponse {
	var imgs []image.InspectResponse
	for _, l := range lines {
		name, ok := strings.CutPrefix(l, "Loaded image: ")
		if !ok {
			name, ok = strings.CutPrefix(l, "Loaded image ID: ")
		}
		if !ok {
			continue
		}
		if r, err := api.ImageInspect(ctx, strings.TrimSpace(name)); err == nil {
			imgs = append(imgs, r.InspectResponse)
		}
	}
	return imgs
}

// leftDanglingAll returns the images of before that are no longer any of
// imgs and have lost their last tag.
func leftDanglingAll(ctx context.Context, f *factory, api client.APIClient, before, imgs []image.InspectResponse) []image.InspectResponse {
	loaded := map[string]bool{}
	for _, img := range imgs {
		loaded[img.ID] = true
	}
	seen := map[string]bool{}
	var out []image.InspectResponse
	for i := range before {
		b := &before[i]
		if loaded[b.ID] || seen[b.ID] {
			continue
		}
		seen[b.ID] = true
		if d := f.leftDangling(ctx, api, b, ""); d != nil {
			out = append(out, *d)
		}
	}
	return out
}

// imagesNamedInArchive inspects the images that the names inside an image
// archive point at now: docker-archive's manifest.json RepoTags and the
// OCI index.json ref annotations. The load may move those names.
func imagesNamedInArchive(ctx context.Context, api client.APIClient, path string) []image.InspectResponse {
	file, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer file.Close()
	var names []string
	tr := tar.NewReader(file)
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		switch strings.TrimPrefix(hdr.Name, "./") {
		case "manifest.json":
			var m []struct{ RepoTags []string }
			if json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m) == nil {
				for _, e := range m {
					names = append(names, e.RepoTags...)
				}
			}
		case "index.json":
			var idx struct {
				Manifests []struct{ Annotations map[string]string }
			}
			if json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&idx) == nil {
				for _, m := range idx.Manifests {
					if n := m.Annotations["io.containerd.image.name"]; n != "" {
						names = append(names, n)
					}
				}
			}
		}
	}
	var imgs []image.InspectResponse
	for _, n := range names {
		if r, err := api.ImageInspect(ctx, n); err == nil {
			imgs = append(imgs, r.InspectResponse)
		}
	}
	return imgs
}
