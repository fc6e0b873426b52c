package lessons

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// The check catalogue of the lesson format. Every check reads the Docker
// Engine API only, so the lessons work against real Docker too.
func init() {
	register("imagen_existe", imagenExiste)
	register("imagen_no_existe", imagenNoExiste)
	register("imagen_capas", imagenCapas)
	register("imagen_historial_contiene", imagenHistorialContiene)
	register("imagen_config", imagenConfig)
	register("imagen_tamano_menor", imagenTamanoMenor)
	register("colgadas", colgadas)
	register("sin_colgadas", sinColgadas)
	register("contenedor_existe", contenedorExiste)
	register("contenedor_no_existe", contenedorNoExiste)
	register("contenedor_corriendo", contenedorCorriendo)
	register("contenedor_parado", contenedorParado)
	register("contenedor_config", contenedorConfig)
	register("puerto_publicado", puertoPublicado)
	register("http_responde", httpResponde)
	register("fichero_en_contenedor", ficheroEnContenedor)
	register("fichero_local", ficheroLocal)
	register("cambios_contenedor", cambiosContenedor)
	register("volumen_existe", volumenExiste)
	register("volumen_no_existe", volumenNoExiste)
	register("exec_hecho", execHecho)
	register("evento", evento)
	register("daemon_responde", daemonResponde)
	register("nombre_contenedor", nombreContenedor)
}

// required reports the first empty required parameter.
func required(fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if strings.TrimSpace(fields[i+1]) == "" {
			return fmt.Errorf("falta el parámetro %s", fields[i])
		}
	}
	return nil
}

// ---- images ----

type imagenRef struct {
	Ref   string `yaml:"ref"`
	Nuevo bool   `yaml:"nuevo"`
}

func (p *imagenRef) validate() error { return required("ref", p.Ref) }

// inspectImage returns the image or a Spanish "no existe" error.
func inspectImage(ctx context.Context, c client.APIClient, ref string) (image.InspectResponse, error) {
	res, err := c.ImageInspect(ctx, ref)
	if err != nil {
		return image.InspectResponse{}, notFound(err, fmt.Sprintf("no existe la imagen `%s`", ref))
	}
	return res.InspectResponse, nil
}

// notFound turns a 404 into msg and keeps other errors (the daemon does not
// answer...) readable.
func notFound(err error, msg string) error {
	if isNotFound(err) {
		return errors.New(msg)
	}
	return fmt.Errorf("%s (%v)", msg, err)
}

// createdSince tells whether an API timestamp is at or after since.
func createdSince(created string, since time.Time) bool {
	t, err := time.Parse(time.RFC3339Nano, created)
	return err == nil && !t.Before(since)
}

func imagenExiste(ctx context.Context, c client.APIClient, since time.Time, _ string, p imagenRef) error {
	img, err := inspectImage(ctx, c, p.Ref)
	if err != nil {
		return err
	}
	if p.Nuevo && !createdSince(img.Created, since) {
		return fmt.Errorf("la imagen `%s` ya existía antes de este paso: constrúyela (o créala) de nuevo", p.Ref)
	}
	return nil
}

func imagenNoExiste(ctx context.Context, c client.APIClient, _ time.Time, _ string, p imagenRef) error {
	if _, err := c.ImageInspect(ctx, p.Ref); err == nil {
		return fmt.Errorf("la imagen `%s` todavía existe", p.Ref)
	} else if !isNotFound(err) {
		return err
	}
	return nil
}

// isNotFound tells a 404 from the API (the moby client marks it) from
// other errors; the message test covers daemons that answer otherwise.
func isNotFound(err error) bool {
	if cerrdefs.IsNotFound(err) {
		return true
	}
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "no such") || strings.Contains(s, "not found") || strings.Contains(s, "could not find")
}

type imagenCapasParams struct {
	Ref string `yaml:"ref"`
	Min *int   `yaml:"min"`
	Max *int   `yaml:"max"`
}

func (p *imagenCapasParams) validate() error {
	if p.Min == nil && p.Max == nil {
		return errors.New("indica min, max o los dos")
	}
	return required("ref", p.Ref)
}

func imagenCapas(ctx context.Context, c client.APIClient, _ time.Time, _ string, p imagenCapasParams) error {
	img, err := inspectImage(ctx, c, p.Ref)
	if err != nil {
		return err
	}
	n := len(img.RootFS.Layers)
	if p.Min != nil && n < *p.Min {
		return fmt.Errorf("la imagen `%s` tiene %d capas y se esperaban al menos %d", p.Ref, n, *p.Min)
	}
	if p.Max != nil && n > *p.Max {
		return fmt.Errorf("la imagen `%s` tiene %d capas y se esperaban como mucho %d", p.Ref, n, *p.Max)
	}
	return nil
}

type imagenTextoParams struct {
	Ref   string `yaml:"ref"`
	Texto string `yaml:"texto"`
}

func (p *imagenTextoParams) validate() error { return required("ref", p.Ref, "texto", p.Texto) }

func imagenHistorialContiene(ctx context.Context, c client.APIClient, _ time.Time, _ string, p imagenTextoParams) error {
	res, err := c.ImageHistory(ctx, p.Ref)
	if err != nil {
		return notFound(err, fmt.Sprintf("no existe la imagen `%s`", p.Ref))
	}
	for _, h := range res.Items {
		if strings.Contains(h.CreatedBy, p.Texto) {
			return nil
		}
	}
	return fmt.Errorf("el historial de `%s` no tiene ningún paso con `%s`", p.Ref, p.Texto)
}

type imagenConfigParams struct {
	Ref            string    `yaml:"ref"`
	Cmd            *[]string `yaml:"cmd"`
	Entrypoint     *[]string `yaml:"entrypoint"`
	Env            string    `yaml:"env"`
	Workdir        string    `yaml:"workdir"`
	Usuario        string    `yaml:"usuario"`
	PuertoExpuesto string    `yaml:"puerto_expuesto"`
	Etiqueta       string    `yaml:"etiqueta"`
	Volumen        string    `yaml:"volumen"`
}

func (p *imagenConfigParams) validate() error {
	if p.Etiqueta != "" && !strings.Contains(p.Etiqueta, "=") {
		return errors.New("etiqueta: escribe clave=valor")
	}
	if p.Env != "" && !strings.Contains(p.Env, "=") {
		return errors.New("env: escribe NOMBRE=valor")
	}
	return required("ref", p.Ref)
}

func imagenConfig(ctx context.Context, c client.APIClient, _ time.Time, _ string, p imagenConfigParams) error {
	img, err := inspectImage(ctx, c, p.Ref)
	if err != nil {
		return err
	}
	if img.Config == nil {
		return fmt.Errorf("la imagen `%s` no tiene configuración", p.Ref)
	}
	cfg := img.Config
	if p.Cmd != nil && !slices.Equal(cfg.Cmd, *p.Cmd) {
		return fmt.Errorf("el CMD de `%s` es %s y se esperaba %s", p.Ref, showList(cfg.Cmd), showList(*p.Cmd))
	}
	if p.Entrypoint != nil && !slices.Equal(cfg.Entrypoint, *p.Entrypoint) {
		return fmt.Errorf("el ENTRYPOINT de `%s` es %s y se esperaba %s", p.Ref, showList(cfg.Entrypoint), showList(*p.Entrypoint))
	}
	if p.Env != "" && !slices.Contains(cfg.Env, p.Env) {
		return fmt.Errorf("la imagen `%s` no tiene la variable de entorno `%s`", p.Ref, p.Env)
	}
	if p.Workdir != "" && cfg.WorkingDir != p.Workdir {
		return fmt.Errorf("el WORKDIR de `%s` es `%s` y se esperaba `%s`", p.Ref, cfg.WorkingDir, p.Workdir)
	}
	if p.Usuario != "" && cfg.User != p.Usuario {
		return fmt.Errorf("el USER de `%s` es `%s` y se esperaba `%s`", p.Ref, cfg.User, p.Usuario)
	}
	if p.PuertoExpuesto != "" {
		want := p.PuertoExpuesto
		if !strings.Contains(want, "/") {
			want += "/tcp"
		}
		if _, ok := cfg.ExposedPorts[want]; !ok {
			return fmt.Errorf("la imagen `%s` no declara EXPOSE `%s`", p.Ref, want)
		}
	}
	if p.Etiqueta != "" {
		k, v, _ := strings.Cut(p.Etiqueta, "=")
		if got, ok := cfg.Labels[k]; !ok || got != v {
			return fmt.Errorf("la imagen `%s` no tiene la etiqueta LABEL `%s`", p.Ref, p.Etiqueta)
		}
	}
	if p.Volumen != "" {
		if _, ok := cfg.Volumes[p.Volumen]; !ok {
			return fmt.Errorf("la imagen `%s` no declara el VOLUME `%s`", p.Ref, p.Volumen)
		}
	}
	return nil
}

func showList(l []string) string {
	if len(l) == 0 {
		return "vacío"
	}
	return "`" + strings.Join(l, " ") + "`"
}

// imagePairParams names two images to compare: ref, and que ("than").
type imagePairParams struct {
	Ref string `yaml:"ref"`
	Que string `yaml:"que"`
}

func (p *imagePairParams) validate() error { return required("ref", p.Ref, "que", p.Que) }

// inspectPair inspects both images of p.
func inspectPair(ctx context.Context, c client.APIClient, p imagePairParams) (a, b image.InspectResponse, err error) {
	if a, err = inspectImage(ctx, c, p.Ref); err != nil {
		return a, b, err
	}
	b, err = inspectImage(ctx, c, p.Que)
	return a, b, err
}

func imagenTamanoMenor(ctx context.Context, c client.APIClient, _ time.Time, _ string, p imagePairParams) error {
	a, b, err := inspectPair(ctx, c, p)
	if err != nil {
		return err
	}
	if a.Size >= b.Size {
		return fmt.Errorf("la imagen `%s` (%s) no es más pequeña que `%s` (%s)", p.Ref, units.HumanSize(float64(a.Size)), p.Que, units.HumanSize(float64(b.Size)))
	}
	return nil
}

type colgadasParams struct {
	Min int `yaml:"min"`
}

func (p *colgadasParams) validate() error {
	if p.Min < 1 {
		return errors.New("min: al menos 1")
	}
	return nil
}

func danglingImages(ctx context.Context, c client.APIClient) (int, error) {
	res, err := c.ImageList(ctx, client.ImageListOptions{Filters: make(client.Filters).Add("dangling", "true")})
	if err != nil {
		return 0, err
	}
	return len(res.Items), nil
}

func colgadas(ctx context.Context, c client.APIClient, _ time.Time, _ string, p colgadasParams) error {
	n, err := danglingImages(ctx, c)
	if err != nil {
		return err
	}
	if n < p.Min {
		return fmt.Errorf("hay %d imágenes colgadas (`<none>:<none>`) y se esperaban al menos %d", n, p.Min)
	}
	return nil
}

type sinParams struct{}

func sinColgadas(ctx context.Context, c client.APIClient, _ time.Time, _ string, _ sinParams) error {
	n, err := danglingImages(ctx, c)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("todavía hay %d imágenes colgadas (`<none>:<none>`)", n)
	}
	return nil
}

// ---- containers ----

type contenedorParams struct {
	Nombre string `yaml:"nombre"`
	Nuevo  bool   `yaml:"nuevo"`
}

func (p *contenedorParams) validate() error { return required("nombre", p.Nombre) }

// inspectContainer returns the container or a Spanish "no existe" error.
func inspectContainer(ctx context.Context, c client.APIClient, name string) (container.InspectResponse, error) {
	res, err := c.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	if err != nil {
		return container.InspectResponse{}, notFound(err, fmt.Sprintf("no hay ningún contenedor llamado `%s`", name))
	}
	return res.Container, nil
}

func contenedorExiste(ctx context.Context, c client.APIClient, since time.Time, _ string, p contenedorParams) error {
	ct, err := inspectContainer(ctx, c, p.Nombre)
	if err != nil {
		return err
	}
	if p.Nuevo && !createdSince(ct.Created, since) {
		return fmt.Errorf("el contenedor `%s` ya existía antes de este paso: créalo de nuevo", p.Nombre)
	}
	return nil
}

func contenedorNoExiste(ctx context.Context, c client.APIClient, _ time.Time, _ string, p contenedorParams) error {
	if _, err := c.ContainerInspect(ctx, p.Nombre, client.ContainerInspectOptions{}); err == nil {
		return fmt.Errorf("el contenedor `%s` todavía existe", p.Nombre)
	} else if !isNotFound(err) {
		return err
	}
	return nil
}

func contenedorCorriendo(ctx context.Context, c client.APIClient, since time.Time, _ string, p contenedorParams) error {
	ct, err := c.ContainerInspect(ctx, p.Nombre, client.ContainerInspectOptions{})
	if err != nil {
		return notFound(err, fmt.Sprintf("no hay ningún contenedor llamado `%s` corriendo", p.Nombre))
	}
	if ct.Container.State == nil || !ct.Container.State.Running {
		return fmt.Errorf("el contenedor `%s` existe pero no está corriendo", p.Nombre)
	}
	if p.Nuevo && !createdSince(ct.Container.Created, since) {
		return fmt.Errorf("el contenedor `%s` ya existía antes de este paso: créalo de nuevo", p.Nombre)
	}
	return nil
}

type paradoParams struct {
	Nombre string `yaml:"nombre"`
	Codigo *int   `yaml:"codigo"`
}

func (p *paradoParams) validate() error { return required("nombre", p.Nombre) }

func contenedorParado(ctx context.Context, c client.APIClient, _ time.Time, _ string, p paradoParams) error {
	ct, err := inspectContainer(ctx, c, p.Nombre)
	if err != nil {
		return err
	}
	if ct.State != nil && (ct.State.Running || ct.State.Restarting) {
		return fmt.Errorf("el contenedor `%s` sigue corriendo", p.Nombre)
	}
	if p.Codigo != nil && (ct.State == nil || ct.State.ExitCode != *p.Codigo) {
		code := -1
		if ct.State != nil {
			code = ct.State.ExitCode
		}
		return fmt.Errorf("el contenedor `%s` terminó con código %d y se esperaba %d", p.Nombre, code, *p.Codigo)
	}
	return nil
}

type contenedorConfigParams struct {
	Nombre     string    `yaml:"nombre"`
	Imagen     string    `yaml:"imagen"`
	Env        string    `yaml:"env"`
	Memoria    string    `yaml:"memoria"`
	Cpuset     string    `yaml:"cpuset"`
	Cmd        *[]string `yaml:"cmd"`
	Autoremove *bool     `yaml:"autoremove"`
	Restart    string    `yaml:"restart"`
}

func (p *contenedorConfigParams) validate() error {
	if p.Memoria != "" {
		if _, err := units.RAMInBytes(p.Memoria); err != nil {
			return fmt.Errorf("memoria: %v", err)
		}
	}
	return required("nombre", p.Nombre)
}

// withTag adds :latest to a reference without tag or digest.
func withTag(ref string) string {
	if strings.Contains(ref, "@") {
		return ref
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref
	}
	return ref + ":latest"
}

func contenedorConfig(ctx context.Context, c client.APIClient, _ time.Time, _ string, p contenedorConfigParams) error {
	ct, err := inspectContainer(ctx, c, p.Nombre)
	if err != nil {
		return err
	}
	cfg := ct.Config
	if cfg == nil {
		cfg = &container.Config{}
	}
	hc := ct.HostConfig
	if hc == nil {
		hc = &container.HostConfig{}
	}
	if p.Imagen != "" && withTag(cfg.Image) != withTag(p.Imagen) {
		return fmt.Errorf("el contenedor `%s` se creó desde `%s`, no desde `%s`", p.Nombre, cfg.Image, p.Imagen)
	}
	if p.Env != "" && !slices.Contains(cfg.Env, p.Env) {
		return fmt.Errorf("el contenedor `%s` no tiene la variable de entorno `%s`", p.Nombre, p.Env)
	}
	if p.Memoria != "" {
		want, _ := units.RAMInBytes(p.Memoria)
		if hc.Memory != want {
			got := "sin límite"
			if hc.Memory > 0 {
				got = units.BytesSize(float64(hc.Memory))
			}
			return fmt.Errorf("el límite de memoria de `%s` es %s y se esperaba %s", p.Nombre, got, units.BytesSize(float64(want)))
		}
	}
	if p.Cpuset != "" && hc.CpusetCpus != p.Cpuset {
		got := hc.CpusetCpus
		if got == "" {
			got = "todas"
		}
		return fmt.Errorf("el contenedor `%s` puede usar las CPU `%s` y se esperaba `%s`", p.Nombre, got, p.Cpuset)
	}
	if p.Cmd != nil && !slices.Equal(cfg.Cmd, *p.Cmd) {
		return fmt.Errorf("el comando de `%s` es %s y se esperaba %s", p.Nombre, showList(cfg.Cmd), showList(*p.Cmd))
	}
	if p.Autoremove != nil && hc.AutoRemove != *p.Autoremove {
		if *p.Autoremove {
			return fmt.Errorf("el contenedor `%s` no se creó con `--rm`", p.Nombre)
		}
		return fmt.Errorf("el contenedor `%s` se creó con `--rm`", p.Nombre)
	}
	if p.Restart != "" && string(hc.RestartPolicy.Name) != p.Restart {
		return fmt.Errorf("la política de reinicio de `%s` es `%s` y se esperaba `%s`", p.Nombre, hc.RestartPolicy.Name, p.Restart)
	}
	return nil
}

type puertoParams struct {
	Contenedor string `yaml:"contenedor"`
	Host       int    `yaml:"host"`
	Puerto     int    `yaml:"puerto"`
	Proto      string `yaml:"proto"`
}

func (p *puertoParams) validate() error {
	if p.Host <= 0 || p.Puerto <= 0 {
		return errors.New("host y puerto son números de puerto")
	}
	if p.Proto != "" && p.Proto != "tcp" && p.Proto != "udp" {
		return errors.New("proto: tcp o udp")
	}
	return required("contenedor", p.Contenedor)
}

func puertoPublicado(ctx context.Context, c client.APIClient, _ time.Time, _ string, p puertoParams) error {
	ct, err := inspectContainer(ctx, c, p.Contenedor)
	if err != nil {
		return err
	}
	proto := p.Proto
	if proto == "" {
		proto = "tcp"
	}
	port, err := network.ParsePort(fmt.Sprintf("%d/%s", p.Puerto, proto))
	if err != nil {
		return err
	}
	var bindings []network.PortBinding
	if ct.NetworkSettings != nil {
		bindings = ct.NetworkSettings.Ports[port]
	}
	for _, b := range bindings {
		if b.HostPort == strconv.Itoa(p.Host) {
			return nil
		}
	}
	if len(bindings) > 0 {
		return fmt.Errorf("el puerto %s de `%s` está publicado en el puerto %s de tu máquina, no en el %d", port, p.Contenedor, bindings[0].HostPort, p.Host)
	}
	return fmt.Errorf("el contenedor `%s` no publica su puerto %s en el puerto %d de tu máquina (`-p %d:%d`)", p.Contenedor, port, p.Host, p.Host, p.Puerto)
}

type httpParams struct {
	URL      string `yaml:"url"`
	Contiene string `yaml:"contiene"`
}

func (p *httpParams) validate() error {
	if err := required("url", p.URL); err != nil {
		return err
	}
	return localURL(p.URL)
}

// httpGet does a GET on a local URL with a short timeout.
func httpGet(ctx context.Context, url string) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(body), err
}

func httpResponde(ctx context.Context, _ client.APIClient, _ time.Time, _ string, p httpParams) error {
	code, body, err := httpGet(ctx, p.URL)
	if err != nil {
		return fmt.Errorf("nadie responde en %s", p.URL)
	}
	if code < 200 || code > 299 {
		return fmt.Errorf("%s responde con el código %d", p.URL, code)
	}
	if p.Contiene != "" && !strings.Contains(body, p.Contiene) {
		return fmt.Errorf("%s responde, pero sin el texto `%s`", p.URL, p.Contiene)
	}
	return nil
}

// ---- files ----

type ficheroContenedorParams struct {
	Contenedor string `yaml:"contenedor"`
	Ruta       string `yaml:"ruta"`
	Contiene   string `yaml:"contiene"`
}

func (p *ficheroContenedorParams) validate() error {
	return required("contenedor", p.Contenedor, "ruta", p.Ruta)
}

func ficheroEnContenedor(ctx context.Context, c client.APIClient, _ time.Time, _ string, p ficheroContenedorParams) error {
	if _, err := inspectContainer(ctx, c, p.Contenedor); err != nil {
		return err
	}
	res, err := c.CopyFromContainer(ctx, p.Contenedor, client.CopyFromContainerOptions{SourcePath: p.Ruta})
	if err != nil {
		return notFound(err, fmt.Sprintf("el contenedor `%s` no tiene `%s`", p.Contenedor, p.Ruta))
	}
	defer res.Content.Close()
	if p.Contiene == "" {
		return nil
	}
	tr := tar.NewReader(res.Content)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(tr, 1<<20))
		if err != nil {
			return err
		}
		if strings.Contains(string(b), p.Contiene) {
			return nil
		}
	}
	return fmt.Errorf("`%s` en el contenedor `%s` no contiene `%s`", p.Ruta, p.Contenedor, p.Contiene)
}

type ficheroLocalParams struct {
	Ruta     string `yaml:"ruta"`
	Contiene string `yaml:"contiene"`
}

func (p *ficheroLocalParams) validate() error {
	if err := required("ruta", p.Ruta); err != nil {
		return err
	}
	return checkFileName(p.Ruta)
}

func ficheroLocal(_ context.Context, _ client.APIClient, _ time.Time, dir string, p ficheroLocalParams) error {
	b, err := os.ReadFile(filepath.Join(dir, p.Ruta))
	if err != nil {
		return fmt.Errorf("no existe `%s` en tu carpeta de trabajo (%s)", p.Ruta, dir)
	}
	if p.Contiene != "" && !strings.Contains(string(b), p.Contiene) {
		return fmt.Errorf("`%s` no contiene `%s`", p.Ruta, p.Contiene)
	}
	return nil
}

type cambiosParams struct {
	Contenedor string `yaml:"contenedor"`
	Ruta       string `yaml:"ruta"`
	Tipo       string `yaml:"tipo"`
}

func (p *cambiosParams) validate() error {
	if p.Tipo != "" && p.Tipo != "A" && p.Tipo != "C" && p.Tipo != "D" {
		return errors.New("tipo: A, C o D")
	}
	return required("contenedor", p.Contenedor, "ruta", p.Ruta)
}

func cambiosContenedor(ctx context.Context, c client.APIClient, _ time.Time, _ string, p cambiosParams) error {
	if _, err := inspectContainer(ctx, c, p.Contenedor); err != nil {
		return err
	}
	res, err := c.ContainerDiff(ctx, p.Contenedor, client.ContainerDiffOptions{})
	if err != nil {
		return err
	}
	kinds := map[container.ChangeType]string{container.ChangeAdd: "A", container.ChangeModify: "C", container.ChangeDelete: "D"}
	for _, ch := range res.Changes {
		if ch.Path == p.Ruta && (p.Tipo == "" || kinds[ch.Kind] == p.Tipo) {
			return nil
		}
	}
	what := map[string]string{"A": "añadido", "C": "cambiado", "D": "borrado", "": "cambiado"}[p.Tipo]
	return fmt.Errorf("la capa de escritura de `%s` no tiene `%s` %s", p.Contenedor, p.Ruta, what)
}

// ---- volumes ----

type volumenParams struct {
	Nombre string `yaml:"nombre"`
}

func (p *volumenParams) validate() error { return required("nombre", p.Nombre) }

func volumenExiste(ctx context.Context, c client.APIClient, _ time.Time, _ string, p volumenParams) error {
	if _, err := c.VolumeInspect(ctx, p.Nombre, client.VolumeInspectOptions{}); err != nil {
		return notFound(err, fmt.Sprintf("no existe el volumen `%s`", p.Nombre))
	}
	return nil
}

func volumenNoExiste(ctx context.Context, c client.APIClient, _ time.Time, _ string, p volumenParams) error {
	if _, err := c.VolumeInspect(ctx, p.Nombre, client.VolumeInspectOptions{}); err == nil {
		return fmt.Errorf("el volumen `%s` todavía existe", p.Nombre)
	} else if !isNotFound(err) {
		return err
	}
	return nil
}

// ---- events and the daemon ----

// eventsSince lists the events from since until now that match filters.
func eventsSince(ctx context.Context, c client.APIClient, since time.Time, filters client.Filters) ([]events.Message, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	opts := client.EventsListOptions{
		Until:   unixString(time.Now()),
		Filters: filters,
	}
	if !since.IsZero() {
		opts.Since = unixString(since)
	}
	res := c.Events(ctx, opts)
	var out []events.Message
	for {
		select {
		case m := <-res.Messages:
			out = append(out, m)
		case err := <-res.Err:
			if err == nil || errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
	}
}

func unixString(t time.Time) string {
	return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
}

type execParams struct {
	Contenedor string `yaml:"contenedor"`
}

func (p *execParams) validate() error { return required("contenedor", p.Contenedor) }

func execHecho(ctx context.Context, c client.APIClient, since time.Time, _ string, p execParams) error {
	ct, err := inspectContainer(ctx, c, p.Contenedor)
	if err != nil {
		return err
	}
	if len(ct.ExecIDs) > 0 {
		return nil
	}
	evs, err := eventsSince(ctx, c, since, make(client.Filters).Add("type", "container").Add("container", ct.ID))
	if err == nil {
		for _, ev := range evs {
			if strings.HasPrefix(string(ev.Action), "exec_start") || strings.HasPrefix(string(ev.Action), "exec_create") {
				return nil
			}
		}
	}
	return fmt.Errorf("todavía no ejecutaste ningún comando dentro de `%s` con `exec`", p.Contenedor)
}

type eventoParams struct {
	Tipo        string `yaml:"tipo"`
	Accion      string `yaml:"accion"`
	DesdeInicio *bool  `yaml:"desde_inicio"`
	// Nombre, optional, is the name of the container or image the event is about.
	Nombre string `yaml:"nombre"`
}

func (p *eventoParams) validate() error { return required("tipo", p.Tipo, "accion", p.Accion) }

func evento(ctx context.Context, c client.APIClient, since time.Time, _ string, p eventoParams) error {
	if p.DesdeInicio != nil && !*p.DesdeInicio {
		since = time.Time{}
	}
	evs, err := eventsSince(ctx, c, since, make(client.Filters).Add("type", p.Tipo))
	if err != nil {
		return fmt.Errorf("no pude leer los eventos del daemon: %v", err)
	}
	for _, ev := range evs {
		if string(ev.Action) != p.Accion && !strings.HasPrefix(string(ev.Action), p.Accion+":") {
			continue
		}
		if p.Nombre == "" || ev.Actor.Attributes["name"] == p.Nombre || ev.Actor.ID == p.Nombre {
			return nil
		}
	}
	about := ""
	if p.Nombre != "" {
		about = fmt.Sprintf(" de `%s`", p.Nombre)
	}
	return fmt.Errorf("el daemon no registró ningún evento `%s`%s (tipo %s) en este paso", p.Accion, about, p.Tipo)
}

func daemonResponde(ctx context.Context, c client.APIClient, _ time.Time, _ string, _ sinParams) error {
	if _, err := c.Ping(ctx, client.PingOptions{}); err != nil {
		return fmt.Errorf("el daemon no responde en %s", c.DaemonHost())
	}
	if _, err := c.ServerVersion(ctx, client.ServerVersionOptions{}); err != nil {
		return fmt.Errorf("el daemon responde pero no da su versión: %v", err)
	}
	return nil
}

type nombreParams struct {
	Antes string `yaml:"antes"`
	Ahora string `yaml:"ahora"`
}

func (p *nombreParams) validate() error { return required("antes", p.Antes, "ahora", p.Ahora) }

func nombreContenedor(ctx context.Context, c client.APIClient, _ time.Time, _ string, p nombreParams) error {
	if _, err := inspectContainer(ctx, c, p.Ahora); err != nil {
		return err
	}
	if _, err := c.ContainerInspect(ctx, p.Antes, client.ContainerInspectOptions{}); err == nil {
		return fmt.Errorf("todavía hay un contenedor llamado `%s`", p.Antes)
	}
	return nil
}
