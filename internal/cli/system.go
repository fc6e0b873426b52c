package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

func newSystemCommand(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "system COMANDO",
		Short: "Administra bolsillod: espacio en disco e información",
	}
	df := &cobra.Command{
		Use:   "df",
		Short: "Muestra cuánto disco ocupan imágenes, contenedores y volúmenes, y cuánto se puede recuperar",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSystemDf(cmd.Context(), f)
		},
	}
	cmd.AddCommand(df, newSystemPruneCommand(f), newInfoCommand(f))
	return cmd
}

// systemPruneOptions are the flags of bolsillo system prune, docker's.
type systemPruneOptions struct {
	all, force, volumes bool
	filters             []string
}

func newSystemPruneCommand(f *factory) *cobra.Command {
	var opts systemPruneOptions
	cmd := &cobra.Command{
		Use:   "prune [OPCIONES]",
		Short: "Borra lo que no se usa: contenedores detenidos, imágenes colgadas y, si quieres, volúmenes",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSystemPrune(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.all, "all", "a", false, "Borra todas las imágenes que no usa ningún contenedor, no solo las colgadas")
	fl.BoolVarP(&opts.force, "force", "f", false, "No pide confirmación")
	fl.BoolVar(&opts.volumes, "volumes", false, "Borra también los volúmenes anónimos que no usa ningún contenedor")
	fl.StringArrayVar(&opts.filters, "filter", nil, "Filtra qué se borra (por ejemplo until=24h o label=curso)")
	return cmd
}

// systemPruneWarning is docker's question before system prune.
func systemPruneWarning(opts systemPruneOptions) string {
	warnings := []string{"all stopped containers", "all networks not used by at least one container"}
	if opts.volumes {
		warnings = append(warnings, "all anonymous volumes not used by at least one container")
	}
	if opts.all {
		warnings = append(warnings, "all images without at least one container associated to them", "all build cache")
	} else {
		warnings = append(warnings, "all dangling images", "unused build cache")
	}
	var sb strings.Builder
	sb.WriteString("WARNING! This will remove:\n")
	for _, w := range warnings {
		sb.WriteString("  - " + w + "\n")
	}
	if len(opts.filters) > 0 {
		sb.WriteString("\n  Items to be pruned will be filtered with:\n")
		for _, f := range opts.filters {
			sb.WriteString("  - " + f + "\n")
		}
	}
	sb.WriteString("\nAre you sure you want to continue?")
	return sb.String()
}

// runSystemPrune prunes as docker does, one kind after the other through
// the API: containers first, so that the images and volumes they held are
// free when their turn comes. bolsillo has no networks to prune (only
// Docker's three default ones) and its build cache is made of images.
func runSystemPrune(ctx context.Context, f *factory, opts systemPruneOptions) error {
	filters, err := parseFilters(opts.filters)
	if err != nil {
		return err
	}
	if opts.volumes && filters["until"] != nil {
		// As docker: volumes have no creation time to filter by.
		return hintedError{
			hint: "`--filter until=...` no se puede usar con `--volumes`: los volúmenes no se filtran por fecha. Quita uno de los dos.",
			err:  errors.New(`ERROR: The "until" filter is not supported with "--volumes"`),
		}
	}
	if !opts.force && !f.confirm(systemPruneWarning(opts)) {
		return nil
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	var data explain.SystemPruneData
	data.All, data.Volumes = opts.all, opts.volumes
	var reclaimed uint64

	containers, err := api.ContainerPrune(ctx, client.ContainerPruneOptions{Filters: filters})
	if err != nil {
		return err
	}
	data.Containers = containers.Report.ContainersDeleted
	reclaimed += containers.Report.SpaceReclaimed
	printPruned(f.Out, "Deleted Containers", data.Containers)

	if opts.volumes {
		volumes, err := api.VolumePrune(ctx, client.VolumePruneOptions{Filters: filters})
		if err != nil {
			return err
		}
		data.VolumesDeleted = volumes.Report.VolumesDeleted
		reclaimed += volumes.Report.SpaceReclaimed
		printPruned(f.Out, "Deleted Volumes", data.VolumesDeleted)
	}

	imageFilters := filters.Clone()
	imageFilters.Add("dangling", strconv.FormatBool(!opts.all))
	images, err := api.ImagePrune(ctx, client.ImagePruneOptions{Filters: imageFilters})
	if err != nil {
		return err
	}
	reclaimed += images.Report.SpaceReclaimed
	printPruned(f.Out, "Deleted Images", imagePruneLines(images.Report.ImagesDeleted))
	for _, d := range images.Report.ImagesDeleted {
		if d.Untagged != "" {
			data.ImagesUntagged = append(data.ImagesUntagged, d.Untagged)
		} else {
			data.ImagesDeleted = append(data.ImagesDeleted, d.Deleted)
		}
	}

	data.Reclaimed = reclaimed
	printReclaimed(f.Out, reclaimed)
	f.explain(explain.SystemPrune(data))
	return nil
}

func runSystemDf(ctx context.Context, f *factory) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	du, err := api.DiskUsage(ctx, client.DiskUsageOptions{Containers: true, Images: true, Volumes: true, BuildCache: true})
	if err != nil {
		return err
	}
	rows := diskUsageRows(du)
	if err := writeDiskUsage(f.Out, rows); err != nil {
		return err
	}
	f.explain(explain.DiskUsage(rows))
	return nil
}

// diskUsageRows computes the rows of docker system df from the daemon's
// answer as docker CLI 28 does, so that both print the same figures.
func diskUsageRows(du client.DiskUsageResult) []explain.DiskUsageRow {
	images := explain.DiskUsageRow{Type: explain.DiskUsageImages, Total: len(du.Images.Items), Size: du.Images.TotalSize}
	// What the images in use need, each counted without what it shares:
	// the rest could go with image prune -a.
	var used int64
	for _, img := range du.Images.Items {
		if img.Containers == 0 {
			continue
		}
		images.Active++
		if img.Size != -1 && img.SharedSize != -1 {
			used += img.Size - img.SharedSize
		}
	}
	images.Reclaimable = images.Size - used

	containers := explain.DiskUsageRow{Type: explain.DiskUsageContainers, Total: len(du.Containers.Items)}
	for _, c := range du.Containers.Items {
		containers.Size += c.SizeRw
		if c.State == container.StateRunning || c.State == container.StatePaused || c.State == container.StateRestarting {
			containers.Active++
		} else {
			containers.Reclaimable += c.SizeRw
		}
	}

	volumes := explain.DiskUsageRow{Type: explain.DiskUsageVolumes, Total: len(du.Volumes.Items)}
	for _, v := range du.Volumes.Items {
		if v.UsageData == nil || v.UsageData.Size == -1 {
			continue
		}
		volumes.Size += v.UsageData.Size
		if v.UsageData.RefCount > 0 {
			volumes.Active++
		} else {
			volumes.Reclaimable += v.UsageData.Size
		}
	}

	cache := explain.DiskUsageRow{Type: explain.DiskUsageBuildCache, Total: len(du.BuildCache.Items)}
	return []explain.DiskUsageRow{images, containers, volumes, cache}
}

// diskUsageNames are the TYPE column of docker system df.
var diskUsageNames = map[string]string{
	explain.DiskUsageImages:     "Images",
	explain.DiskUsageContainers: "Containers",
	explain.DiskUsageVolumes:    "Local Volumes",
	explain.DiskUsageBuildCache: "Build Cache",
}

// writeDiskUsage prints the table of docker system df.
func writeDiskUsage(out io.Writer, rows []explain.DiskUsageRow) error {
	tw := tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tTOTAL\tACTIVE\tSIZE\tRECLAIMABLE")
	for _, r := range rows {
		reclaimable := units.HumanSize(float64(r.Reclaimable))
		if r.Size > 0 {
			reclaimable = fmt.Sprintf("%s (%d%%)", reclaimable, r.Reclaimable*100/r.Size)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", diskUsageNames[r.Type], r.Total, r.Active, units.HumanSize(float64(r.Size)), reclaimable)
	}
	return tw.Flush()
}
