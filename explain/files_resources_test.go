package explain

import (
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
)

func TestCopy(t *testing.T) {
	f := loadFixtures(t)
	tests := []struct {
		name string
		c    container.InspectResponse
		r    CopyResult
	}{
		{"into_running", f.running, CopyResult{Container: "web", ToContainer: true, Source: "index.html", Destination: "web:/www/", ContainerPath: "/www", Name: "index.html", Bytes: 3072}},
		{"out_of_stopped", f.exited, CopyResult{Container: "saludo", Source: "saludo:/etc/passwd", Destination: "./passwd", ContainerPath: "/etc/passwd", Bytes: 2048}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Copy(tt.c, tt.r)) })
	}
}

func TestDiff(t *testing.T) {
	f := loadFixtures(t)
	changes := []container.FilesystemChange{
		{Kind: container.ChangeModify, Path: "/etc"},
		{Kind: container.ChangeAdd, Path: "/etc/nuevo.conf"},
		{Kind: container.ChangeDelete, Path: "/tmp/viejo"},
	}
	t.Run("three_kinds", func(t *testing.T) { assertGolden(t, Diff(f.running, changes)) })
	t.Run("none", func(t *testing.T) { assertGolden(t, Diff(f.running, nil)) })
}

func TestCommit(t *testing.T) {
	f := loadFixtures(t)
	hist := []image.HistoryResponseItem{
		{ID: f.app.ID, CreatedBy: "httpd -f -p 8080", Size: 4096, Comment: "con index"},
		{ID: "<missing>", CreatedBy: "/bin/sh -c #(nop)  CMD [\"sh\"]", Size: 0},
	}
	old := f.busybox
	t.Run("with_change", func(t *testing.T) {
		assertGolden(t, Commit(CommitData{Container: f.running, Image: f.app, History: hist, Reference: "web:2", Changes: []string{`CMD ["httpd","-f","-p","80","-h","/www"]`}}))
	})
	t.Run("left_dangling", func(t *testing.T) {
		assertGolden(t, Commit(CommitData{Container: f.running, Image: f.app, History: hist, Reference: "web:2", Dangling: &old}))
	})
}

func TestResources(t *testing.T) {
	f := loadFixtures(t)
	files := []CgroupFile{
		{Path: "/sys/fs/cgroup/memory/bolsillo-1a2b3c4d5e6f/" + f.running.ID + "/memory.limit_in_bytes", Value: "67108864"},
		{Path: "/sys/fs/cgroup/cpuset/bolsillo-1a2b3c4d5e6f/" + f.running.ID + "/cpuset.cpus", Value: "0-1"},
	}
	t.Run("update", func(t *testing.T) { assertGolden(t, Update(f.running, files)) })
	t.Run("limits", func(t *testing.T) { assertGolden(t, Limits(f.running, files)) })
	oom := withState(f.running, container.State{Status: container.StateExited, ExitCode: 137, OOMKilled: true})
	t.Run("oom", func(t *testing.T) { assertGolden(t, OOM(oom)) })
	t.Run("stats", func(t *testing.T) {
		assertGolden(t, Stats([]StatsRow{{Name: "web", Running: true, CPUPercent: 12.5, OnlineCPUs: 2, MemUsed: 3 << 20, MemLimit: 64 << 20, MemPercent: 4.69, NetRx: 1234, NetTx: 567, BlockRead: 4096, Pids: 3}}))
	})
	t.Run("top", func(t *testing.T) { assertGolden(t, Top(f.running, 2)) })
	t.Run("pause", func(t *testing.T) { assertGolden(t, Pause(f.running, true)) })
	t.Run("unpause", func(t *testing.T) { assertGolden(t, Pause(f.running, false)) })
}
