package volume

import (
	"testing"

	"github.com/moby/moby/api/types/mount"
)

func TestParseBind(t *testing.T) {
	tests := []struct {
		bind    string
		want    Spec
		wantErr string
	}{
		{bind: "datos:/data", want: Spec{Type: mount.TypeVolume, Source: "datos", Destination: "/data", Mode: "z"}},
		{bind: "datos:/data/:ro", want: Spec{Type: mount.TypeVolume, Source: "datos", Destination: "/data", ReadOnly: true, Mode: "ro"}},
		{bind: "/tmp/web/:/www", want: Spec{Type: mount.TypeBind, Source: "/tmp/web", Destination: "/www", CreateSource: true}},
		{bind: "/tmp/web:/www:ro", want: Spec{Type: mount.TypeBind, Source: "/tmp/web", Destination: "/www", ReadOnly: true, Mode: "ro", CreateSource: true}},
		{bind: "/tmp/web:/www:rw,z", want: Spec{Type: mount.TypeBind, Source: "/tmp/web", Destination: "/www", Mode: "rw,z", CreateSource: true}},
		{bind: "datos:/data:nocopy", want: Spec{Type: mount.TypeVolume, Source: "datos", Destination: "/data", Mode: "nocopy", NoCopy: true}},
		{bind: "web/html:/www", wantErr: `create web/html: "web/html" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`},
		{bind: "d:/data", wantErr: "create d: volume name is too short, names should be at least two alphanumeric characters"},
		{bind: "datos:data", wantErr: `invalid volume specification: 'datos:data': invalid mount config for type "volume": invalid mount path: 'data' mount path must be absolute`},
		{bind: "/tmp:/", wantErr: `invalid volume specification: '/tmp:/': invalid specification: destination can't be '/'`},
		{bind: "/tmp:/x:rx", wantErr: "invalid mode: rx"},
		{bind: "datos", wantErr: "invalid volume specification: 'datos'"},
		{bind: "a:/b:ro:x", wantErr: "invalid volume specification: 'a:/b:ro:x'"},
	}
	for _, tt := range tests {
		got, err := ParseBind(tt.bind)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseBind(%q) error = %v, want %q", tt.bind, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseBind(%q) = %+v, %v; want %+v", tt.bind, got, err, tt.want)
		}
	}
}

func TestParseMount(t *testing.T) {
	tests := []struct {
		m       mount.Mount
		want    Spec
		wantErr string
	}{
		{m: mount.Mount{Type: mount.TypeVolume, Source: "datos", Target: "/data"}, want: Spec{Type: mount.TypeVolume, Source: "datos", Destination: "/data"}},
		{m: mount.Mount{Type: mount.TypeVolume, Target: "/data", VolumeOptions: &mount.VolumeOptions{NoCopy: true}}, want: Spec{Type: mount.TypeVolume, Destination: "/data", NoCopy: true}},
		{m: mount.Mount{Type: mount.TypeBind, Source: "/srv/", Target: "/src", ReadOnly: true}, want: Spec{Type: mount.TypeBind, Source: "/srv", Destination: "/src", ReadOnly: true}},
		{m: mount.Mount{Type: mount.TypeBind, Source: "srv", Target: "/src"}, wantErr: `invalid mount config for type "bind": invalid mount path: 'srv' mount path must be absolute`},
		{m: mount.Mount{Type: mount.TypeBind, Target: "/src"}, wantErr: `invalid mount config for type "bind": field Source must not be empty`},
		{m: mount.Mount{Type: mount.TypeVolume, Source: "datos"}, wantErr: `invalid mount config for type "volume": field Target must not be empty`},
		{m: mount.Mount{Type: mount.TypeTmpfs, Target: "/t"}, wantErr: `mount type unknown: "tmpfs"`},
		{m: mount.Mount{Type: mount.TypeVolume, Source: "x", Target: "/data"}, wantErr: "create x: volume name is too short, names should be at least two alphanumeric characters"},
		{m: mount.Mount{Type: mount.TypeVolume, Source: "web/html", Target: "/data"}, wantErr: `create web/html: "web/html" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`},
	}
	for _, tt := range tests {
		got, err := ParseMount(tt.m)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseMount(%+v) error = %v, want %q", tt.m, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseMount(%+v) = %+v, %v; want %+v", tt.m, got, err, tt.want)
		}
	}
}
