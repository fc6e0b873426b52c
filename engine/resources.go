package engine

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine/backend"
	"bolsillo/engine/container"
	"bolsillo/engine/errdefs"
	"bolsillo/engine/runtime"
)

// statsInterval is how often the stats stream samples, as Docker's.
const statsInterval = time.Second

// ContainerStats streams a container's resource usage to out: an object of
// type *backend.Stats while it runs, or *backend.StoppedStats (just name
// and ID) when it does not, as Docker does.
func (e *Engine) ContainerStats(ctx context.Context, ref string, opts backend.StatsOptions, out func(any) error) error {
	var prev *backend.Stats
	skip := !opts.Stream && !opts.OneShot
	tick := time.NewTicker(statsInterval)
	defer tick.Stop()
	for {
		c, s, err := e.containers.Stats(ref)
		if err != nil {
			return err
		}
		if s == nil {
			if prev != nil && opts.Stream {
				return nil // it stopped while streaming
			}
			return out(&backend.StoppedStats{Name: "/" + c.Name, ID: c.ID})
		}
		cur := statsJSON(c, s)
		if prev != nil {
			cur.PreRead = prev.Read
			cur.PreCPUStats = prev.CPUStats
		}
		prev = cur
		if skip {
			skip = false
		} else {
			if err := out(cur); err != nil {
				return err
			}
			if !opts.Stream {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// statsJSON turns a runtime sample into the API's stats object.
func statsJSON(c *container.Container, s *runtime.Stats) *backend.Stats {
	out := &backend.Stats{
		Read:      s.Read,
		Name:      "/" + c.Name,
		ID:        c.ID,
		PidsStats: backend.PidsStats{Current: s.Pids, Limit: s.PidsLimit},
		CPUStats: backend.CPUStats{
			CPUUsage: backend.CPUUsage{
				TotalUsage:        s.CPUTotal,
				PercpuUsage:       s.PerCPU,
				UsageInKernelmode: s.CPUKernel,
				UsageInUsermode:   s.CPUUser,
			},
			SystemUsage: s.SystemCPU,
			OnlineCPUs:  s.OnlineCPUs,
			ThrottlingData: backend.ThrottlingData{
				Periods:          s.Periods,
				ThrottledPeriods: s.ThrottledPeriods,
				ThrottledTime:    s.ThrottledTime,
			},
		},
		MemoryStats: backend.Memory{
			Usage:    s.MemoryUsage,
			MaxUsage: s.MemoryMaxUsage,
			Stats:    s.MemoryStats,
			Failcnt:  s.MemoryFailcnt,
			Limit:    s.MemoryLimit,
		},
		Networks: map[string]backend.NetworkStats{},
	}
	for _, b := range s.Blkio {
		out.BlkioStats.IoServiceBytesRecursive = append(out.BlkioStats.IoServiceBytesRecursive,
			backend.BlkioEntry{Major: b.Major, Minor: b.Minor, Op: b.Op, Value: b.Value})
	}
	for name, n := range s.Networks {
		out.Networks[name] = backend.NetworkStats{
			RxBytes: n.RxBytes, RxPackets: n.RxPackets, RxErrors: n.RxErrors, RxDropped: n.RxDropped,
			TxBytes: n.TxBytes, TxPackets: n.TxPackets, TxErrors: n.TxErrors, TxDropped: n.TxDropped,
		}
	}
	return out
}

// ContainerUpdate changes a container's resource limits (POST
// /containers/{name}/update).
func (e *Engine) ContainerUpdate(ref string, upd apicontainer.UpdateConfig) (apicontainer.UpdateResponse, error) {
	warnings, err := e.containers.Update(ref, upd)
	if err != nil {
		return apicontainer.UpdateResponse{}, err
	}
	e.publishContainer("update", ref, nil)
	return apicontainer.UpdateResponse{Warnings: warnings}, nil
}

// ContainerPause freezes a container.
func (e *Engine) ContainerPause(ref string) error {
	if err := e.containers.Pause(ref); err != nil {
		return err
	}
	e.publishContainer("pause", ref, nil)
	return nil
}

// ContainerUnpause thaws a paused container.
func (e *Engine) ContainerUnpause(ref string) error {
	if err := e.containers.Unpause(ref); err != nil {
		return err
	}
	e.publishContainer("unpause", ref, nil)
	return nil
}

// ContainerTop runs ps on the host (with psArgs, "-ef" by default) and keeps
// the rows of the container's processes, as Docker's top does.
func (e *Engine) ContainerTop(ref, psArgs string) (*backend.TopResult, error) {
	if psArgs == "" {
		psArgs = "-ef"
	}
	pids, err := e.containers.Processes(ref)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("ps", strings.Fields(psArgs)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	output, err := cmd.Output()
	if err != nil {
		return nil, errdefs.InvalidParameter("Error running ps: %s: %s", err, strings.TrimSpace(stderr.String()))
	}
	res, err := parsePS(output, pids)
	if err != nil {
		return nil, err
	}
	e.publishContainer("top", ref, nil)
	return res, nil
}

// parsePS keeps the rows of ps output whose PID is in pids, as moby's
// parsePSOutput: the header gives the titles and the PID column; the last
// column (the command) may contain spaces.
func parsePS(output []byte, pids []int) (*backend.TopResult, error) {
	lines := strings.Split(strings.TrimRight(string(output), "\n"), "\n")
	if len(lines) == 0 || lines[0] == "" {
		return nil, errdefs.InvalidParameter("ps printed nothing")
	}
	titles := strings.Fields(lines[0])
	pidCol := slices.Index(titles, "PID")
	if pidCol < 0 {
		return nil, errdefs.InvalidParameter("Couldn't find PID field in ps output")
	}
	res := &backend.TopResult{Titles: titles, Processes: [][]string{}}
	for _, line := range lines[1:] {
		if line == "" {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) <= pidCol {
			continue
		}
		pid, err := strconv.Atoi(fields[pidCol])
		if err != nil {
			return nil, fmt.Errorf("unexpected pid %q: %w", fields[pidCol], err)
		}
		if !slices.Contains(pids, pid) {
			continue
		}
		// The last column keeps its spaces.
		row := fields
		if len(fields) > len(titles) {
			row = append(slices.Clone(fields[:len(titles)-1]), strings.Join(fields[len(titles)-1:], " "))
		}
		res.Processes = append(res.Processes, row)
	}
	return res, nil
}

// apiStatus is State.Status as the API shows it: "paused" while frozen.
func apiStatus(st container.State) apicontainer.ContainerState {
	if st.Paused && st.Running() {
		return apicontainer.StatePaused
	}
	return apicontainer.ContainerState(st.Status)
}

// pausedSuffix ends the STATUS of docker ps for a paused container.
func pausedSuffix(st container.State) string {
	if st.Paused {
		return " (Paused)"
	}
	return ""
}
