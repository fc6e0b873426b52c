package image

import (
	"strings"
	"testing"

	"bolsillo/engine/errdefs"
)

func TestNormalizeRef(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	tests := []struct {
		ref      string
		want     string
		familiar string
	}{
		{"busybox", "docker.io/library/busybox:latest", "busybox:latest"},
		{"busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"},
		{"library/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
		{"docker.io/library/busybox:latest", "docker.io/library/busybox:latest", "busybox:latest"},
		{"index.docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
		{"mi-usuario/mi-imagen:1.0", "docker.io/mi-usuario/mi-imagen:1.0", "mi-usuario/mi-imagen:1.0"},
		{"localhost:5000/x:y", "localhost:5000/x:y", "localhost:5000/x:y"},
		{"localhost/x", "localhost/x:latest", "localhost/x:latest"},
		{"ghcr.io/org/app", "ghcr.io/org/app:latest", "ghcr.io/org/app:latest"},
		{"busybox@" + digest, "docker.io/library/busybox@" + digest, "busybox@" + digest},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := NormalizeRef(tt.ref)
			if err != nil {
				t.Fatalf("NormalizeRef(%q): %v", tt.ref, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeRef(%q) = %q, want %q", tt.ref, got, tt.want)
			}
			if f := FamiliarRef(got); f != tt.familiar {
				t.Errorf("FamiliarRef(%q) = %q, want %q", got, f, tt.familiar)
			}
		})
	}
}

func TestNormalizeRefErrors(t *testing.T) {
	tests := []struct {
		ref     string
		wantErr string
	}{
		{"", "invalid reference format"},
		{"Busybox", "invalid reference format: repository name (library/Busybox) must be lowercase"},
		{"busybox:", "invalid reference format"},
		{"busy box", "invalid reference format"},
		{"busybox:la test", "invalid reference format"},
		{":tag", "invalid reference format"},
		{strings.Repeat("ab", 32), "cannot specify 64-byte hexadecimal strings"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := NormalizeRef(tt.ref)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NormalizeRef(%q) = %q, %v; want an error containing %q", tt.ref, got, err, tt.wantErr)
			}
			if !errdefs.IsInvalidParameter(err) {
				t.Errorf("NormalizeRef(%q) error is not an invalid parameter", tt.ref)
			}
		})
	}
}

func TestFamiliarRefInvalid(t *testing.T) {
	if got := FamiliarRef("No Es Válida"); got != "No Es Válida" {
		t.Errorf("FamiliarRef of an invalid reference = %q, want it unchanged", got)
	}
}
