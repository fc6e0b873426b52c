package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/moby/moby/api/types/image"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// saveOptions are the flags of bolsillo save.
type saveOptions struct {
	output string
	images []string
}

func newSaveCommand(f *factory) *cobra.Command {
	var opts saveOptions
	cmd := &cobra.Command{
		Use:   "save [OPCIONES] IMAGEN [IMAGEN...]",
		Short: "Guarda una o más imágenes en un archivo tar",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.images = args
			return runSave(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeImages(f),
	}
	cmd.Flags().StringVarP(&opts.output, "output", "o", "", "Escribe en este archivo en vez de en la salida estándar")
	return cmd
}

func runSave(ctx context.Context, f *factory, opts saveOptions) error {
	if opts.output == "" {
		if _, tty := isTerminal(f.Out); tty {
			return hintedError{
				hint: "No escribo un archivo tar en la terminal: saldría basura binaria. " +
					"Usa `-o imagenes.tar` o redirige la salida, por ejemplo `bolsillo save busybox > busybox.tar`.",
				err: errors.New("cowardly refusing to save to a terminal. Use the -o flag or redirect"),
			}
		}
	}
	if opts.output != "" {
		if err := validateOutputPath(opts.output); err != nil {
			return fmt.Errorf("failed to save image: %w", err)
		}
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	res, err := api.ImageSave(ctx, opts.images)
	if err != nil {
		return err
	}
	defer res.Close()
	var n int64
	if opts.output == "" {
		n, err = io.Copy(f.Out, res)
	} else {
		n, err = writeFileAtomic(opts.output, res)
	}
	if err != nil {
		return err
	}
	if !f.Explaining() {
		return nil
	}
	var imgs []image.InspectResponse
	for _, name := range opts.images {
		if r, err := api.ImageInspect(ctx, name); err == nil {
			imgs = append(imgs, r.InspectResponse)
		}
	}
	f.explain(explain.Save(opts.output, imgs, n))
	return nil
}

// writeFileAtomic writes r to path through a temporary file in the same
// directory, so a failed save leaves no half-written tar (0600, as docker).
func writeFileAtomic(path string, r io.Reader) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return 0, fmt.Errorf("failed to save image: %w", err)
	}
	n, err := io.Copy(tmp, r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return 0, fmt.Errorf("failed to save image: %w", err)
	}
	return n, nil
}
