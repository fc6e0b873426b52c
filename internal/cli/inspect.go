package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// inspectOptions are the flags of bolsillo inspect.
type inspectOptions struct {
	format string
	kind   string
	size   bool
	names  []string
}

func newInspectCommand(f *factory) *cobra.Command {
	var opts inspectOptions
	cmd := &cobra.Command{
		Use:   "inspect [OPCIONES] NOMBRE|ID [NOMBRE|ID...]",
		Short: "Muestra la información detallada de contenedores o imágenes",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.names = args
			return runInspect(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeContainers(f, true),
	}
	cmd.Flags().StringVarP(&opts.format, "format", "f", "", "Formato de salida: 'json' o una plantilla de Go")
	cmd.Flags().StringVar(&opts.kind, "type", "", "Tipo de objeto: container o image")
	cmd.Flags().BoolVarP(&opts.size, "size", "s", false, "Añade el tamaño de la capa de escritura (SizeRw) y del total (SizeRootFs) de un contenedor")
	return cmd
}

// inspected is one object found by inspect: its raw JSON and what the
// explanation needs.
type inspected struct {
	raw       []byte
	container *container.InspectResponse
	image     *image.InspectResponse
}

func runInspect(ctx context.Context, f *factory, opts inspectOptions) error {
	switch opts.kind {
	case "", "container", "image":
	default:
		return invalidFlag(fmt.Sprintf("`--type %s` no existe: usa `container` o `image`.", opts.kind),
			fmt.Errorf("%q is not a valid value for --type", opts.kind))
	}
	w, err := newInspectWriter(f.Out, opts.format)
	if err != nil {
		return err
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	var (
		found []inspected
		errs  []error
	)
	for _, name := range opts.names {
		obj, err := inspectObject(ctx, api, name, opts.kind, opts.size)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := w.add(obj.raw); err != nil {
			errs = append(errs, err)
			continue
		}
		found = append(found, obj)
	}
	if err := w.flush(); err != nil {
		return err
	}
	for _, obj := range found {
		switch {
		case obj.container != nil:
			f.explain(explain.Inspect(*obj.container))
		case obj.image != nil:
			f.explain(explain.ImageInspect(*obj.image))
		}
	}
	if len(errs) > 0 {
		for _, err := range errs[:len(errs)-1] {
			reportError(f, err)
		}
		return errs[len(errs)-1]
	}
	return nil
}

// inspectObject looks name up as a container, then as an image, like docker.
func inspectObject(ctx context.Context, api client.APIClient, name, kind string, size bool) (inspected, error) {
	if kind == "" || kind == "container" {
		res, err := api.ContainerInspect(ctx, name, client.ContainerInspectOptions{Size: size})
		if err == nil {
			c := res.Container
			return inspected{raw: res.Raw, container: &c}, nil
		}
		if !cerrdefs.IsNotFound(err) || kind == "container" {
			return inspected{}, err
		}
	}
	var raw bytes.Buffer
	res, err := api.ImageInspect(ctx, name, client.ImageInspectWithRawResponse(&raw))
	if err == nil {
		img := res.InspectResponse
		return inspected{raw: raw.Bytes(), image: &img}, nil
	}
	if !cerrdefs.IsNotFound(err) || kind == "image" {
		return inspected{}, err
	}
	return inspected{}, cerrdefs.ErrNotFound.WithMessage("Error: No such object: " + name)
}

// inspectWriter prints inspect results like docker: an indented JSON array
// by default, a compact one for "json", or one template result per object.
type inspectWriter struct {
	out     io.Writer
	format  string
	raws    [][]byte
	results bytes.Buffer
	tmpl    interface {
		Execute(io.Writer, any) error
	}
}

func newInspectWriter(out io.Writer, format string) (*inspectWriter, error) {
	w := &inspectWriter{out: out, format: format}
	if format == "" || format == jsonFormatKey {
		return w, nil
	}
	tmpl, err := parseTemplate(format)
	if err != nil {
		return nil, err
	}
	w.tmpl = tmpl.Option("missingkey=error")
	return w, nil
}

// add records one object's raw JSON.
func (w *inspectWriter) add(raw []byte) error {
	if w.tmpl == nil {
		w.raws = append(w.raws, raw)
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("unable to read inspect data: %w", err)
	}
	var buf bytes.Buffer
	if err := w.tmpl.Execute(&buf, v); err != nil {
		return hintedError{
			hint: "La plantilla de `--format` pide un campo que no existe. Mira los nombres con `bolsillo inspect` sin `--format`.",
			err:  fmt.Errorf("template parsing error: %w", err),
		}
	}
	w.results.Write(buf.Bytes())
	w.results.WriteByte('\n')
	return nil
}

// flush writes everything recorded.
func (w *inspectWriter) flush() error {
	if w.tmpl != nil {
		_, err := w.results.WriteTo(w.out)
		return err
	}
	if len(w.raws) == 0 {
		_, err := io.WriteString(w.out, "[]\n")
		return err
	}
	arr := append([]byte("["), bytes.Join(w.raws, []byte(","))...)
	arr = append(arr, ']')
	var out bytes.Buffer
	var err error
	if w.format == jsonFormatKey {
		err = json.Compact(&out, arr)
	} else {
		err = json.Indent(&out, arr, "", "    ")
	}
	if err != nil {
		return errors.Join(errors.New("formatting inspect output"), err)
	}
	out.WriteByte('\n')
	_, err = out.WriteTo(w.out)
	return err
}
