package image

import (
	"reflect"
	"strings"
	"testing"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"bolsillo/engine/errdefs"
)

func TestApplyChanges(t *testing.T) {
	type config = dockerspec.DockerOCIImageConfig
	oci := func(c ocispec.ImageConfig) config { return config{ImageConfig: c} }
	ports := func(p ...string) map[string]struct{} {
		m := make(map[string]struct{})
		for _, x := range p {
			m[x] = struct{}{}
		}
		return m
	}
	tests := []struct {
		name    string
		changes []string
		want    config
	}{
		{"CMD exec form", []string{`CMD ["sh", "-c", "echo hola"]`}, oci(ocispec.ImageConfig{Cmd: []string{"sh", "-c", "echo hola"}})},
		{"CMD shell form", []string{`CMD sh -c "echo $HOME"`}, oci(ocispec.ImageConfig{Cmd: []string{"/bin/sh", "-c", `sh -c "echo $HOME"`}})},
		{"CMD broken JSON is shell form", []string{`CMD [sh`}, oci(ocispec.ImageConfig{Cmd: []string{"/bin/sh", "-c", "[sh"}})},
		{"keyword case", []string{`cmd ["top"]`, `Entrypoint ["/init"]`}, oci(ocispec.ImageConfig{Cmd: []string{"top"}, Entrypoint: []string{"/init"}})},
		{"ENTRYPOINT shell form", []string{"ENTRYPOINT  nginx -g 'daemon off;'"}, oci(ocispec.ImageConfig{Entrypoint: []string{"/bin/sh", "-c", "nginx -g 'daemon off;'"}})},
		{"ENV key=value", []string{`ENV A=1 B="dos palabras" C='$literal'`}, oci(ocispec.ImageConfig{Env: []string{"A=1", "B=dos palabras", "C=$literal"}})},
		{"ENV legacy form", []string{"ENV SALUDO hola mundo"}, oci(ocispec.ImageConfig{Env: []string{"SALUDO=hola mundo"}})},
		{"ENV replaces and expands", []string{"ENV PATH=/bin", "ENV PATH=$PATH:/usr/bin X=${PATH}/x", `ENV Y="\$PATH"`}, oci(ocispec.ImageConfig{Env: []string{"PATH=/bin:/usr/bin", "X=/bin/x", "Y=$PATH"}})},
		{"EXPOSE", []string{"EXPOSE 80 443/tcp 53/udp", "EXPOSE 8000-8002/TCP"}, oci(ocispec.ImageConfig{ExposedPorts: ports("80/tcp", "443/tcp", "53/udp", "8000/tcp", "8001/tcp", "8002/tcp")})},
		{"EXPOSE from ENV", []string{"ENV PORT=3000", "EXPOSE $PORT"}, oci(ocispec.ImageConfig{Env: []string{"PORT=3000"}, ExposedPorts: ports("3000/tcp")})},
		{"WORKDIR absolute then relative", []string{"WORKDIR /app", "WORKDIR src/../web"}, oci(ocispec.ImageConfig{WorkingDir: "/app/web"})},
		{"WORKDIR with a space", []string{"WORKDIR /mi app"}, oci(ocispec.ImageConfig{WorkingDir: "/mi app"})},
		{"WORKDIR relative to root", []string{"WORKDIR datos"}, oci(ocispec.ImageConfig{WorkingDir: "/datos"})},
		{"USER", []string{"USER nobody:nogroup"}, oci(ocispec.ImageConfig{User: "nobody:nogroup"})},
		{"LABEL", []string{`LABEL version=1.0 "autor"="Ana María"`, "LABEL curso docker"}, oci(ocispec.ImageConfig{Labels: map[string]string{"version": "1.0", "autor": "Ana María", "curso": "docker"}})},
		{"VOLUME JSON and words", []string{`VOLUME ["/datos"]`, "VOLUME /a /b"}, oci(ocispec.ImageConfig{Volumes: ports("/datos", "/a", "/b")})},
		{"STOPSIGNAL", []string{"STOPSIGNAL SIGQUIT"}, oci(ocispec.ImageConfig{StopSignal: "SIGQUIT"})},
		{"STOPSIGNAL number", []string{"STOPSIGNAL 9"}, oci(ocispec.ImageConfig{StopSignal: "9"})},
		{"STOPSIGNAL realtime", []string{"STOPSIGNAL SIGRTMIN+3"}, oci(ocispec.ImageConfig{StopSignal: "SIGRTMIN+3"})},
		{"ONBUILD", []string{"ONBUILD RUN echo hola", "onbuild copy . /app"}, config{DockerOCIImageConfigExt: dockerspec.DockerOCIImageConfigExt{OnBuild: []string{"RUN echo hola", "copy . /app"}}}},
		{"blank change", []string{"  "}, config{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got config
			if err := applyChanges(&got, tt.changes); err != nil {
				t.Fatalf("applyChanges(%q): %v", tt.changes, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("applyChanges(%q) = %+v, want %+v", tt.changes, got, tt.want)
			}
		})
	}
}

func TestApplyChangesErrors(t *testing.T) {
	tests := []struct {
		change  string
		wantErr string
	}{
		{"RUN echo hola", "run is not a valid change command"},
		{"FROM busybox", "from is not a valid change command"},
		{"CMD", "CMD requires at least one argument"},
		{"ENTRYPOINT   ", "ENTRYPOINT requires at least one argument"},
		{"ENV", "ENV requires at least one argument"},
		{"ENV SOLO", "ENV names can not be blank"},
		{"ENV =valor", "not of the form key=value"},
		{`ENV A="sin cerrar`, "double-quote"},
		{"LABEL a='sin cerrar", "single-quote"},
		{"EXPOSE", "EXPOSE requires at least one argument"},
		{"EXPOSE ochenta", "invalid containerPort: ochenta"},
		{"EXPOSE 70000", "invalid containerPort: 70000"},
		{"EXPOSE 90-80", "invalid containerPort: 90-80"},
		{"EXPOSE 80/icmp", "invalid proto: icmp"},
		{"USER", "USER requires exactly one argument"},
		{`WORKDIR ""`, "WORKDIR requires exactly one argument"},
		{"STOPSIGNAL SIGNOPE", "invalid signal: SIGNOPE"},
		{"STOPSIGNAL 99", "invalid signal: 99"},
		{`VOLUME [""]`, "VOLUME specified can not be an empty string"},
		{"ONBUILD ONBUILD RUN x", "Chaining ONBUILD"},
		{"ONBUILD FROM busybox", "FROM isn't allowed as an ONBUILD trigger"},
		{"ONBUILD BAILA", "unknown instruction: BAILA"},
	}
	for _, tt := range tests {
		t.Run(tt.change, func(t *testing.T) {
			var config dockerspec.DockerOCIImageConfig
			err := applyChanges(&config, []string{tt.change})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("applyChanges(%q) error = %v, want one containing %q", tt.change, err, tt.wantErr)
			}
			if !errdefs.IsInvalidParameter(err) {
				t.Errorf("applyChanges(%q) error is not an invalid parameter", tt.change)
			}
		})
	}
}

func FuzzApplyChanges(f *testing.F) {
	for _, seed := range []string{`CMD ["a"]`, `ENV A="b c" D=${A}`, "EXPOSE 1-3/udp", "LABEL a='b'", `WORKDIR "$X"\`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, change string) {
		var config dockerspec.DockerOCIImageConfig
		applyChanges(&config, []string{change})
	})
}
