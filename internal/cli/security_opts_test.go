package cli

import (
	"errors"
	"reflect"
	"testing"

	"github.com/moby/moby/api/types/container"
)

func TestParseContainerFlagsSecurity(t *testing.T) {
	tests := []struct {
		name  string
		argv  []string
		files map[string]string
		want  *container.HostConfig
	}{
		{
			name: "privileged and read-only",
			argv: []string{"--privileged", "--read-only", "busybox"},
			want: &container.HostConfig{NetworkMode: "default", Privileged: true, ReadonlyRootfs: true},
		},
		{
			name: "capabilities as typed",
			argv: []string{"--cap-add", "SYS_TIME", "--cap-drop", "net_raw", "--cap-drop", "ALL", "busybox"},
			want: &container.HostConfig{NetworkMode: "default", CapAdd: []string{"SYS_TIME"}, CapDrop: []string{"net_raw", "ALL"}},
		},
		{
			name: "security options pass through",
			argv: []string{"--security-opt", "no-new-privileges", "--security-opt", "seccomp=unconfined", "busybox"},
			want: &container.HostConfig{NetworkMode: "default", SecurityOpt: []string{"no-new-privileges", "seccomp=unconfined"}},
		},
		{
			name:  "seccomp profile sent as compact JSON",
			argv:  []string{"--security-opt", "seccomp=perfil.json", "busybox"},
			files: map[string]string{"perfil.json": "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\"\n}\n"},
			want:  &container.HostConfig{NetworkMode: "default", SecurityOpt: []string{`seccomp={"defaultAction":"SCMP_ACT_ALLOW"}`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := parseRunArgs(tt.argv, nil, tt.files)
			if err != nil {
				t.Fatalf("parse(%q) error = %v", tt.argv, err)
			}
			if !reflect.DeepEqual(spec.HostConfig, tt.want) {
				t.Errorf("parse(%q) HostConfig = %+v, want %+v", tt.argv, spec.HostConfig, tt.want)
			}
		})
	}
}

func TestParseContainerFlagsSecurityErrors(t *testing.T) {
	tests := []struct {
		name  string
		argv  []string
		files map[string]string
	}{
		{"missing seccomp profile", []string{"--security-opt", "seccomp=nope.json", "busybox"}, nil},
		{"seccomp profile not JSON", []string{"--security-opt", "seccomp:malo.json", "busybox"}, map[string]string{"malo.json": "{defaultAction"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := parseRunArgs(tt.argv, nil, tt.files)
			var fe flagError
			if !errors.As(err, &fe) {
				t.Errorf("parse(%q) = %+v, %v; want a flag error", tt.argv, spec, err)
			}
		})
	}
}
