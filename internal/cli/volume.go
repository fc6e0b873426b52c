package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/moby/moby/api/types/volume"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// newVolumeCommand is `volume create|ls|inspect|rm|prune`.
func newVolumeCommand(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "volume COMANDO",
		Short: "Administra volúmenes: datos que sobreviven a los contenedores",
	}
	cmd.AddCommand(
		newVolumeCreateCommand(f),
		newVolumeLsCommand(f),
		newVolumeInspectCommand(f),
		newVolumeRmCommand(f),
		newVolumePruneCommand(f),
	)
	return cmd
}

func newVolumeCreateCommand(f *factory) *cobra.Command {
	var (
		name, driver string
		labels, opts []string
	)
	cmd := &cobra.Command{
		Use:   "create [OPCIONES] [VOLUMEN]",
		Short: "Crea un volumen",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if name != "" && name != args[0] {
					return invalidFlag("Diste dos nombres distintos: uno con `--name` y otro como argumento. Usa solo uno.",
						fmt.Errorf("conflicting options: cannot specify a volume-name through both --name and as a positional arg"))
				}
				name = args[0]
			}
			return runVolumeCreate(cmd.Context(), f, client.VolumeCreateOptions{
				Name:       name,
				Driver:     driver,
				DriverOpts: keyValues(opts),
				Labels:     keyValues(labels),
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&name, "name", "", "Nombre del volumen")
	fl.StringVarP(&driver, "driver", "d", "local", "Driver del volumen")
	fl.StringArrayVarP(&labels, "label", "l", nil, "Etiqueta del volumen (clave=valor)")
	fl.StringArrayVarP(&opts, "opt", "o", nil, "Opción del driver (clave=valor)")
	return cmd
}

// keyValues turns ["k=v", "k2"] into a map, as docker's label options do.
func keyValues(list []string) map[string]string {
	m := map[string]string{}
	for _, kv := range list {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

func runVolumeCreate(ctx context.Context, f *factory, opts client.VolumeCreateOptions) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	res, err := api.VolumeCreate(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintln(f.Out, res.Volume.Name)
	f.explain(explain.VolumeCreate(res.Volume))
	return nil
}

// volumeRow is one row of `volume ls`, with the fields docker's --format
// knows.
type volumeRow struct{ v volume.Volume }

func (r volumeRow) Name() string       { return r.v.Name }
func (r volumeRow) Driver() string     { return r.v.Driver }
func (r volumeRow) Scope() string      { return r.v.Scope }
func (r volumeRow) Mountpoint() string { return r.v.Mountpoint }
func (r volumeRow) CreatedAt() string  { return r.v.CreatedAt }
func (r volumeRow) Label(name string) string {
	return r.v.Labels[name]
}

// Labels is "k=v,k2=v2", sorted, as docker prints it.
func (r volumeRow) Labels() string {
	out := make([]string, 0, len(r.v.Labels))
	for k, v := range r.v.Labels {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// MarshalJSON is what --format json prints: docker's flat row.
func (r volumeRow) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{
		"Availability": "N/A", "Driver": r.Driver(), "Group": "N/A", "Labels": r.Labels(),
		"Links": "N/A", "Mountpoint": r.Mountpoint(), "Name": r.Name(), "Scope": r.Scope(),
		"Size": "N/A", "Status": "N/A",
	})
}

var volumeHeader = map[string]string{
	"Name": "VOLUME NAME", "Driver": "DRIVER", "Scope": "SCOPE", "Mountpoint": "MOUNTPOINT",
	"Labels": "LABELS", "CreatedAt": "CREATED",
}

func newVolumeLsCommand(f *factory) *cobra.Command {
	var (
		quiet   bool
		filters []string
		format  string
	)
	cmd := &cobra.Command{
		Use:     "ls [OPCIONES]",
		Aliases: []string{"list"},
		Short:   "Lista los volúmenes",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVolumeLs(cmd.Context(), f, quiet, filters, format)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&quiet, "quiet", "q", false, "Muestra solo los nombres")
	fl.StringArrayVarP(&filters, "filter", "f", nil, "Filtra (dangling=true, name=..., label=..., driver=local)")
	fl.StringVar(&format, "format", "", "Formato de salida: table, json o una plantilla de Go")
	return cmd
}

func runVolumeLs(ctx context.Context, f *factory, quiet bool, filterArgs []string, format string) error {
	filters, err := parseFilters(filterArgs)
	if err != nil {
		return err
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	res, err := api.VolumeList(ctx, client.VolumeListOptions{Filters: filters})
	if err != nil {
		return err
	}
	vols := res.Items
	sort.Slice(vols, func(i, j int) bool { return vols[i].Name < vols[j].Name })
	switch {
	case quiet:
		format = "{{.Name}}"
	case format == "" || format == tableFormatKey:
		format = "table {{.Driver}}\t{{.Name}}"
	}
	rows := make([]any, len(vols))
	for i, v := range vols {
		rows[i] = volumeRow{v}
	}
	if err := (listWriter{format: format, header: volumeHeader}).write(f.Out, rows); err != nil {
		return err
	}
	f.explain(explain.VolumeList(vols))
	return nil
}

func newVolumeInspectCommand(f *factory) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "inspect [OPCIONES] VOLUMEN [VOLUMEN...]",
		Short: "Muestra los detalles de uno o más volúmenes",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVolumeInspect(cmd.Context(), f, args, format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "Formato de salida: json o una plantilla de Go")
	return cmd
}

func runVolumeInspect(ctx context.Context, f *factory, names []string, format string) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	var raws []json.RawMessage
	var found []volume.Volume
	failed := false
	for _, name := range names {
		res, err := api.VolumeInspect(ctx, name, client.VolumeInspectOptions{})
		if err != nil {
			reportError(f, err)
			failed = true
			continue
		}
		raws = append(raws, res.Raw)
		found = append(found, res.Volume)
	}
	if err := printInspected(f, raws, format); err != nil {
		return err
	}
	for _, v := range found {
		f.explain(explain.VolumeInspect(v))
	}
	if failed {
		return statusError{code: exitGeneric}
	}
	return nil
}

// writeJSONArray prints raw objects as docker's inspect does: an indented
// JSON array, or one compact line with --format json.
func writeJSONArray(f *factory, raws []json.RawMessage, compact bool) error {
	if raws == nil {
		raws = []json.RawMessage{}
	}
	var b []byte
	var err error
	if compact {
		b, err = json.Marshal(raws)
	} else {
		b, err = json.MarshalIndent(raws, "", "    ")
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(f.Out, string(b))
	return nil
}

func newVolumeRmCommand(f *factory) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:     "rm [OPCIONES] VOLUMEN [VOLUMEN...]",
		Aliases: []string{"remove"},
		Short:   "Borra uno o más volúmenes",
		Args:    requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVolumeRm(cmd.Context(), f, args, force)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "No falla si el volumen no existe")
	return cmd
}

func runVolumeRm(ctx context.Context, f *factory, names []string, force bool) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	failed := false
	for _, name := range names {
		if _, err := api.VolumeRemove(ctx, name, client.VolumeRemoveOptions{Force: force}); err != nil {
			if md := explain.VolumeRemoveError(err); md != "" {
				err = hintedError{hint: md, err: err}
			}
			reportError(f, err)
			failed = true
			continue
		}
		fmt.Fprintln(f.Out, name)
		f.explain(explain.VolumeRemove(name))
	}
	if failed {
		return statusError{code: exitGeneric}
	}
	return nil
}

const (
	anonymousVolumesWarning = "WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?"
	allVolumesWarning       = "WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?"
)

func newVolumePruneCommand(f *factory) *cobra.Command {
	var (
		all, force bool
		filters    []string
	)
	cmd := &cobra.Command{
		Use:   "prune [OPCIONES]",
		Short: "Borra los volúmenes que no usa ningún contenedor",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVolumePrune(cmd.Context(), f, all, force, filters)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&all, "all", "a", false, "Borra también los volúmenes con nombre, no solo los anónimos")
	fl.BoolVarP(&force, "force", "f", false, "No pide confirmación")
	fl.StringArrayVar(&filters, "filter", nil, "Filtra qué se borra (por ejemplo label=curso)")
	return cmd
}

func runVolumePrune(ctx context.Context, f *factory, all, force bool, filterArgs []string) error {
	filters, err := parseFilters(filterArgs)
	if err != nil {
		return err
	}
	warning := anonymousVolumesWarning
	if all {
		warning = allVolumesWarning
	}
	if !force && !f.confirm(warning) {
		return nil
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	res, err := api.VolumePrune(ctx, client.VolumePruneOptions{All: all, Filters: filters})
	if err != nil {
		return err
	}
	r := res.Report
	printPruned(f.Out, "Deleted Volumes", r.VolumesDeleted)
	printReclaimed(f.Out, r.SpaceReclaimed)
	f.explain(explain.VolumePrune(r.VolumesDeleted, r.SpaceReclaimed, all))
	return nil
}
