package explain

import (
	"testing"
	"time"
)

// busyboxDigest is the manifest digest the pull and push tests report.
const busyboxDigest = "sha256:e3652a00a2fabd16ce889f0aa32c38eec347b997e73bd09e69c962ec7f8732ee"

// pulledLayers is a three-layer pull where the base layer was already on
// the host.
var pulledLayers = []LayerProgress{
	{ID: "a1b2c3d4e5f6", Status: "Already exists"},
	{ID: "0b9ad3ac8f21", Status: "Pull complete", Size: 1572864},
	{ID: "7c4e1f0d2a33", Status: "Pull complete", Size: 32768},
}

func TestPull(t *testing.T) {
	f := loadFixtures(t)
	old := f.busybox
	old.ID = "sha256:4ca2d821beb2180774b4d96011ad6855c4e75d3e628c413c5a8751a6d7cff082"
	old.RepoTags = nil
	tests := []struct {
		name string
		data PullData
	}{
		{"official_default_tag", PullData{Ref: "busybox", Image: f.busybox, Digest: busyboxDigest,
			Layers: []LayerProgress{{ID: "6445239817336", Status: "Pull complete", Size: 1048576}}}},
		{"shared_layers_left_dangling", PullData{Ref: "localhost:5000/web:1", Image: f.app, Digest: busyboxDigest, Layers: pulledLayers, Dangling: &old}},
		{"up_to_date", PullData{Ref: "busybox:latest", Image: f.busybox, Digest: busyboxDigest, UpToDate: true}},
		{"by_digest", PullData{Ref: "busybox@" + busyboxDigest, Image: f.busybox, Digest: busyboxDigest,
			Layers: []LayerProgress{{ID: "6445239817336", Status: "Pull complete"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Pull(tt.data)) })
	}
}

func TestPush(t *testing.T) {
	f := loadFixtures(t)
	tests := []struct {
		name string
		data PushData
	}{
		{"classroom_registry", PushData{Ref: "localhost:5000/mio/web:1", Image: f.app, Digest: busyboxDigest, Size: 734,
			Layers: []LayerProgress{{ID: "8a1cee436cba", Status: "Pushed", Size: 32768}, {ID: "2804bad6fe94", Status: "Pushed"}, {ID: "644523981733", Status: "Layer already exists"}}}},
		{"docker_hub", PushData{Ref: "ana/busybox:1.0", Image: f.busybox, Digest: busyboxDigest, Size: 527,
			Layers: []LayerProgress{{ID: "644523981733", Status: "Mounted from library/busybox"}}}},
		{"lan_registry", PushData{Ref: "192.168.1.10:5000/busybox", Image: f.busybox, Digest: busyboxDigest, Size: 527,
			Layers: []LayerProgress{{ID: "644523981733", Status: "Pushed", Size: 1048576}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Push(tt.data)) })
	}
}

func TestLogin(t *testing.T) {
	tests := []struct {
		name, server, user, stored string
	}{
		{"classroom_file", "localhost:5000", "ana", "/root/.docker/config.json"},
		{"docker_hub_helper", "https://index.docker.io/v1/", "ana", "pass"},
		{"nothing_stored", "registro.aula:5000", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Login(tt.server, tt.user, tt.stored)) })
	}
}

func TestRegistryServe(t *testing.T) {
	tests := []struct {
		name, addr, root string
	}{
		{"all_interfaces", "0.0.0.0:5000", "/srv/aula"},
		{"localhost_only", "127.0.0.1:5001", "/tmp/registro"},
		{"named_host", "profe.aula:5000", "/srv/aula"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, RegistryServe(tt.addr, tt.root)) })
	}
}

func TestParseImageName(t *testing.T) {
	tests := []struct {
		in                         string
		full, familiar, repo, tag  string
		domain, path, digest       string
		implied, official, invalid bool
	}{
		{in: "busybox", full: "docker.io/library/busybox:latest", familiar: "busybox:latest", repo: "busybox", tag: "latest",
			domain: "docker.io", path: "library/busybox", implied: true, official: true},
		{in: "ana/web:1.0", full: "docker.io/ana/web:1.0", familiar: "ana/web:1.0", repo: "ana/web", tag: "1.0",
			domain: "docker.io", path: "ana/web"},
		{in: "localhost:5000/web", full: "localhost:5000/web:latest", familiar: "localhost:5000/web:latest", repo: "localhost:5000/web", tag: "latest",
			domain: "localhost:5000", path: "web", implied: true},
		{in: "busybox@" + busyboxDigest, full: "docker.io/library/busybox@" + busyboxDigest, familiar: "busybox@" + busyboxDigest, repo: "busybox",
			domain: "docker.io", path: "library/busybox", digest: busyboxDigest, official: true},
		{in: "Busybox:Latest", invalid: true},
		{in: "a:b:c", invalid: true},
		{in: "", invalid: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, ok := parseImageName(tt.in)
			if ok == tt.invalid {
				t.Fatalf("parseImageName(%q) ok = %v, want %v", tt.in, ok, !tt.invalid)
			}
			if !ok {
				return
			}
			got := []string{n.Full, n.Familiar, n.Repo, n.Tag, n.Domain, n.Path, n.Digest}
			want := []string{tt.full, tt.familiar, tt.repo, tt.tag, tt.domain, tt.path, tt.digest}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("parseImageName(%q) field %d = %q, want %q", tt.in, i, got[i], want[i])
				}
			}
			if n.TagImplied != tt.implied || n.isOfficial() != tt.official {
				t.Errorf("parseImageName(%q) implied, official = %v, %v, want %v, %v", tt.in, n.TagImplied, n.isOfficial(), tt.implied, tt.official)
			}
		})
	}
}

func TestLocalOnly(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"localhost:5000", true},
		{"127.0.0.1:5000", true},
		{"[::1]:5000", true},
		{"localhost", true},
		{"0.0.0.0:5000", false},
		{"192.168.1.10:5000", false},
		{"docker.io", false},
	}
	for _, tt := range tests {
		if got := localOnly(tt.in); got != tt.want {
			t.Errorf("localOnly(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestAgo(t *testing.T) {
	now := time.Date(2025, 11, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		before time.Duration
		want   string
	}{
		{0, "hace menos de un segundo"},
		{time.Second, "hace 1 segundo"},
		{42 * time.Second, "hace 42 segundos"},
		{90 * time.Second, "hace un minuto"},
		{3 * time.Minute, "hace 3 minutos"},
		{59 * time.Minute, "hace 59 minutos"},
		{80 * time.Minute, "hace una hora"},
		{5 * time.Hour, "hace 5 horas"},
		{3 * 24 * time.Hour, "hace 3 días"},
		{3 * 7 * 24 * time.Hour, "hace 3 semanas"},
		{100 * 24 * time.Hour, "hace 3 meses"},
		{3 * 365 * 24 * time.Hour, "hace 3 años"},
	}
	for _, tt := range tests {
		if got := ago(now.Add(-tt.before), now); got != tt.want {
			t.Errorf("ago(now - %v) = %q, want %q", tt.before, got, tt.want)
		}
	}
	if got := ago(time.Unix(0, 0), now); got != "en una fecha desconocida" {
		t.Errorf("ago(epoch) = %q, want the unknown date", got)
	}
}
