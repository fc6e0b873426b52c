package engine

import (
	"reflect"
	"testing"

	apicontainer "github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"

	"bolsillo/engine/volume"
)

func TestMountSpecs(t *testing.T) {
	tests := []struct {
		name    string
		hc      apicontainer.HostConfig
		cfg     apicontainer.Config
		image   map[string]struct{}
		want    []volume.Spec
		wantErr string
	}{
		{
			name:  "binds, mounts, then anonymous volumes where nothing else is",
			hc:    apicontainer.HostConfig{Binds: []string{"datos:/data", "/srv:/src:ro"}, Mounts: []mount.Mount{{Type: mount.TypeVolume, Target: "/m"}}},
			cfg:   apicontainer.Config{Volumes: map[string]struct{}{"/cache": {}}},
			image: map[string]struct{}{"/data": {}, "/var/lib/app": {}},
			want: []volume.Spec{
				{Type: mount.TypeVolume, Source: "datos", Destination: "/data", Mode: "z"},
				{Type: mount.TypeBind, Source: "/srv", Destination: "/src", ReadOnly: true, Mode: "ro", CreateSource: true},
				{Type: mount.TypeVolume, Destination: "/m"},
				{Type: mount.TypeVolume, Destination: "/cache"},
				{Type: mount.TypeVolume, Destination: "/var/lib/app"},
			},
		},
		{
			name:    "two mounts on one path",
			hc:      apicontainer.HostConfig{Binds: []string{"aa:/data"}, Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: "bb", Target: "/data/"}}},
			wantErr: "Duplicate mount point: /data",
		},
		{
			name:    "a relative VOLUME",
			cfg:     apicontainer.Config{Volumes: map[string]struct{}{"data": {}}},
			wantErr: `invalid mount config for type "volume": invalid mount path: 'data' mount path must be absolute`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mountSpecs(&tt.hc, &tt.cfg, tt.image)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("mountSpecs = %+v, %v\nwant %+v", got, err, tt.want)
			}
		})
	}
}
