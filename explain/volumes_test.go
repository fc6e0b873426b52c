package explain

import (
	"errors"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/volume"
)

var (
	namedVolume = volume.Volume{Name: "datos", Driver: "local", Scope: "local", Mountpoint: "/var/lib/bolsillo/volumes/datos/_data", Labels: map[string]string{}}
	anonVolume  = volume.Volume{Name: strings.Repeat("ab", 32), Driver: "local", Scope: "local", Mountpoint: "/var/lib/bolsillo/volumes/" + strings.Repeat("ab", 32) + "/_data", Labels: map[string]string{anonymousLabel: ""}}
)

func TestVolumeExplanations(t *testing.T) {
	tests := []struct {
		name string
		got  string
	}{
		{"create", VolumeCreate(namedVolume)},
		{"ls-empty", VolumeList(nil)},
		{"ls", VolumeList([]volume.Volume{anonVolume, namedVolume})},
		{"inspect-anonymous", VolumeInspect(anonVolume)},
		{"rm", VolumeRemove("datos")},
		{"prune-none", VolumePrune(nil, 0, false)},
		{"prune-all", VolumePrune([]string{"datos"}, 2048, true)},
		{"in-use", VolumeRemoveError(errors.New("Error response from daemon: remove datos: volume is in use - [" + strings.Repeat("c", 64) + "]"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, tt.got) })
	}
}

func TestVolumeInUseNamesTheContainers(t *testing.T) {
	got := VolumeRemoveError(errors.New("remove datos: volume is in use - [" + strings.Repeat("a", 64) + ", " + strings.Repeat("b", 64) + "]"))
	for _, want := range []string{"`datos`", "`aaaaaaaaaaaa`", "`bbbbbbbbbbbb`", "los contenedores"} {
		if !strings.Contains(got, want) {
			t.Errorf("in-use explanation lacks %q:\n%s", want, got)
		}
	}
	if VolumeRemoveError(errors.New("disk on fire")) != "" {
		t.Error("an unrelated error got a volume explanation")
	}
}

func TestMounts(t *testing.T) {
	c := container.InspectResponse{
		Name: "/vol",
		Mounts: []container.MountPoint{
			{Type: mount.TypeVolume, Name: "datos", Source: namedVolume.Mountpoint, Destination: "/data", RW: true},
			{Type: mount.TypeVolume, Name: anonVolume.Name, Source: anonVolume.Mountpoint, Destination: "/anon", RW: true},
			{Type: mount.TypeBind, Source: "/home/ana/web", Destination: "/src", RW: false},
		},
	}
	assertGolden(t, Mounts(c))
	if Mounts(container.InspectResponse{Name: "/x"}) != "" {
		t.Error("a container without mounts got an explanation")
	}
}
