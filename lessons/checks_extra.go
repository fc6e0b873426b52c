package lessons

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// Check kinds the course's lessons need beyond the common catalogue. Like
// every check, they read the Docker Engine API only.
func init() {
	register("logs_contienen", logsContienen)
	register("fichero_no_en_contenedor", ficheroNoEnContenedor)
	register("sin_colgadas_libres", sinColgadasLibres)
	register("misma_imagen", mismaImagen)
	register("en_raiz_datos", enRaizDatos)
	register("contenedor_arrancado", contenedorArrancado)
	register("fichero_local_copiado", ficheroLocalCopiado)
}

type logsParams struct {
	Contenedor string `yaml:"contenedor"`
	Texto      string `yaml:"texto"`
}

func (p *logsParams) validate() error {
	return required("contenedor", p.Contenedor, "texto", p.Texto)
}

// logsContienen: the container's logs (stdout and stderr of its main
// process, GET /containers/{id}/logs) contain texto.
func logsContienen(ctx context.Context, c client.APIClient, _ time.Time, _ string, p logsParams) error {
	ct, err := inspectContainer(ctx, c, p.Contenedor)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	rc, err := c.ContainerLogs(ctx, ct.ID, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		return fmt.Errorf("no pude leer los logs de `%s`: %v", p.Contenedor, err)
	}
	defer rc.Close()
	var out bytes.Buffer
	if ct.Config != nil && ct.Config.Tty {
		_, err = io.Copy(&out, io.LimitReader(rc, 4<<20))
	} else {
		_, err = stdcopy.StdCopy(&out, &out, io.LimitReader(rc, 4<<20))
	}
	if err != nil && out.Len() == 0 {
		return fmt.Errorf("no pude leer los logs de `%s`: %v", p.Contenedor, err)
	}
	if !strings.Contains(out.String(), p.Texto) {
		return fmt.Errorf("los logs de `%s` no contienen `%s`", p.Contenedor, p.Texto)
	}
	return nil
}

type ficheroNoParams struct {
	Contenedor string `yaml:"contenedor"`
	Ruta       string `yaml:"ruta"`
}

func (p *ficheroNoParams) validate() error {
	return required("contenedor", p.Contenedor, "ruta", p.Ruta)
}

// ficheroNoEnContenedor: the container exists and has no file at ruta
// (GET /containers/{id}/archive answers 404). The container must exist, so
// the check fails before the container is created.
func ficheroNoEnContenedor(ctx context.Context, c client.APIClient, _ time.Time, _ string, p ficheroNoParams) error {
	if _, err := inspectContainer(ctx, c, p.Contenedor); err != nil {
		return err
	}
	res, err := c.CopyFromContainer(ctx, p.Contenedor, client.CopyFromContainerOptions{SourcePath: p.Ruta})
	if err == nil {
		res.Content.Close()
		return fmt.Errorf("el contenedor `%s` tiene `%s`, y no debería", p.Contenedor, p.Ruta)
	}
	if !cerrdefs.IsNotFound(err) && !isNotFound(err) {
		return fmt.Errorf("no pude mirar `%s` en `%s`: %v", p.Ruta, p.Contenedor, err)
	}
	return nil
}

// sinColgadasLibres: no dangling image is left that no container uses;
// that is what `image prune` removes (an image a container still uses
// stays, even without a name).
func sinColgadasLibres(ctx context.Context, c client.APIClient, _ time.Time, _ string, _ sinParams) error {
	imgs, err := c.ImageList(ctx, client.ImageListOptions{Filters: make(client.Filters).Add("dangling", "true")})
	if err != nil {
		return err
	}
	cts, err := c.ContainerList(ctx, client.ContainerListOptions{All: true})
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for _, ct := range cts.Items {
		used[ct.ImageID] = true
	}
	var free []string
	for _, img := range imgs.Items {
		if !used[img.ID] {
			free = append(free, shortID(img.ID))
		}
	}
	if len(free) > 0 {
		return fmt.Errorf("todavía hay %d imágenes colgadas (`<none>:<none>`) que ningún contenedor usa: %s", len(free), strings.Join(free, ", "))
	}
	return nil
}

// shortID is an image ID as `images` shows it: 12 hex digits.
func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		id = id[:12]
	}
	return id
}

// mismaImagen: both references exist and name the same image ID.
func mismaImagen(ctx context.Context, c client.APIClient, _ time.Time, _ string, p imagePairParams) error {
	a, b, err := inspectPair(ctx, c, p)
	if err != nil {
		return err
	}
	if a.ID != b.ID {
		return fmt.Errorf("`%s` (%s) y `%s` (%s) son imágenes distintas", p.Ref, shortID(a.ID), p.Que, shortID(b.ID))
	}
	return nil
}

type raizParams struct {
	Contenedor string `yaml:"contenedor"`
	Volumen    string `yaml:"volumen"`
}

func (p *raizParams) validate() error {
	if (p.Contenedor == "") == (p.Volumen == "") {
		return fmt.Errorf("indica contenedor o volumen, uno de los dos")
	}
	return nil
}

// enRaizDatos: the container's writable layer (GraphDriver UpperDir) or the
// volume's Mountpoint lives inside the daemon's data root (DockerRootDir of
// GET /info).
func enRaizDatos(ctx context.Context, c client.APIClient, _ time.Time, _ string, p raizParams) error {
	var what, dir string
	if p.Contenedor != "" {
		ct, err := inspectContainer(ctx, c, p.Contenedor)
		if err != nil {
			return err
		}
		what = fmt.Sprintf("la capa de escritura de `%s`", p.Contenedor)
		if ct.GraphDriver != nil {
			dir = ct.GraphDriver.Data["UpperDir"]
		}
	} else {
		v, err := c.VolumeInspect(ctx, p.Volumen, client.VolumeInspectOptions{})
		if err != nil {
			return notFound(err, fmt.Sprintf("no existe el volumen `%s`", p.Volumen))
		}
		what = fmt.Sprintf("el volumen `%s`", p.Volumen)
		dir = v.Volume.Mountpoint
	}
	if dir == "" {
		return fmt.Errorf("el daemon no dice dónde guarda %s", what)
	}
	info, err := c.Info(ctx, client.InfoOptions{})
	if err != nil {
		return fmt.Errorf("no pude leer la información del daemon: %v", err)
	}
	root := filepath.Clean(info.Info.DockerRootDir)
	if root == "." || root == "" {
		return fmt.Errorf("el daemon no dice cuál es su directorio raíz de datos")
	}
	rel, err := filepath.Rel(root, filepath.Clean(dir))
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return fmt.Errorf("%s está en `%s`, fuera del directorio raíz de datos `%s`", what, dir, root)
	}
	return nil
}

// contenedorArrancado: the container runs and its main process started
// after the step began (State.StartedAt): a start or restart happened in
// this step. It reads inspect rather than events, which engines report
// differently (Docker emits restart, bolsillod die and start).
func contenedorArrancado(ctx context.Context, c client.APIClient, since time.Time, _ string, p contenedorParams) error {
	ct, err := inspectContainer(ctx, c, p.Nombre)
	if err != nil {
		return err
	}
	if ct.State == nil || !ct.State.Running {
		return fmt.Errorf("el contenedor `%s` existe pero no está corriendo", p.Nombre)
	}
	if !createdSince(ct.State.StartedAt, since) {
		return fmt.Errorf("el proceso de `%s` ya corría antes de este paso: arráncalo (o reinícialo) ahora", p.Nombre)
	}
	return nil
}

type copiadoParams struct {
	Ruta       string `yaml:"ruta"`
	Contenedor string `yaml:"contenedor"`
	Origen     string `yaml:"origen"`
}

func (p *copiadoParams) validate() error {
	if err := required("ruta", p.Ruta, "contenedor", p.Contenedor, "origen", p.Origen); err != nil {
		return err
	}
	return checkFileName(p.Ruta)
}

// ficheroLocalCopiado: the file ruta of the work folder holds exactly what
// the file origen holds in the container (read through GET
// /containers/{id}/archive), as after `cp CONTENEDOR:ORIGEN RUTA`. A copy
// left by an earlier container of the same name does not count when the
// file differs, as /etc/hostname (the container's ID) does.
func ficheroLocalCopiado(ctx context.Context, c client.APIClient, _ time.Time, dir string, p copiadoParams) error {
	local, err := os.ReadFile(filepath.Join(dir, p.Ruta))
	if err != nil {
		return fmt.Errorf("no existe `%s` en tu carpeta de trabajo (%s)", p.Ruta, dir)
	}
	if _, err := inspectContainer(ctx, c, p.Contenedor); err != nil {
		return err
	}
	res, err := c.CopyFromContainer(ctx, p.Contenedor, client.CopyFromContainerOptions{SourcePath: p.Origen})
	if err != nil {
		return notFound(err, fmt.Sprintf("el contenedor `%s` no tiene `%s`", p.Contenedor, p.Origen))
	}
	defer res.Content.Close()
	tr := tar.NewReader(res.Content)
	h, err := tr.Next()
	if err != nil || h.Typeflag != tar.TypeReg {
		return fmt.Errorf("`%s` en el contenedor `%s` no es un archivo", p.Origen, p.Contenedor)
	}
	remote, err := io.ReadAll(io.LimitReader(tr, 4<<20))
	if err != nil {
		return err
	}
	if !bytes.Equal(local, remote) {
		return fmt.Errorf("`%s` no es una copia del `%s` de `%s`: cópialo otra vez con `bolsillo cp %s:%s %s`", p.Ruta, p.Origen, p.Contenedor, p.Contenedor, p.Origen, p.Ruta)
	}
	return nil
}
