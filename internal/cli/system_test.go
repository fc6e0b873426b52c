package cli

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/volume"
	"github.com/moby/moby/client"

	"bolsillo/explain"
)

// The figures are docker CLI 28's: images in use keep only what is theirs
// alone, paused containers are active, a volume with no usage data counts
// for nothing.
func TestDiskUsageRows(t *testing.T) {
	du := client.DiskUsageResult{
		Images: client.ImagesDiskUsage{TotalSize: 1000, Items: []image.Summary{
			{Size: 600, SharedSize: 400, Containers: 2}, // 200 its own, in use
			{Size: 500, SharedSize: 400, Containers: 0},
			{Size: -1, SharedSize: -1, Containers: 1},
		}},
		Containers: client.ContainersDiskUsage{Items: []container.Summary{
			{State: container.StateRunning, SizeRw: 10},
			{State: container.StatePaused, SizeRw: 20},
			{State: container.StateExited, SizeRw: 30},
			{State: container.StateCreated, SizeRw: 40},
		}},
		Volumes: client.VolumesDiskUsage{Items: []volume.Volume{
			{UsageData: &volume.UsageData{Size: 100, RefCount: 1}},
			{UsageData: &volume.UsageData{Size: 50, RefCount: 0}},
			{UsageData: &volume.UsageData{Size: -1, RefCount: 0}},
			{},
		}},
	}
	want := []explain.DiskUsageRow{
		{Type: explain.DiskUsageImages, Total: 3, Active: 2, Size: 1000, Reclaimable: 800},
		{Type: explain.DiskUsageContainers, Total: 4, Active: 2, Size: 100, Reclaimable: 70},
		{Type: explain.DiskUsageVolumes, Total: 4, Active: 1, Size: 150, Reclaimable: 50},
		{Type: explain.DiskUsageBuildCache},
	}
	got := diskUsageRows(du)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diskUsageRows =\n%+v\nwant\n%+v", got, want)
	}
	var out bytes.Buffer
	if err := writeDiskUsage(&out, got); err != nil {
		t.Fatal(err)
	}
	const table = `TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE
Images          3         2         1kB       800B (80%)
Containers      4         2         100B      70B (70%)
Local Volumes   4         1         150B      50B (33%)
Build Cache     0         0         0B        0B
`
	if out.String() != table {
		t.Errorf("table =\n%s\nwant\n%s", out.String(), table)
	}
}

// docker's question, word for word, for each combination of flags.
func TestSystemPruneWarning(t *testing.T) {
	tests := []struct {
		opts systemPruneOptions
		want string
	}{
		{systemPruneOptions{}, `WARNING! This will remove:
  - all stopped containers
  - all networks not used by at least one container
  - all dangling images
  - unused build cache

Are you sure you want to continue?`},
		{systemPruneOptions{all: true, volumes: true, filters: []string{"until=24h"}}, `WARNING! This will remove:
  - all stopped containers
  - all networks not used by at least one container
  - all anonymous volumes not used by at least one container
  - all images without at least one container associated to them
  - all build cache

  Items to be pruned will be filtered with:
  - until=24h

Are you sure you want to continue?`},
	}
	for _, tt := range tests {
		if got := systemPruneWarning(tt.opts); got != tt.want {
			t.Errorf("systemPruneWarning(%+v) =\n%s\nwant\n%s", tt.opts, got, tt.want)
		}
	}
}

// As docker: until cannot filter volumes, and nothing is asked or removed.
func TestSystemPruneUntilWithVolumes(t *testing.T) {
	f, out, errOut := testFactory("unix:///nada.sock", nil)
	code := execute(t.Context(), f, []string{"system", "prune", "--volumes", "--filter", "until=24h"})
	if code != exitGeneric || !strings.Contains(errOut.String(), `The "until" filter is not supported with "--volumes"`) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if out.Len() != 0 {
		t.Errorf("it asked or printed: %q", out)
	}
}
