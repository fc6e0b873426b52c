package cli

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
)

func TestComputeRow(t *testing.T) {
	s := statsJSON{Name: "/web", Read: time.Now()}
	s.CPUStats.CPUUsage.TotalUsage = 3e8
	s.PreCPUStats.CPUUsage.TotalUsage = 1e8
	s.CPUStats.SystemUsage = 2e9
	s.PreCPUStats.SystemUsage = 1e9
	s.CPUStats.OnlineCPUs = 2
	s.MemoryStats = container.MemoryStats{Usage: 10 << 20, Limit: 64 << 20, Stats: map[string]uint64{"total_inactive_file": 2 << 20}}
	s.Networks = map[string]container.NetworkStats{"eth0": {RxBytes: 100, TxBytes: 50}}
	s.BlkioStats.IoServiceBytesRecursive = []container.BlkioStatEntry{{Op: "Read", Value: 7}, {Op: "Write", Value: 3}, {Op: "Total", Value: 10}}
	s.PidsStats.Current = 4
	r := computeRow(s)
	// 0.2 s of CPU over 1 s of the host's time, times 2 CPUs: 40%.
	if r.CPUPercent != 40 || r.MemUsed != 8<<20 || r.MemPercent != 12.5 || r.NetRx != 100 || r.NetTx != 50 ||
		r.BlockRead != 7 || r.BlockWrite != 3 || r.Pids != 4 || r.Name != "web" {
		t.Errorf("computeRow() = %+v", r)
	}
	if r := computeRow(statsJSON{Name: "/parado"}); r.Running {
		t.Error("a stopped container's row is running")
	}
}

// A named container that does not exist ends streaming stats with the
// daemon's error, as in docker, instead of an empty table forever.
func TestStatsStreamMissingContainer(t *testing.T) {
	d := newFakeDaemon(t)
	d.json("GET /containers/fantasma/stats", http.StatusNotFound, map[string]string{"message": "No such container: fantasma"})
	f, out, errOut := testFactory(d.host, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	code := execute(ctx, f, []string{"--explicar=false", "stats", "fantasma"})
	if ctx.Err() != nil {
		t.Fatal("stats of a missing container never ended")
	}
	if code != exitGeneric || !strings.Contains(errOut.String(), "No such container: fantasma") {
		t.Errorf("stats fantasma: exit %d, stderr %q; want exit %d and the daemon's error", code, errOut, exitGeneric)
	}
	if out.Len() != 0 {
		t.Errorf("stats fantasma printed a table:\n%s", out)
	}
}
