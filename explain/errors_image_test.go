package explain

import (
	"strings"
	"testing"
)

// TestImageErrors covers the messages a student meets with pull, push, tag,
// rmi, save and load, in the wording of Docker, the registries and
// go-containerregistry.
func TestImageErrors(t *testing.T) {
	const host = "unix:///run/bolsillo.sock"
	tests := []struct {
		name  string
		msg   string
		title string   // the title line it must choose
		want  []string // what must reach the student
	}{
		{"disk_full", "Error response from daemon: reading build context: write /var/lib/bolsillo/build/context-1/grande.bin: no space left on device",
			"# El disco se llenó", []string{"`/var/lib/bolsillo/build/context-1/grande.bin`", "`.dockerignore`"}},
		{"plain_http_refused", `Error response from daemon: Get "http://192.168.1.10:5000/v2/": refusing plain HTTP to registry 192.168.1.10:5000: only localhost registries and those given with --insecure-registry may use it`,
			"# El registro `192.168.1.10:5000` no usa HTTPS", []string{"`--insecure-registry 192.168.1.10:5000`"}},
		{"unauthorized_hub", `Error response from daemon: Head "https://registry-1.docker.io/v2/ana/privada/manifests/latest": unauthorized: incorrect username or password`,
			"# El registro no te deja pasar", []string{"`bolsillo login`", "`TU_USUARIO/imagen`"}},
		{"unauthorized_registry", `GET http://localhost:5000/v2/web/manifests/1: UNAUTHORIZED: authentication required; [map[Action:pull Class: Name:web Type:repository]]`,
			"# El registro no te deja pasar", []string{"`bolsillo login localhost:5000`"}},
		{"push_denied", "denied: requested access to the resource is denied",
			"# El registro no te deja pasar", []string{"`bolsillo login`"}},
		{"manifest_unknown", "Error response from daemon: manifest for busybox:nope not found: manifest unknown: manifest unknown",
			"# El registro no tiene `busybox:nope`", []string{"`latest`", "`bolsillo push`"}},
		{"manifest_unknown_ggcr", "GET http://127.0.0.1:5000/v2/web/manifests/2.0: MANIFEST_UNKNOWN: Unknown manifest",
			"# El registro no tiene esa imagen", nil},
		{"name_unknown", "NAME_UNKNOWN: repository name not known to registry",
			"# El registro no tiene esa imagen", nil},
		{"rate_limit", "Error response from daemon: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit",
			"# Docker Hub limitó tus descargas", []string{"`bolsillo login`", "`bolsillo registry`"}},
		{"http_to_https", `Error response from daemon: Get "https://192.168.1.10:5000/v2/": http: server gave HTTP response to HTTPS client`,
			"# El registro habla HTTP y se le llamó por HTTPS", []string{"`192.168.1.10:5000`", "`insecure-registries`"}},
		{"x509_unknown_authority", `Error response from daemon: Get "https://registro.aula:5000/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
			"# El certificado del registro no es de confianza", []string{"autoridad", "`update-ca-certificates`"}},
		{"x509_expired", `Get "https://registro.aula/v2/": x509: certificate has expired or is not yet valid: current time 2031-01-01T00:00:00Z is after 2030-01-01T00:00:00Z`,
			"# El certificado del registro no es de confianza", []string{"`date`"}},
		{"digest_mismatch_ggcr", `error verifying sha256 checksum after reading 1024 bytes; got "sha256:aaaa", want "sha256:bbbb"`,
			"# Los datos no coinciden con su digest", []string{"no se guardó nada"}},
		{"digest_mismatch_docker", "filesystem layer verification failed for digest sha256:0b9ad3ac8f21",
			"# Los datos no coinciden con su digest", nil},
		{"digest_mismatch_plain", "digest mismatch: sha256:0b9ad3ac8f21",
			"# Los datos no coinciden con su digest", nil},
		{"referenced_in_many_repositories", "Error response from daemon: conflict: unable to delete 66a001996feb (must be forced) - image is referenced in multiple repositories",
			"# La imagen `66a001996feb` tiene varios nombres", []string{"`bolsillo rmi -f 66a001996feb`", "`bolsillo rmi NOMBRE:TAG`"}},
		{"repository_reference_in_use", `Error response from daemon: conflict: unable to remove repository reference "xtest/only:1" (must force) - container f09b41d4579d is using its referenced image c3d5c3b352cb`,
			"# El nombre `xtest/only:1` lo usa un contenedor", []string{"`f09b41d4579d`", "`c3d5c3b352cb`", "`bolsillo rm -f f09b41d4579d`", "`bolsillo rmi -f xtest/only:1`"}},
		{"reference_uppercase_typed", `Error parsing reference: "Busybox:Latest" is not a valid repository/tag: invalid reference format: repository name (library/Busybox) must be lowercase`,
			"# El nombre de imagen `Busybox:Latest` no es válido", []string{"`busybox:latest`", "`Latest` y `latest` son distintas", "`repositorio:tag`"}},
		{"reference_too_many_colons", `parsing reference "a:b:c": invalid reference format`,
			"# El nombre de imagen `a:b:c` no es válido", []string{"2 veces `:`"}},
		{"reference_with_space", `"mi imagen": invalid reference format`,
			"# El nombre de imagen `mi imagen` no es válido", []string{"espacios"}},
		{"reference_registry_port_ok", `"localhost:5000/web:": invalid reference format`,
			"# El nombre de imagen `localhost:5000/web:` no es válido", []string{"falta la etiqueta"}},
		{"reference_uppercase_daemon", "invalid reference format: repository name (library/Busybox) must be lowercase",
			"# El nombre de la imagen no es válido", []string{"`library/Busybox`", "`busybox`"}},
		{"no_such_host", `Error response from daemon: Get "https://registro.aula:5000/v2/": dial tcp: lookup registro.aula on 127.0.0.53:53: no such host`,
			"# No se encuentra el registro `registro.aula`", []string{"DNS", "`bolsillo lab init`"}},
		{"timeout", `Error response from daemon: Get "https://10.0.0.9:5000/v2/": dial tcp 10.0.0.9:5000: i/o timeout`,
			"# El registro no respondió a tiempo", []string{"`10.0.0.9:5000`"}},
		{"tls_handshake_timeout", `Get "https://registro.aula/v2/": net/http: TLS handshake timeout`,
			"# El registro no respondió a tiempo", nil},
		{"registry_refused", `Get "http://localhost:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused`,
			"# Nadie escucha en `127.0.0.1:5000`", []string{"`bolsillo registry --addr 0.0.0.0:PUERTO`"}},
		{"load_truncated", "Error processing tar file(exit status 1): unexpected EOF",
			"# El tar no es una imagen guardada o está incompleto", []string{"`bolsillo save -o imagen.tar IMAGEN`", "No se cargó nada"}},
		{"load_invalid_header", "archive/tar: invalid tar header",
			"# El tar no es una imagen guardada o está incompleto", []string{"`bolsillo import`"}},
		{"load_not_an_image", "open /var/lib/docker/tmp/docker-import-2138586129/repositories: no such file or directory",
			"# El tar no es una imagen guardada o está incompleto", nil},
		{"stream_cut", "unexpected EOF",
			"# Los datos se cortaron a medias", []string{"`bolsillo save -o`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Error(errString(tt.msg), host)
			if title, _, _ := strings.Cut(got, "\n"); title != tt.title {
				t.Errorf("Error(%q) title = %q, want %q", tt.msg, title, tt.title)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Error(%q) does not mention %q:\n%s", tt.msg, w, got)
				}
			}
			if !strings.Contains(got, oneLine(tt.msg)) {
				t.Errorf("Error(%q) does not quote the original message:\n%s", tt.msg, got)
			}
			assertGolden(t, got)
		})
	}
}

// TestDaemonErrorsStayDaemon checks that the registry rules do not take the
// messages about the bolsillo daemon itself.
func TestDaemonErrorsStayDaemon(t *testing.T) {
	for _, msg := range []string{
		"failed to connect to the docker API at tcp://127.0.0.1:2375; check if the path is correct and if the daemon is running: dial tcp 127.0.0.1:2375: connect: connection refused",
		"Cannot connect to the Docker daemon at unix:///run/bolsillo.sock. Is the docker daemon running?",
		"dial unix /run/bolsillo.sock: connect: connection refused",
	} {
		got := Error(errString(msg), "unix:///run/bolsillo.sock")
		if title, _, _ := strings.Cut(got, "\n"); title != "# No responde ningún daemon" {
			t.Errorf("Error(%q) title = %q, want the daemon one", msg, title)
		}
	}
}
