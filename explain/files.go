package explain

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
)

// CopyResult is what a `cp` did, as the CLI saw it.
type CopyResult struct {
	Container     string // as typed
	ToContainer   bool
	Source        string // local path, or CONTENEDOR:RUTA
	Destination   string // local path, or CONTENEDOR:RUTA
	ContainerPath string // where the files are inside the container
	Name          string // the name they took there (copying in)
	Bytes         int64  // tar bytes that crossed the API
}

// Copy explains a `cp` from the container's inspect data: that it works
// whether the container runs or not, and, copying in, which writable layer
// the file landed in.
func Copy(c container.InspectResponse, r CopyResult) string {
	var md doc
	name := strings.TrimPrefix(c.Name, "/")
	state := "parado"
	if c.State != nil && c.State.Running {
		state = "corriendo"
	}
	if r.ToContainer {
		md.title("Copiaste archivos al contenedor `%s`", name)
		md.item("La copia viajó por la API como un archivo tar de %s hasta %s, dentro del contenedor.", humanSize(r.Bytes), code(r.ContainerPath))
		if upper := graphData(c, "UpperDir"); upper != "" {
			md.item("Fue a parar a la capa de lectura y escritura (writable layer) del contenedor: en tu máquina está en %s.", code(upper+r.ContainerPath))
			md.item("Las capas de solo lectura (read-only layers) de la imagen no cambian: si borras el contenedor, la copia se va con él.")
		}
		md.item("`cp` funciona con el contenedor corriendo **y** parado; este estaba %s.", state)
		md.item("`bolsillo diff %s` la muestra como `A` (añadido) o `C` (cambiado); `bolsillo commit` la guardaría en una imagen.", name)
		return md.String()
	}
	md.title("Copiaste archivos desde el contenedor `%s`", name)
	md.item("El daemon leyó %s en el sistema de archivos del contenedor (sus capas apiladas) y te lo mandó como tar, %s.", code(r.ContainerPath), humanSize(r.Bytes))
	if r.Destination != "-" {
		md.item("Ahora está en tu máquina en %s.", code(r.Destination))
	}
	md.item("`cp` funciona con el contenedor corriendo **y** parado; este estaba %s.", state)
	return md.String()
}

// Diff explains `docker diff` from the container's inspect data.
func Diff(c container.InspectResponse, changes []container.FilesystemChange) string {
	var md doc
	name := strings.TrimPrefix(c.Name, "/")
	var a, m, d int
	for _, ch := range changes {
		switch ch.Kind {
		case container.ChangeAdd:
			a++
		case container.ChangeDelete:
			d++
		default:
			m++
		}
	}
	md.title("Cambios del contenedor `%s` respecto a su imagen", name)
	if len(changes) == 0 {
		md.item("Su capa de lectura y escritura (writable layer) está vacía: el contenedor no cambió ningún archivo de la imagen.")
	} else {
		md.item("%d añadidos (`A`), %d cambiados (`C`) y %d borrados (`D`).", a, m, d)
	}
	if upper := graphData(c, "UpperDir"); upper != "" {
		md.item("Todo sale de su capa de lectura y escritura, %s: lo que no está ahí viene igual de las capas de solo lectura de la imagen.", code(upper))
	}
	if d > 0 {
		md.item("Un borrado no toca la imagen: en la capa de escritura queda una marca (whiteout) que tapa el archivo de abajo.")
	}
	md.item("Un directorio aparece como `C` cuando algo dentro de él se añadió o se borró.")
	return md.String()
}

// CommitData is what a commit explanation reads.
type CommitData struct {
	Container container.InspectResponse
	Image     image.InspectResponse
	History   []image.HistoryResponseItem // newest first
	Reference string
	Changes   []string
	Dangling  *image.InspectResponse // the image that lost Reference, if any
}

// Commit explains `docker commit`: the writable layer became a read-only
// layer on top of the image's.
func Commit(d CommitData) string {
	var md doc
	name := strings.TrimPrefix(d.Container.Name, "/")
	title := "una imagen sin nombre"
	if d.Reference != "" {
		title = code(d.Reference)
	}
	md.title("El contenedor `%s` es ahora %s", name, title)
	if upper := graphData(d.Container, "UpperDir"); upper != "" {
		md.item("Su capa de lectura y escritura (%s) se copió como una capa nueva de solo lectura, encima de las de su imagen.", code(upper))
	}
	if len(d.History) > 0 {
		top := d.History[0]
		md.item("Esa capa ocupa %s; la imagen %s tiene %d capas y %s en total.", humanSize(top.Size), code(shortID(d.Image.ID)), layers(d.Image), humanSize(d.Image.Size))
		row := fmt.Sprintf("`%s`", top.CreatedBy)
		if top.Comment != "" {
			row += fmt.Sprintf(" con el comentario %s", code(top.Comment))
		}
		md.item("En `bolsillo history` aparece arriba una fila nueva: %s.", row)
	}
	md.item("Su imagen padre (Parent) es %s, la del contenedor.", code(shortID(d.Container.Image)))
	for _, c := range d.Changes {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(c)), "CMD") {
			md.item("Con `-c %s` la imagen arranca con otro comando por defecto: %s.", c, code(strings.Join(d.Image.Config.Cmd, " ")))
		}
	}
	md.item("Los volúmenes no están en la capa de escritura: su contenido no entra en la imagen. Así no se cuelan datos delicados.")
	if d.Dangling != nil {
		md.item("La imagen que antes se llamaba %s, %s, perdió su nombre y quedó colgada (`<none>:<none>`).", code(d.Reference), code(shortID(d.Dangling.ID)))
	}
	return md.String()
}

func layers(img image.InspectResponse) int {
	return len(img.RootFS.Layers)
}

// graphData reads one of the overlay paths of inspect's GraphDriver.
func graphData(c container.InspectResponse, key string) string {
	if c.GraphDriver == nil {
		return ""
	}
	return c.GraphDriver.Data[key]
}

// fileErrorRules are the messages of cp and commit, tried before the
// general ones.
func fileErrorRules() []errorRule {
	return []errorRule{
		{
			re: regexp.MustCompile(`(?i)cannot overwrite (non-directory|directory) "([^"]+)" with (?:non-directory|directory)`),
			explain: func(m []string, _ string) (string, []string) {
				what := "un directorio"
				if strings.EqualFold(m[1], "non-directory") {
					what = "un archivo"
				}
				return "No se puede reemplazar " + code(m[2]), []string{
					"En el contenedor, " + code(m[2]) + " es " + what + " y lo que copias es de otro tipo: `cp` no cambia uno por otro.",
					"Elige otra ruta de destino, o borra antes lo que hay ahí.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)extraction point is not a directory|destination "[^"]*" must be a directory|no such directory`),
			explain: func(_ []string, _ string) (string, []string) {
				return "El destino no es un directorio", []string{
					"Para copiar ahí, el destino debe ser un directorio que ya exista (o, para un archivo, una carpeta que exista con el nombre nuevo).",
				}
			},
		},
	}
}
