package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

const defaultStatsFormat = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

// statsHeader holds docker's column titles.
var statsHeader = map[string]string{
	"ID": "CONTAINER ID", "Container": "CONTAINER", "Name": "NAME", "CPUPerc": "CPU %",
	"MemUsage": "MEM USAGE / LIMIT", "MemPerc": "MEM %", "NetIO": "NET I/O",
	"BlockIO": "BLOCK I/O", "PIDs": "PIDS",
}

type statsOptions struct {
	all      bool
	noStream bool
	noTrunc  bool
	format   string
}

func newStatsCommand(f *factory) *cobra.Command {
	var opts statsOptions
	cmd := &cobra.Command{
		Use:   "stats [OPCIONES] [CONTENEDOR...]",
		Short: "Muestra en vivo el uso de CPU, memoria, red y disco de los contenedores",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStats(cmd.Context(), f, opts, args)
		},
		ValidArgsFunction: completeContainers(f, false),
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.all, "all", "a", false, "Todos los contenedores (por defecto, solo los que corren)")
	fl.BoolVar(&opts.noStream, "no-stream", false, "Una sola medición, sin actualizar")
	fl.BoolVar(&opts.noTrunc, "no-trunc", false, "No acorta los IDs")
	fl.StringVar(&opts.format, "format", "", "Formato: table, json o una plantilla de Go")
	return cmd
}

// statsRow is one line of docker stats, computed with docker's formulas.
type statsRow struct {
	id, name string
	trunc    bool
	data     explain.StatsRow
}

func (r *statsRow) ID() string {
	if r.trunc && len(r.id) > 12 {
		return r.id[:12]
	}
	return r.id
}
func (r *statsRow) Container() string { return r.Name() }
func (r *statsRow) Name() string {
	if r.name == "" {
		return "--"
	}
	return r.name
}
func (r *statsRow) CPUPerc() string {
	if !r.data.Running {
		return "--"
	}
	return fmt.Sprintf("%.2f%%", r.data.CPUPercent)
}
func (r *statsRow) MemUsage() string {
	if !r.data.Running {
		return "-- / --"
	}
	return units.BytesSize(float64(r.data.MemUsed)) + " / " + units.BytesSize(float64(r.data.MemLimit))
}
func (r *statsRow) MemPerc() string {
	if !r.data.Running {
		return "--"
	}
	return fmt.Sprintf("%.2f%%", r.data.MemPercent)
}
func (r *statsRow) NetIO() string {
	if !r.data.Running {
		return "--"
	}
	return units.HumanSizeWithPrecision(float64(r.data.NetRx), 3) + " / " + units.HumanSizeWithPrecision(float64(r.data.NetTx), 3)
}
func (r *statsRow) BlockIO() string {
	if !r.data.Running {
		return "--"
	}
	return units.HumanSizeWithPrecision(float64(r.data.BlockRead), 3) + " / " + units.HumanSizeWithPrecision(float64(r.data.BlockWrite), 3)
}
func (r *statsRow) PIDs() string {
	if !r.data.Running {
		return "--"
	}
	return fmt.Sprint(r.data.Pids)
}

// statsJSON is the subset of the stats object the columns need.
type statsJSON struct {
	Name        string                            `json:"name"`
	ID          string                            `json:"id"`
	Read        time.Time                         `json:"read"`
	CPUStats    container.CPUStats                `json:"cpu_stats"`
	PreCPUStats container.CPUStats                `json:"precpu_stats"`
	MemoryStats container.MemoryStats             `json:"memory_stats"`
	BlkioStats  container.BlkioStats              `json:"blkio_stats"`
	PidsStats   container.PidsStats               `json:"pids_stats"`
	Networks    map[string]container.NetworkStats `json:"networks"`
}

// computeRow applies the docker CLI's formulas (stats_helpers.go).
func computeRow(s statsJSON) explain.StatsRow {
	row := explain.StatsRow{Name: strings.TrimPrefix(s.Name, "/"), Running: !s.Read.IsZero()}
	if !row.Running {
		return row
	}
	online := s.CPUStats.OnlineCPUs
	if online == 0 {
		online = uint32(len(s.CPUStats.CPUUsage.PercpuUsage))
	}
	row.OnlineCPUs = online
	cpuDelta := float64(s.CPUStats.CPUUsage.TotalUsage) - float64(s.PreCPUStats.CPUUsage.TotalUsage)
	sysDelta := float64(s.CPUStats.SystemUsage) - float64(s.PreCPUStats.SystemUsage)
	if cpuDelta > 0 && sysDelta > 0 {
		row.CPUPercent = cpuDelta / sysDelta * float64(online) * 100
	}
	used := s.MemoryStats.Usage
	inactive, ok := s.MemoryStats.Stats["total_inactive_file"]
	if !ok {
		inactive = s.MemoryStats.Stats["inactive_file"]
	}
	if inactive < used {
		used -= inactive
	}
	row.MemUsed, row.MemLimit = used, s.MemoryStats.Limit
	if row.MemLimit > 0 {
		row.MemPercent = float64(used) / float64(row.MemLimit) * 100
	}
	for _, n := range s.Networks {
		row.NetRx += n.RxBytes
		row.NetTx += n.TxBytes
	}
	for _, b := range s.BlkioStats.IoServiceBytesRecursive {
		switch {
		case strings.HasPrefix(strings.ToLower(b.Op), "r"):
			row.BlockRead += b.Value
		case strings.HasPrefix(strings.ToLower(b.Op), "w"):
			row.BlockWrite += b.Value
		}
	}
	row.Pids = s.PidsStats.Current
	return row
}

func runStats(ctx context.Context, f *factory, opts statsOptions, names []string) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	format := opts.format
	if format == "" || format == "table" {
		format = defaultStatsFormat
	}
	lw := listWriter{format: format, header: statsHeader}
	if _, err := lw.template(); err != nil {
		return invalidFlag("La plantilla de `--format` no es válida.", err)
	}
	if opts.noStream {
		rows, err := sampleOnce(ctx, api, names, opts)
		if err != nil {
			return err
		}
		if err := lw.write(f.Out, rows); err != nil {
			return err
		}
		f.explain(explain.Stats(explainRows(rows)))
		return nil
	}
	return streamStats(ctx, f, api, lw, names, opts)
}

// targets are the containers to measure: the named ones, or those running
// (all with -a).
func targets(ctx context.Context, api client.APIClient, names []string, all bool) ([]string, error) {
	if len(names) > 0 {
		return names, nil
	}
	res, err := api.ContainerList(ctx, client.ContainerListOptions{All: all})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, c := range res.Items {
		ids = append(ids, c.ID)
	}
	return ids, nil
}

// sampleOnce reads one stats object per container, concurrently.
func sampleOnce(ctx context.Context, api client.APIClient, names []string, opts statsOptions) ([]any, error) {
	ids, err := targets(ctx, api, names, opts.all)
	if err != nil {
		return nil, err
	}
	rows := make([]any, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := api.ContainerStats(ctx, id, client.ContainerStatsOptions{IncludePreviousSample: true})
			if err != nil {
				errs[i] = err
				return
			}
			defer res.Body.Close()
			var s statsJSON
			if err := json.NewDecoder(res.Body).Decode(&s); err != nil {
				errs[i] = err
				return
			}
			rows[i] = &statsRow{id: s.ID, name: strings.TrimPrefix(s.Name, "/"), trunc: !opts.noTrunc, data: computeRow(s)}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// streamStats refreshes the table every second until interrupted: on a
// terminal it redraws the screen, otherwise it prints one table per second.
func streamStats(ctx context.Context, f *factory, api client.APIClient, lw listWriter, names []string, opts statsOptions) error {
	_, isTTY := isTerminal(f.Out)
	var mu sync.Mutex
	latest := map[string]*statsRow{}
	watching := map[string]bool{}
	var order []string
	// Named containers are opened before the first table: one that does not
	// exist, or cannot be measured, is an error, as in docker. Containers
	// found running later are watched as they come, and one that fails is
	// left out.
	opened := map[string]client.ContainerStatsResult{}
	if len(names) > 0 {
		var errs []error
		for _, name := range names {
			res, err := api.ContainerStats(ctx, name, client.ContainerStatsOptions{Stream: true})
			if err != nil {
				errs = append(errs, err)
				continue
			}
			opened[name] = res
		}
		if err := errors.Join(errs...); err != nil {
			for _, res := range opened {
				res.Body.Close()
			}
			return err
		}
	}
	watch := func(id string) {
		if watching[id] {
			return
		}
		watching[id] = true
		order = append(order, id)
		res, ok := opened[id]
		delete(opened, id)
		go func() {
			if !ok {
				var err error
				if res, err = api.ContainerStats(ctx, id, client.ContainerStatsOptions{Stream: true}); err != nil {
					return
				}
			}
			defer res.Body.Close()
			dec := json.NewDecoder(res.Body)
			for {
				var s statsJSON
				if err := dec.Decode(&s); err != nil {
					if err != io.EOF {
						return
					}
					mu.Lock()
					if r := latest[id]; r != nil {
						r.data.Running = false
					}
					mu.Unlock()
					return
				}
				mu.Lock()
				latest[id] = &statsRow{id: s.ID, name: strings.TrimPrefix(s.Name, "/"), trunc: !opts.noTrunc, data: computeRow(s)}
				mu.Unlock()
			}
		}()
	}
	explained := false
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		ids, err := targets(ctx, api, names, opts.all)
		if err != nil {
			return err
		}
		mu.Lock()
		for _, id := range ids {
			watch(id)
		}
		var rows []any
		for _, id := range order {
			if r := latest[id]; r != nil {
				rows = append(rows, r)
			}
		}
		mu.Unlock()
		var buf bytes.Buffer
		if isTTY {
			buf.WriteString("\033[2J\033[H")
		}
		if err := lw.write(&buf, rows); err != nil {
			return err
		}
		if _, err := buf.WriteTo(f.Out); err != nil {
			return err
		}
		if !explained && len(rows) > 0 {
			// Once, on the first full table: the screen redraws every second.
			f.explain(explain.Stats(explainRows(rows)))
			explained = true
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func explainRows(rows []any) []explain.StatsRow {
	out := make([]explain.StatsRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.(*statsRow).data)
	}
	return out
}
