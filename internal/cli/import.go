package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// importOptions are the flags of bolsillo import.
type importOptions struct {
	changes []string
	message string
	source  string
	ref     string
}

func newImportCommand(f *factory) *cobra.Command {
	var opts importOptions
	cmd := &cobra.Command{
		Use:   "import [OPCIONES] archivo|- [REPOSITORIO[:TAG]]",
		Short: "Crea una imagen de una sola capa a partir de un archivo tar",
		Args:  requiresRangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.source = args[0]
			if len(args) == 2 {
				opts.ref = args[1]
			}
			return runImport(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringArrayVarP(&opts.changes, "change", "c", nil, "Aplica una instrucción de Dockerfile a la imagen (por ejemplo 'CMD [\"sh\"]')")
	cmd.Flags().StringVarP(&opts.message, "message", "m", "", "Mensaje para la imagen importada")
	return cmd
}

func runImport(ctx context.Context, f *factory, opts importOptions) error {
	var src io.Reader = f.In
	if opts.source != "-" {
		file, err := os.Open(opts.source)
		if err != nil {
			return hintedError{
				hint: fmt.Sprintf("No pude abrir `%s`. Revisa la ruta del archivo tar (o usa `-` para leerlo de la entrada estándar).", opts.source),
				err:  err,
			}
		}
		defer file.Close()
		src = file
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	var before *image.InspectResponse
	if opts.ref != "" {
		before = f.lookupForDangling(ctx, api, opts.ref)
	}
	id, err := importImage(ctx, f.Out, api, src, opts.ref, opts.changes, opts.message)
	if err != nil {
		return err
	}
	if f.Explaining() {
		if img, err := api.ImageInspect(ctx, id); err == nil {
			f.explain(explain.Import(img.InspectResponse, opts.ref, f.leftDangling(ctx, api, before, img.ID)))
		}
	}
	return nil
}

// jsonMessage is one line of the daemon's JSON progress stream.
type jsonMessage struct {
	Status      string `json:"status"`
	Stream      string `json:"stream"`
	Error       string `json:"error"`
	ErrorDetail *struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
}

// importImage sends a tar to POST /images/create?fromSrc=- and prints the
// status lines (the new image ID) to out. It returns the last status,
// which is the image ID.
func importImage(ctx context.Context, out io.Writer, api client.APIClient, src io.Reader, ref string, changes []string, message string) (string, error) {
	rc, err := api.ImageImport(ctx, client.ImageImportSource{Source: src, SourceName: "-"}, ref, client.ImageImportOptions{
		Changes: changes,
		Message: message,
	})
	if err != nil {
		return "", err
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	id := ""
	for {
		var m jsonMessage
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return "", fmt.Errorf("reading import response: %w", err)
		}
		if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
			return "", errors.New(m.ErrorDetail.Message)
		}
		if m.Error != "" {
			return "", errors.New(m.Error)
		}
		if m.Stream != "" {
			fmt.Fprint(out, m.Stream)
		}
		if m.Status != "" {
			fmt.Fprintln(out, m.Status)
			id = strings.TrimSpace(m.Status)
		}
	}
	if id == "" {
		return "", errors.New("import response carried no image ID")
	}
	return id, nil
}
