package lessons

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"gopkg.in/yaml.v3"
)

// fakeAPI is an Engine API server on 127.0.0.1 answering fixed JSON per
// "METHOD /path" (unversioned); anything else is a 404 like the daemon's.
type fakeAPI struct {
	mu     sync.Mutex
	routes map[string]http.HandlerFunc
	srv    *httptest.Server
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{routes: map[string]http.HandlerFunc{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Api-Version", "1.50")
	path := r.URL.Path
	if strings.HasPrefix(path, "/v1.") {
		path = path[strings.Index(path[1:], "/")+1:]
	}
	f.mu.Lock()
	h, ok := f.routes[r.Method+" "+path]
	f.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message":"No such object: `+path+`"}`)
		return
	}
	h(w, r)
}

func (f *fakeAPI) json(route string, v any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[route] = func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
}

func (f *fakeAPI) client(t *testing.T) client.APIClient {
	t.Helper()
	c, err := client.New(client.WithHost("tcp://"+f.srv.Listener.Addr().String()), client.WithAPIVersion("1.50"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

var (
	stepStart = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	before    = stepStart.Add(-time.Minute).Format(time.RFC3339Nano)
	after     = stepStart.Add(time.Second).Format(time.RFC3339Nano)
)

func tarOf(t *testing.T, name, content string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	_, _ = tw.Write([]byte(content))
	_ = tw.Close()
	return b.Bytes()
}

// engineState fills f with a small engine: containers web (running, new,
// port 8080->80, 64m, cpuset 0-1), viejo (running, created before the
// step), parado (exited 3, with one exec), images web:1 and base:1,
// two dangling images, volume datos, events rename and die.
func engineState(t *testing.T, f *fakeAPI) {
	f.json("GET /containers/web/json", map[string]any{
		"Id": "aaa", "Name": "/web", "Created": after,
		"State":  map[string]any{"Status": "running", "Running": true},
		"Config": map[string]any{"Image": "busybox", "Env": []string{"PATH=/bin", "COLOR=azul"}, "Cmd": []string{"httpd", "-f"}},
		"HostConfig": map[string]any{"Memory": 64 << 20, "CpusetCpus": "0-1", "AutoRemove": true,
			"RestartPolicy": map[string]any{"Name": "on-failure"}},
		"NetworkSettings": map[string]any{"Ports": map[string]any{"80/tcp": []map[string]string{{"HostIp": "0.0.0.0", "HostPort": "8080"}}}},
	})
	f.json("GET /containers/viejo/json", map[string]any{
		"Id": "bbb", "Name": "/viejo", "Created": before,
		"State": map[string]any{"Status": "running", "Running": true}, "Config": map[string]any{"Image": "busybox:latest"},
	})
	f.json("GET /containers/parado/json", map[string]any{
		"Id": "ccc", "Name": "/parado", "Created": before, "ExecIDs": []string{"e1"},
		"State": map[string]any{"Status": "exited", "ExitCode": 3}, "Config": map[string]any{"Image": "busybox"},
	})
	f.json("GET /containers/web/changes", []map[string]any{{"Path": "/tmp/nota.txt", "Kind": 1}, {"Path": "/etc", "Kind": 0}})
	f.routes["GET /containers/web/archive"] = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("path") != "/www/index.html" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"Could not find the file"}`)
			return
		}
		w.Header().Set("X-Docker-Container-Path-Stat", "eyJuYW1lIjoiaW5kZXguaHRtbCIsInNpemUiOjV9")
		_, _ = w.Write(tarOf(t, "index.html", "<h1>hola</h1>"))
	}
	f.json("GET /images/web:1/json", map[string]any{
		"Id": "sha256:111", "Created": after, "Size": 1000,
		"RootFS": map[string]any{"Type": "layers", "Layers": []string{"sha256:a", "sha256:b", "sha256:c"}},
		"Config": map[string]any{"Cmd": []string{"httpd", "-f"}, "Env": []string{"A=1"}, "WorkingDir": "/app", "User": "estudiante",
			"ExposedPorts": map[string]any{"80/tcp": map[string]any{}}, "Labels": map[string]string{"curso": "docker"},
			"Volumes": map[string]any{"/data": map[string]any{}}},
	})
	f.json("GET /images/base:1/json", map[string]any{"Id": "sha256:222", "Created": before, "Size": 5000,
		"RootFS": map[string]any{"Type": "layers", "Layers": []string{"sha256:a"}}, "Config": map[string]any{}})
	f.json("GET /images/web:1/history", []map[string]any{{"Id": "sha256:111", "CreatedBy": "RUN echo hola > /x"}, {"CreatedBy": "CMD [\"sh\"]"}})
	f.routes["GET /images/json"] = func(w http.ResponseWriter, r *http.Request) {
		var items []map[string]any
		if strings.Contains(r.URL.Query().Get("filters"), "dangling") {
			items = []map[string]any{{"Id": "sha256:d1"}, {"Id": "sha256:d2"}}
		}
		_ = json.NewEncoder(w).Encode(items)
	}
	f.json("GET /volumes/datos", map[string]any{"Name": "datos", "Driver": "local"})
	f.json("GET /_ping", "OK")
	f.json("GET /version", map[string]any{"Version": "1.0", "ApiVersion": "1.50"})
	f.routes["GET /events"] = func(w http.ResponseWriter, r *http.Request) {
		since := r.URL.Query().Get("since")
		w.Header().Set("Content-Type", "application/json")
		if since != "" && since > unixString(stepStart.Add(time.Hour)) {
			return // nothing in the last hour
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"Type": "container", "Action": "rename", "Actor": map[string]any{"ID": "aaa", "Attributes": map[string]string{"name": "web"}}})
		_ = json.NewEncoder(w).Encode(map[string]any{"Type": "container", "Action": "die", "Actor": map[string]any{"ID": "ccc", "Attributes": map[string]string{"name": "parado"}}})
	}
}

func TestChecks(t *testing.T) {
	f := newFakeAPI(t)
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/roto" {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "<h1>hola</h1>")
	}))
	defer web.Close()
	_, port, _ := net.SplitHostPort(web.Listener.Addr().String())
	engineState(t, f)
	api := f.client(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "copiado.txt"), []byte("desde el contenedor"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		check string // one comprobar item, YAML flow style
		want  string // "" = passes; otherwise a substring of the message
	}{
		{"imagen_existe: {ref: 'web:1'}", ""},
		{"imagen_existe: {ref: 'web:1', nuevo: true}", ""},
		{"imagen_existe: {ref: 'base:1', nuevo: true}", "ya existía antes de este paso"},
		{"imagen_existe: {ref: 'nada:1'}", "no existe la imagen `nada:1`"},
		{"imagen_no_existe: {ref: 'nada:1'}", ""},
		{"imagen_no_existe: {ref: 'web:1'}", "todavía existe"},
		{"imagen_capas: {ref: 'web:1', min: 3, max: 3}", ""},
		{"imagen_capas: {ref: 'web:1', max: 2}", "tiene 3 capas y se esperaban como mucho 2"},
		{"imagen_capas: {ref: 'web:1', min: 4}", "al menos 4"},
		{"imagen_historial_contiene: {ref: 'web:1', texto: RUN}", ""},
		{"imagen_historial_contiene: {ref: 'web:1', texto: COPY}", "ningún paso con `COPY`"},
		{"imagen_config: {ref: 'web:1', cmd: [httpd, -f], env: A=1, workdir: /app, usuario: estudiante, puerto_expuesto: 80/tcp, etiqueta: curso=docker, volumen: /data}", ""},
		{"imagen_config: {ref: 'web:1', cmd: [sh]}", "el CMD de `web:1` es `httpd -f`"},
		{"imagen_config: {ref: 'web:1', env: A=2}", "variable de entorno `A=2`"},
		{"imagen_config: {ref: 'web:1', workdir: /srv}", "WORKDIR"},
		{"imagen_config: {ref: 'web:1', usuario: root}", "USER"},
		{"imagen_config: {ref: 'web:1', puerto_expuesto: '8080'}", "EXPOSE `8080/tcp`"},
		{"imagen_config: {ref: 'web:1', etiqueta: curso=k8s}", "LABEL"},
		{"imagen_config: {ref: 'web:1', volumen: /otro}", "VOLUME"},
		{"imagen_config: {ref: 'base:1', cmd: []}", ""},
		{"imagen_tamano_menor: {ref: 'web:1', que: 'base:1'}", ""},
		{"imagen_tamano_menor: {ref: 'base:1', que: 'web:1'}", "no es más pequeña"},
		{"colgadas: {min: 2}", ""},
		{"colgadas: {min: 3}", "hay 2 imágenes colgadas"},
		{"sin_colgadas: {}", "todavía hay 2"},
		{"contenedor_existe: {nombre: web, nuevo: true}", ""},
		{"contenedor_existe: {nombre: viejo, nuevo: true}", "ya existía antes de este paso"},
		{"contenedor_existe: {nombre: nadie}", "no hay ningún contenedor llamado `nadie`"},
		{"contenedor_no_existe: {nombre: nadie}", ""},
		{"contenedor_no_existe: {nombre: web}", "todavía existe"},
		{"contenedor_corriendo: {nombre: web}", ""},
		{"contenedor_corriendo: {nombre: viejo, nuevo: true}", "ya existía"},
		{"contenedor_corriendo: {nombre: parado}", "no está corriendo"},
		{"contenedor_corriendo: {nombre: nadie}", "no hay ningún contenedor llamado `nadie` corriendo"},
		{"contenedor_parado: {nombre: parado, codigo: 3}", ""},
		{"contenedor_parado: {nombre: parado, codigo: 0}", "terminó con código 3 y se esperaba 0"},
		{"contenedor_parado: {nombre: web}", "sigue corriendo"},
		{"contenedor_config: {nombre: web, imagen: 'busybox:latest', env: COLOR=azul, memoria: 64m, cpuset: 0-1, cmd: [httpd, -f], autoremove: true, restart: on-failure}", ""},
		{"contenedor_config: {nombre: viejo, imagen: busybox}", ""},
		{"contenedor_config: {nombre: web, imagen: alpine}", "se creó desde `busybox`, no desde `alpine`"},
		{"contenedor_config: {nombre: web, env: COLOR=rojo}", "variable de entorno `COLOR=rojo`"},
		{"contenedor_config: {nombre: web, memoria: 128m}", "es 64MiB y se esperaba 128MiB"},
		{"contenedor_config: {nombre: viejo, memoria: 64m}", "es sin límite"},
		{"contenedor_config: {nombre: web, cpuset: '0'}", "se esperaba `0`"},
		{"contenedor_config: {nombre: web, autoremove: false}", "se creó con `--rm`"},
		{"contenedor_config: {nombre: web, restart: always}", "política de reinicio"},
		{"puerto_publicado: {contenedor: web, host: 8080, puerto: 80}", ""},
		{"puerto_publicado: {contenedor: web, host: 9090, puerto: 80}", "no en el 9090"},
		{"puerto_publicado: {contenedor: web, host: 8080, puerto: 81}", "no publica su puerto 81/tcp"},
		{"puerto_publicado: {contenedor: web, host: 8080, puerto: 80, proto: udp}", "80/udp"},
		{"http_responde: {url: 'http://127.0.0.1:" + port + "/', contiene: hola}", ""},
		{"http_responde: {url: 'http://127.0.0.1:" + port + "/', contiene: adiós}", "sin el texto `adiós`"},
		{"http_responde: {url: 'http://127.0.0.1:" + port + "/roto'}", "responde con el código 500"},
		{"http_responde: {url: 'http://127.0.0.1:1/'}", "nadie responde"},
		{"fichero_en_contenedor: {contenedor: web, ruta: /www/index.html, contiene: hola}", ""},
		{"fichero_en_contenedor: {contenedor: web, ruta: /www/index.html, contiene: adiós}", "no contiene `adiós`"},
		{"fichero_en_contenedor: {contenedor: web, ruta: /etc/nada}", "no tiene `/etc/nada`"},
		{"fichero_en_contenedor: {contenedor: nadie, ruta: /x}", "no hay ningún contenedor"},
		{"fichero_local: {ruta: copiado.txt, contiene: contenedor}", ""},
		{"fichero_local: {ruta: copiado.txt, contiene: nada}", "no contiene `nada`"},
		{"fichero_local: {ruta: otro.txt}", "no existe `otro.txt` en tu carpeta de trabajo"},
		{"cambios_contenedor: {contenedor: web, ruta: /tmp/nota.txt, tipo: A}", ""},
		{"cambios_contenedor: {contenedor: web, ruta: /etc, tipo: C}", ""},
		{"cambios_contenedor: {contenedor: web, ruta: /tmp/nota.txt, tipo: D}", "no tiene `/tmp/nota.txt` borrado"},
		{"volumen_existe: {nombre: datos}", ""},
		{"volumen_existe: {nombre: otro}", "no existe el volumen `otro`"},
		{"volumen_no_existe: {nombre: otro}", ""},
		{"volumen_no_existe: {nombre: datos}", "todavía existe"},
		{"exec_hecho: {contenedor: parado}", ""},
		{"exec_hecho: {contenedor: web}", "ningún comando dentro de `web`"},
		{"evento: {tipo: container, accion: rename}", ""},
		{"evento: {tipo: container, accion: die, nombre: parado}", ""},
		{"evento: {tipo: container, accion: die, nombre: web}", "ningún evento `die` de `web`"},
		{"evento: {tipo: container, accion: kill}", "ningún evento `kill`"},
		{"daemon_responde: {}", ""},
		{"nombre_contenedor: {antes: nadie, ahora: web}", ""},
		{"nombre_contenedor: {antes: viejo, ahora: web}", "todavía hay un contenedor llamado `viejo`"},
		{"nombre_contenedor: {antes: web, ahora: nadie}", "no hay ningún contenedor llamado `nadie`"},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[runCheckCase(t, api, stepStart, dir, tt.check, tt.want)] = true
	}
	// Every kind of the catalogue is tested here, passing and failing.
	for _, k := range []string{"imagen_existe", "imagen_no_existe", "imagen_capas", "imagen_historial_contiene", "imagen_config",
		"imagen_tamano_menor", "colgadas", "sin_colgadas", "contenedor_existe", "contenedor_no_existe", "contenedor_corriendo",
		"contenedor_parado", "contenedor_config", "puerto_publicado", "http_responde", "fichero_en_contenedor", "fichero_local",
		"cambios_contenedor", "volumen_existe", "volumen_no_existe", "exec_hecho", "evento", "daemon_responde", "nombre_contenedor"} {
		if !seen[k] {
			t.Errorf("catalogue kind %s is not tested", k)
		}
		if _, ok := registry[k]; !ok {
			t.Errorf("catalogue kind %s is not registered", k)
		}
	}
}

func TestEventWindow(t *testing.T) {
	f := newFakeAPI(t)
	engineState(t, f)
	var c Check
	if err := yaml.Unmarshal([]byte("evento: {tipo: container, accion: rename}"), &c); err != nil {
		t.Fatal(err)
	}
	// The fake has no event in the last hour: a step that started later sees none.
	if err := c.Run(context.Background(), f.client(t), stepStart.Add(2*time.Hour), ""); err == nil {
		t.Error("evento passed with no event since the step started")
	}
	if err := yaml.Unmarshal([]byte("evento: {tipo: container, accion: rename, desde_inicio: false}"), &c); err != nil {
		t.Fatal(err)
	}
	if err := c.Run(context.Background(), f.client(t), stepStart.Add(2*time.Hour), ""); err != nil {
		t.Errorf("evento desde_inicio=false: %v", err)
	}
}

func TestCheckParamErrors(t *testing.T) {
	tests := []struct{ check, want string }{
		{"imagen_capas: {ref: a}", "indica min, max"},
		{"colgadas: {}", "min: al menos 1"},
		{"contenedor_config: {nombre: web, memoria: mucha}", "memoria"},
		{"puerto_publicado: {contenedor: web, host: 8080}", "host y puerto"},
		{"puerto_publicado: {contenedor: web, host: 8080, puerto: 80, proto: sctp}", "tcp o udp"},
		{"http_responde: {url: 'http://example.com/'}", "solo se permite"},
		{"fichero_local: {ruta: ../fuera}", "sin `..`"},
		{"cambios_contenedor: {contenedor: web, ruta: /x, tipo: X}", "A, C o D"},
		{"imagen_config: {ref: a, etiqueta: sinigual}", "clave=valor"},
		{"evento: {tipo: container}", "falta el parámetro accion"},
		{"imagen_existe: {ref: a, nuevo: quizás}", "cannot unmarshal"},
	}
	for _, tt := range tests {
		var c Check
		if err := yaml.Unmarshal([]byte(tt.check), &c); err != nil {
			t.Fatal(err)
		}
		if err := validateCheck(c); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("validateCheck(%s) = %v, want %q", tt.check, err, tt.want)
		}
	}
}

// runCheckCase decodes one comprobar item (YAML flow style), validates it
// and runs it: want "" means it must pass, otherwise its message must
// contain want. It returns the check's kind.
func runCheckCase(t *testing.T, api client.APIClient, stepStart time.Time, dir, check, want string) string {
	t.Helper()
	var c Check
	if err := yaml.Unmarshal([]byte(check), &c); err != nil {
		t.Fatalf("%s: %v", check, err)
	}
	if err := validateCheck(c); err != nil {
		t.Errorf("%s: does not validate: %v", check, err)
		return c.Kind
	}
	err := c.Run(context.Background(), api, stepStart, dir)
	switch {
	case want == "" && err != nil:
		t.Errorf("%s = %v, want it to pass", check, err)
	case want != "" && err == nil:
		t.Errorf("%s passed, want %q", check, want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("%s = %q, want it to contain %q", check, err, want)
	}
	return c.Kind
}
