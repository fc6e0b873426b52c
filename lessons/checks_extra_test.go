package lessons

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/moby/api/pkg/stdcopy"
	"gopkg.in/yaml.v3"
)

// extraState fills f with what the course's own check kinds read:
// containers charla (logs through stdcopy), consola (a TTY, raw logs),
// capa (a writable layer inside the data root, one file, started after
// the step), fuera (layer outside it, started before), parado (exited),
// dangling images d1 (used by capa) and d2 (free), images a:1 and b:1
// (the same ID) and c:1, volumes datos (inside the root) and raro.
func extraState(t *testing.T, f *fakeAPI, freeDangling bool) {
	t.Helper()
	const root = "/var/lib/bolsillo"
	f.json("GET /containers/charla/json", map[string]any{
		"Id": "c1", "Name": "/charla", "Config": map[string]any{"Image": "busybox"},
		"State": map[string]any{"Status": "exited"},
	})
	f.routes["GET /containers/c1/logs"] = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("stdout") != "1" || r.URL.Query().Get("stderr") != "1" {
			t.Errorf("logs asked without stdout and stderr: %s", r.URL.RawQuery)
		}
		w.Header().Set("Content-Type", "application/vnd.docker.multiplexed-stream")
		_, _ = w.Write(frame(stdcopy.Stdout, "curso docker\n"))
		_, _ = w.Write(frame(stdcopy.Stderr, "aviso en stderr\n"))
	}
	f.json("GET /containers/consola/json", map[string]any{
		"Id": "c2", "Name": "/consola", "Config": map[string]any{"Image": "busybox", "Tty": true},
		"State": map[string]any{"Status": "exited"},
	})
	f.routes["GET /containers/c2/logs"] = func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "hola desde una terminal\r\n")
	}
	f.json("GET /containers/capa/json", map[string]any{
		"Id": "c3", "Name": "/capa", "Image": "sha256:d1", "Config": map[string]any{"Image": "busybox"},
		"State":       map[string]any{"Status": "running", "Running": true, "StartedAt": after},
		"GraphDriver": map[string]any{"Name": "overlay2", "Data": map[string]string{"UpperDir": root + "/containers/c3/rw"}},
	})
	f.routes["GET /containers/capa/archive"] = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("path") == "/error" {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"message":"disco roto"}`)
			return
		}
		if r.URL.Query().Get("path") != "/nota.txt" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"Could not find the file `+r.URL.Query().Get("path")+` in container capa"}`)
			return
		}
		w.Header().Set("X-Docker-Container-Path-Stat", "eyJuYW1lIjoibm90YS50eHQiLCJzaXplIjo0fQ==")
		_, _ = w.Write(tarOf(t, "nota.txt", "hola"))
	}
	f.json("GET /containers/fuera/json", map[string]any{
		"Id": "c4", "Name": "/fuera", "Config": map[string]any{"Image": "busybox"},
		"State":       map[string]any{"Status": "running", "Running": true, "StartedAt": before},
		"GraphDriver": map[string]any{"Name": "overlay2", "Data": map[string]string{"UpperDir": "/var/lib/bolsillo-otro/c4/rw"}},
	})
	f.json("GET /containers/parado/json", map[string]any{
		"Id": "c5", "Name": "/parado", "Config": map[string]any{"Image": "busybox"},
		"State": map[string]any{"Status": "exited", "StartedAt": after},
	})
	f.routes["GET /images/json"] = func(w http.ResponseWriter, r *http.Request) {
		items := []map[string]any{{"Id": "sha256:d1" + strings.Repeat("0", 62)}}
		if freeDangling {
			items = append(items, map[string]any{"Id": "sha256:d2" + strings.Repeat("0", 62)})
		}
		if !strings.Contains(r.URL.Query().Get("filters"), "dangling") {
			items = append(items, map[string]any{"Id": "sha256:e1", "RepoTags": []string{"a:1"}})
		}
		_ = json.NewEncoder(w).Encode(items)
	}
	f.json("GET /containers/json", []map[string]any{{"Id": "c3", "Names": []string{"/capa"}, "ImageID": "sha256:d1" + strings.Repeat("0", 62)}})
	f.json("GET /images/a:1/json", map[string]any{"Id": "sha256:e1aaaaaaaaaaaaaaaa"})
	f.json("GET /images/b:1/json", map[string]any{"Id": "sha256:e1aaaaaaaaaaaaaaaa"})
	f.json("GET /images/c:1/json", map[string]any{"Id": "sha256:f2bbbbbbbbbbbbbbbb"})
	f.json("GET /volumes/datos", map[string]any{"Name": "datos", "Driver": "local", "Mountpoint": root + "/volumes/datos/_data"})
	f.json("GET /volumes/raro", map[string]any{"Name": "raro", "Driver": "local", "Mountpoint": root + "-raro/raro"})
	f.json("GET /info", map[string]any{"DockerRootDir": root})
}

// frame is one frame of the multiplexed logs stream: stream type, three
// zero bytes, big-endian size, payload.
func frame(stream stdcopy.StdType, payload string) []byte {
	h := []byte{byte(stream), 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(h[4:], uint32(len(payload)))
	return append(h, payload...)
}

func TestExtraChecks(t *testing.T) {
	f := newFakeAPI(t)
	extraState(t, f, true)
	api := f.client(t)

	tests := []struct {
		check string // one comprobar item, YAML flow style
		want  string // "" = passes; otherwise a substring of the message
	}{
		{"logs_contienen: {contenedor: charla, texto: curso docker}", ""},
		{"logs_contienen: {contenedor: charla, texto: aviso en stderr}", ""},
		{"logs_contienen: {contenedor: charla, texto: adiós}", "los logs de `charla` no contienen `adiós`"},
		{"logs_contienen: {contenedor: consola, texto: hola desde una terminal}", ""},
		{"logs_contienen: {contenedor: nadie, texto: x}", "no hay ningún contenedor llamado `nadie`"},
		{"fichero_no_en_contenedor: {contenedor: capa, ruta: /secreto.txt}", ""},
		{"fichero_no_en_contenedor: {contenedor: capa, ruta: /nota.txt}", "tiene `/nota.txt`, y no debería"},
		{"fichero_no_en_contenedor: {contenedor: capa, ruta: /error}", "no pude mirar `/error`"},
		{"fichero_no_en_contenedor: {contenedor: nadie, ruta: /x}", "no hay ningún contenedor llamado `nadie`"},
		{"sin_colgadas_libres: {}", "1 imágenes colgadas (`<none>:<none>`) que ningún contenedor usa: d20000000000"},
		{"misma_imagen: {ref: 'a:1', que: 'b:1'}", ""},
		{"misma_imagen: {ref: 'a:1', que: 'c:1'}", "`a:1` (e1aaaaaaaaaa) y `c:1` (f2bbbbbbbbbb) son imágenes distintas"},
		{"misma_imagen: {ref: 'a:1', que: 'nada:1'}", "no existe la imagen `nada:1`"},
		{"en_raiz_datos: {contenedor: capa}", ""},
		{"en_raiz_datos: {contenedor: fuera}", "fuera del directorio raíz de datos `/var/lib/bolsillo`"},
		{"en_raiz_datos: {contenedor: charla}", "no dice dónde guarda la capa de escritura de `charla`"},
		{"en_raiz_datos: {volumen: datos}", ""},
		{"en_raiz_datos: {volumen: raro}", "el volumen `raro` está en `/var/lib/bolsillo-raro/raro`, fuera"},
		{"en_raiz_datos: {volumen: nada}", "no existe el volumen `nada`"},
		{"contenedor_arrancado: {nombre: capa}", ""},
		{"contenedor_arrancado: {nombre: fuera}", "ya corría antes de este paso"},
		{"contenedor_arrancado: {nombre: parado}", "no está corriendo"},
		{"contenedor_arrancado: {nombre: nadie}", "no hay ningún contenedor llamado `nadie`"},
		{"fichero_local_copiado: {ruta: nota.txt, contenedor: capa, origen: /nota.txt}", ""},
		{"fichero_local_copiado: {ruta: vieja.txt, contenedor: capa, origen: /nota.txt}", "`vieja.txt` no es una copia del `/nota.txt` de `capa`"},
		{"fichero_local_copiado: {ruta: nada.txt, contenedor: capa, origen: /nota.txt}", "no existe `nada.txt` en tu carpeta de trabajo"},
		{"fichero_local_copiado: {ruta: nota.txt, contenedor: capa, origen: /otra.txt}", "el contenedor `capa` no tiene `/otra.txt`"},
		{"fichero_local_copiado: {ruta: nota.txt, contenedor: nadie, origen: /nota.txt}", "no hay ningún contenedor llamado `nadie`"},
	}
	dir := t.TempDir()
	for name, content := range map[string]string{"nota.txt": "hola", "vieja.txt": "hola de otro contenedor"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range tests {
		runCheckCase(t, api, stepStart, dir, tt.check, tt.want)
	}
}

// A dangling image that a container still uses is not what prune removes:
// with only that one left, sin_colgadas_libres passes.
func TestSinColgadasLibresUsed(t *testing.T) {
	f := newFakeAPI(t)
	extraState(t, f, false)
	var c Check
	if err := yaml.Unmarshal([]byte("sin_colgadas_libres: {}"), &c); err != nil {
		t.Fatal(err)
	}
	if err := c.Run(context.Background(), f.client(t), stepStart, ""); err != nil {
		t.Errorf("sin_colgadas_libres with only a used dangling image = %v", err)
	}
}

func TestExtraCheckParamErrors(t *testing.T) {
	tests := []struct{ check, want string }{
		{"logs_contienen: {contenedor: web}", "falta el parámetro texto"},
		{"fichero_no_en_contenedor: {ruta: /x}", "falta el parámetro contenedor"},
		{"misma_imagen: {ref: a}", "falta el parámetro que"},
		{"en_raiz_datos: {}", "indica contenedor o volumen"},
		{"en_raiz_datos: {contenedor: a, volumen: b}", "indica contenedor o volumen"},
		{"contenedor_arrancado: {}", "falta el parámetro nombre"},
		{"sin_colgadas_libres: {min: 1}", "field min not found"},
		{"fichero_local_copiado: {ruta: ../x, contenedor: a, origen: /x}", "sin `..`"},
		{"fichero_local_copiado: {ruta: x, contenedor: a}", "falta el parámetro origen"},
	}
	for _, tt := range tests {
		var c Check
		if err := yaml.Unmarshal([]byte(tt.check), &c); err != nil {
			t.Fatal(err)
		}
		if err := validateCheck(c); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: validate = %v, want %q", tt.check, err, tt.want)
		}
	}
}
