package container

import (
	"slices"
	"testing"

	"github.com/moby/moby/api/types/container"

	"bolsillo/engine/errdefs"
	"bolsillo/engine/runtime"
)

func TestValidateSecurity(t *testing.T) {
	tests := []struct {
		name    string
		hc      container.HostConfig
		wantErr bool
		want    runtime.Security
	}{
		{name: "empty"},
		{
			name: "capabilities normalized",
			hc:   container.HostConfig{CapAdd: []string{"sys_admin"}, CapDrop: []string{"all", "CAP_NET_RAW"}},
			want: runtime.Security{CapAdd: []string{"CAP_SYS_ADMIN"}, CapDrop: []string{"ALL", "CAP_NET_RAW"}},
		},
		{name: "unknown capability", hc: container.HostConfig{CapAdd: []string{"volar"}}, wantErr: true},
		{name: "privileged", hc: container.HostConfig{Privileged: true}, want: runtime.Security{Privileged: true}},
		{name: "no-new-privileges", hc: container.HostConfig{SecurityOpt: []string{"no-new-privileges"}}, want: runtime.Security{NoNewPrivileges: true}},
		{name: "no-new-privileges=true", hc: container.HostConfig{SecurityOpt: []string{"no-new-privileges=true"}}, want: runtime.Security{NoNewPrivileges: true}},
		{name: "no-new-privileges:false", hc: container.HostConfig{SecurityOpt: []string{"no-new-privileges:false"}}},
		{name: "no-new-privileges=quizá", hc: container.HostConfig{SecurityOpt: []string{"no-new-privileges=quizá"}}, wantErr: true},
		{name: "seccomp unconfined", hc: container.HostConfig{SecurityOpt: []string{"seccomp=unconfined"}}, want: runtime.Security{Seccomp: runtime.SeccompUnconfined}},
		{name: "seccomp:unconfined", hc: container.HostConfig{SecurityOpt: []string{"seccomp:unconfined"}}, want: runtime.Security{Seccomp: runtime.SeccompUnconfined}},
		{name: "seccomp bad profile", hc: container.HostConfig{SecurityOpt: []string{"seccomp={"}}, wantErr: true},
		{name: "apparmor ignored", hc: container.HostConfig{SecurityOpt: []string{"apparmor=unconfined", "label=disable"}}},
		{name: "unknown option", hc: container.HostConfig{SecurityOpt: []string{"volar"}}, wantErr: true},
		{name: "unknown key", hc: container.HostConfig{SecurityOpt: []string{"volar=alto"}}, wantErr: true},
	}
	if runtime.SeccompEnabled {
		profile := `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}`
		tests = append(tests, struct {
			name    string
			hc      container.HostConfig
			wantErr bool
			want    runtime.Security
		}{name: "seccomp profile", hc: container.HostConfig{SecurityOpt: []string{"seccomp=" + profile}}, want: runtime.Security{Seccomp: profile}})
	}
	for _, tt := range tests {
		hc := tt.hc
		err := validateSecurity(&hc)
		if tt.wantErr {
			if err == nil || errdefs.KindOf(err) != errdefs.KindInvalidParameter {
				t.Errorf("%s: validateSecurity() error = %v, want an invalid parameter", tt.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: validateSecurity() error = %v", tt.name, err)
			continue
		}
		got := securityOf(&hc)
		if got.Privileged != tt.want.Privileged || got.NoNewPrivileges != tt.want.NoNewPrivileges || got.Seccomp != tt.want.Seccomp ||
			!slices.Equal(got.CapAdd, tt.want.CapAdd) || !slices.Equal(got.CapDrop, tt.want.CapDrop) {
			t.Errorf("%s: securityOf() = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
