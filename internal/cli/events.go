package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

type eventsOptions struct {
	since, until string
	filters      []string
	format       string
}

func newEventsCommand(f *factory) *cobra.Command {
	var opts eventsOptions
	cmd := &cobra.Command{
		Use:   "events [OPCIONES]",
		Short: "Muestra los eventos del daemon a medida que ocurren",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEvents(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.since, "since", "", "Muestra también los eventos desde este momento (marca de tiempo o duración, por ejemplo 10m)")
	fl.StringVar(&opts.until, "until", "", "Termina en este momento (marca de tiempo o duración)")
	fl.StringArrayVarP(&opts.filters, "filter", "f", nil, "Filtra los eventos (por ejemplo type=container, event=die o container=web)")
	fl.StringVar(&opts.format, "format", "", "Da formato a cada evento con una plantilla de Go, o json")
	return cmd
}

func runEvents(ctx context.Context, f *factory, opts eventsOptions) error {
	filters, err := parseFilters(opts.filters)
	if err != nil {
		return err
	}
	var tmpl *template.Template
	switch opts.format {
	case "":
	case jsonFormatKey:
		tmpl, err = parseTemplate("{{json .}}")
	default:
		tmpl, err = parseTemplate(opts.format)
	}
	if err != nil {
		return err
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	res := api.Events(ctx, client.EventsListOptions{Since: opts.since, Until: opts.until, Filters: filters})
	var seen []events.Message
	for {
		select {
		case m := <-res.Messages:
			if err := printEvent(f.Out, tmpl, m); err != nil {
				return err
			}
			if f.Explaining() {
				seen = append(seen, m)
			}
		case err := <-res.Err:
			if err != nil && !errors.Is(err, io.EOF) && ctx.Err() == nil {
				return err
			}
			f.explain(explain.Events(seen))
			return nil
		case <-ctx.Done():
			f.explain(explain.Events(seen))
			return nil
		}
	}
}

// printEvent prints an event as docker events does: with the template, or
// "TIME TYPE ACTION ID (key=value, ...)" with the attributes sorted.
func printEvent(w io.Writer, tmpl *template.Template, m events.Message) error {
	if tmpl != nil {
		var b strings.Builder
		if err := tmpl.Execute(&b, m); err != nil {
			return err
		}
		_, err := fmt.Fprintln(w, b.String())
		return err
	}
	line := fmt.Sprintf("%s %s %s %s", time.Unix(0, m.TimeNano).Format("2006-01-02T15:04:05.000000000Z07:00"), m.Type, m.Action, m.Actor.ID)
	if len(m.Actor.Attributes) > 0 {
		var attrs []string
		for _, k := range slices.Sorted(maps.Keys(m.Actor.Attributes)) {
			attrs = append(attrs, k+"="+m.Actor.Attributes[k])
		}
		line += " (" + strings.Join(attrs, ", ") + ")"
	}
	_, err := fmt.Fprintln(w, line)
	return err
}
