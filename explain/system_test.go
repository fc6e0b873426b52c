package explain

import "testing"

func TestVersion(t *testing.T) {
	f := loadFixtures(t)
	docker := VersionData{
		ClientVersion: "0.1.0", ClientAPIVersion: "1.50", Host: "unix:///var/run/docker.sock",
		ServerName: "Docker Engine - Community", ServerVersion: "28.5.1", ServerAPIVersion: "1.51", ServerMinAPIVersion: "1.24",
		Os: "linux", Arch: "amd64", KernelVersion: "6.8.0-49-generic",
	}
	tests := []struct {
		name string
		v    VersionData
	}{
		{"bolsillod", f.version},
		{"docker_negotiated", docker},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Version(tt.v)) })
	}
}

func TestInfo(t *testing.T) {
	f := loadFixtures(t)
	t.Run("bolsillod", func(t *testing.T) { assertGolden(t, Info(f.info, "unix:///run/bolsillo.sock")) })
}

func TestDiskUsage(t *testing.T) {
	tests := []struct {
		name string
		rows []DiskUsageRow
	}{
		{"in_use", []DiskUsageRow{
			{Type: DiskUsageImages, Total: 3, Active: 1, Size: 6_500_000, Reclaimable: 4_500_000},
			{Type: DiskUsageContainers, Total: 2, Active: 1, Size: 120_000, Reclaimable: 20_000},
			{Type: DiskUsageVolumes, Total: 2, Active: 1, Size: 300_000, Reclaimable: 100_000},
			{Type: DiskUsageBuildCache},
		}},
		{"empty", []DiskUsageRow{
			{Type: DiskUsageImages}, {Type: DiskUsageContainers}, {Type: DiskUsageVolumes}, {Type: DiskUsageBuildCache},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, DiskUsage(tt.rows)) })
	}
}

func TestSystemPrune(t *testing.T) {
	tests := []struct {
		name string
		data SystemPruneData
	}{
		{"nothing", SystemPruneData{}},
		{"dangling_and_containers", SystemPruneData{
			Containers:    []string{"4f2a", "9c1d"},
			ImagesDeleted: []string{"sha256:aa"},
			Reclaimed:     1_500_000,
		}},
		{"all_and_volumes", SystemPruneData{
			All: true, Volumes: true,
			Containers:     []string{"4f2a"},
			VolumesDeleted: []string{"0123abcd"},
			ImagesUntagged: []string{"web:1"},
			ImagesDeleted:  []string{"sha256:aa", "sha256:bb"},
			Reclaimed:      3_000_000,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, SystemPrune(tt.data)) })
	}
}
