package cli

import (
	"context"
	"fmt"
	"io"
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
	cmd.AddCommand(df, newInfoCommand(f))
	return cmd
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
