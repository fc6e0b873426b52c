package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// newNetworkCommand is `network ls|inspect`.
func newNetworkCommand(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "network COMANDO",
		Short: "Muestra las redes: bridge, host y none",
	}
	cmd.AddCommand(newNetworkLsCommand(f), newNetworkInspectCommand(f))
	return cmd
}

// networkRow is one row of `network ls`.
type networkRow struct{ n network.Summary }

func (r networkRow) ID() string     { return shortNetworkID(r.n.ID) }
func (r networkRow) Name() string   { return r.n.Name }
func (r networkRow) Driver() string { return r.n.Driver }
func (r networkRow) Scope() string  { return r.n.Scope }
func (r networkRow) IPv6() string   { return fmt.Sprint(r.n.EnableIPv6) }
func (r networkRow) Internal() string {
	return fmt.Sprint(r.n.Internal)
}

// MarshalJSON is what --format json prints: docker's flat row.
func (r networkRow) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{
		"CreatedAt": r.n.Created.String(), "Driver": r.Driver(), "ID": r.ID(), "IPv4": "true", "IPv6": r.IPv6(),
		"Internal": r.Internal(), "Labels": "", "Name": r.Name(), "Scope": r.Scope(),
	})
}

func shortNetworkID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

var networkHeader = map[string]string{
	"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE", "IPv6": "IPV6", "Internal": "INTERNAL",
}

func newNetworkLsCommand(f *factory) *cobra.Command {
	var (
		quiet, noTrunc bool
		filters        []string
		format         string
	)
	cmd := &cobra.Command{
		Use:     "ls [OPCIONES]",
		Aliases: []string{"list"},
		Short:   "Lista las redes",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return err
			}
			api, err := f.Client()
			if err != nil {
				return err
			}
			res, err := api.NetworkList(cmd.Context(), client.NetworkListOptions{Filters: flt})
			if err != nil {
				return err
			}
			switch {
			case quiet:
				format = "{{.ID}}"
			case format == "" || format == tableFormatKey:
				format = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"
			}
			rows := make([]any, len(res.Items))
			for i, n := range res.Items {
				if noTrunc {
					rows[i] = fullNetworkRow{networkRow{n}}
				} else {
					rows[i] = networkRow{n}
				}
			}
			if err := (listWriter{format: format, header: networkHeader}).write(f.Out, rows); err != nil {
				return err
			}
			f.explain(explain.NetworkList(res.Items))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&quiet, "quiet", "q", false, "Muestra solo los IDs")
	fl.BoolVar(&noTrunc, "no-trunc", false, "No acorta los IDs")
	fl.StringArrayVarP(&filters, "filter", "f", nil, "Filtra (name=..., id=..., driver=...)")
	fl.StringVar(&format, "format", "", "Formato de salida: table, json o una plantilla de Go")
	return cmd
}

// fullNetworkRow is a networkRow with its full ID (--no-trunc).
type fullNetworkRow struct{ networkRow }

func (r fullNetworkRow) ID() string { return r.n.ID }

func newNetworkInspectCommand(f *factory) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "inspect [OPCIONES] RED [RED...]",
		Short: "Muestra los detalles de una o más redes",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runNetworkInspect(cmd.Context(), f, args, format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "Formato de salida: json o una plantilla de Go")
	return cmd
}

func runNetworkInspect(ctx context.Context, f *factory, refs []string, format string) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	var raws []json.RawMessage
	var found []network.Inspect
	failed := false
	for _, ref := range refs {
		res, err := api.NetworkInspect(ctx, ref, client.NetworkInspectOptions{})
		if err != nil {
			reportError(f, err)
			failed = true
			continue
		}
		raws = append(raws, res.Raw)
		found = append(found, res.Network)
	}
	if err := printInspected(f, raws, format); err != nil {
		return err
	}
	for _, n := range found {
		f.explain(explain.NetworkInspect(n))
	}
	if failed {
		return statusError{code: exitGeneric}
	}
	return nil
}
