package explain

import (
	"fmt"
	"strings"

	"github.com/moby/moby/api/types/image"
)

// danglingTag is how docker lists an image that lost its tag.
const danglingTag = "<none>:<none>"

// ImageInspect explains the image data that `image inspect` printed.
func ImageInspect(img image.InspectResponse) string {
	tags := imageTags(img.RepoTags)
	var md doc
	if len(tags) > 0 {
		md.title("Imagen %s (%s)", code(tags[0]), code(shortID(img.ID)))
	} else {
		md.title("Imagen %s", code(shortID(img.ID)))
	}
	md.item("%s `RootFS.Layers` lista el digest de cada una.", layersSentence(img))
	md.item("`Id` (%s) es el hash sha256 de su configuración; `images` muestra sus primeros 12 caracteres.", code(img.ID))
	switch len(tags) {
	case 0:
		md.item("No tiene etiqueta (tag): es una imagen colgada (dangling), %s.", code(danglingTag))
	default:
		md.item("`RepoTags`: %s; todas apuntan a este mismo ID.", codeList(tags))
	}
	if line := imageConfigSentence(img); line != "" {
		md.item("%s", line)
	}
	md.item("Mira cómo se formó capa a capa con %s.", code("bolsillo history "+imageArg(img)))
	return md.String()
}

// Images explains the image list: tags, latest, IDs and dangling images.
func Images(list []image.Summary) string {
	var tags []string
	var dangling []string
	byID := map[string][]string{}
	var sharedID string
	for _, s := range list {
		t := imageTags(s.RepoTags)
		if len(t) == 0 {
			dangling = append(dangling, shortID(s.ID))
			continue
		}
		tags = append(tags, t...)
		byID[s.ID] = append(byID[s.ID], t...)
		if sharedID == "" && len(byID[s.ID]) > 1 {
			sharedID = s.ID
		}
	}

	var md doc
	md.title("%d %s en el anfitrión", len(list), plural(len(list), "imagen", "imágenes"))
	if len(tags) > 0 {
		md.item("Cada imagen se nombra %s; la etiqueta (tag) marca la versión y, si no escribes ninguna, es %s. Aquí: %s.", code("repositorio:tag"), code("latest"), codeListLimit(tags, 5))
	} else {
		md.item("Cada imagen se nombra %s; la etiqueta (tag) marca la versión y, si no escribes ninguna, es %s.", code("repositorio:tag"), code("latest"))
	}
	if len(list) > 0 {
		first := list[0]
		md.item("`IMAGE ID` es el hash sha256 de la configuración de la imagen, recortado a 12 caracteres: %s es %s.", code(shortID(first.ID)), code(summaryImageName(first)))
	}
	if sharedID != "" {
		md.item("%s comparten el ID %s: es una sola imagen con varias etiquetas.", codeList(byID[sharedID]), code(shortID(sharedID)))
	}
	if line := latestSentence(list); line != "" {
		md.item("%s", line)
	}
	if n := len(dangling); n > 0 {
		md.item("%d %s (dangling), %s: %s cuando otra imagen tomó su nombre. Lístalas con %s y borra una con %s.",
			n, plural(n, "imagen colgada", "imágenes colgadas"), code(danglingTag), plural(n, "perdió su etiqueta", "perdieron su etiqueta"),
			code("bolsillo images -f dangling=true"), code("bolsillo rmi "+dangling[0]))
	} else {
		md.item("No hay imágenes colgadas (dangling, %s).", code(danglingTag))
	}
	return md.String()
}

// Import explains an `import`: a tar became an image of one layer.
func Import(img image.InspectResponse, ref string, dangling *image.InspectResponse) string {
	name := ref
	if name == "" {
		name = imageArg(img)
	}
	var md doc
	md.title("Imagen %s importada desde un tar", code(name))
	n := len(img.RootFS.Layers)
	md.item("El contenido del tar se convirtió en %d %s, %s.", n, plural(n, "capa de solo lectura (read-only layer)", "capas de solo lectura (read-only layers)"), humanSize(img.Size))
	md.item("Su ID es %s (%s en `images`).", code(img.ID), code(shortID(img.ID)))
	if img.Config != nil && len(img.Config.Cmd) > 0 {
		md.item("Su `CMD` (comando por defecto) es %s: lo ejecutará %s.", code(commandLine(img.Config.Cmd)), code("bolsillo run "+name))
	} else {
		md.item("No tiene `CMD` (comando por defecto): escribe el comando al usarla, %s.", code("bolsillo run "+name+" COMANDO"))
	}
	md.item("Un tar no trae historial: la imagen empieza en esta capa, sin `FROM`.")
	if dangling != nil {
		md.item("%s", danglingSentence(name, *dangling))
	}
	return md.String()
}

// LabInit explains `lab init`: the host's busybox became an image.
func LabInit(img image.InspectResponse, busyboxPath string) string {
	name := imageArg(img)
	var md doc
	md.title("Imagen %s lista para el aula", code(name))
	if busyboxPath != "" {
		md.item("Se hizo con el busybox de tu máquina, %s, sin descargar nada de internet.", code(busyboxPath))
	} else {
		md.item("Se hizo con el busybox de tu máquina, sin descargar nada de internet.")
	}
	md.item("%s Su ID es %s.", layersSentence(img), code(shortID(img.ID)))
	if img.Config != nil && len(img.Config.Cmd) > 0 {
		md.item("Su `CMD` (comando por defecto) es %s.", code(commandLine(img.Config.Cmd)))
	}
	md.item("Pruébala: %s, y mírala en %s.", code("bolsillo run "+runName(name)+" echo hola"), code("bolsillo images"))
	return md.String()
}

// imageLayersSentence describes an image's read-only layers for run and create.
func imageLayersSentence(img image.InspectResponse, ref string) string {
	n := len(img.RootFS.Layers)
	if n == 0 && img.Size == 0 {
		return fmt.Sprintf("La imagen %s aporta las capas de solo lectura (read-only layers): nadie las modifica.", code(ref))
	}
	return fmt.Sprintf("La imagen %s aporta %d %s, %s en total: nadie %s modifica y %s comparten todos sus contenedores.",
		code(ref), n, plural(n, "capa de solo lectura (read-only layer)", "capas de solo lectura (read-only layers)"),
		humanSize(img.Size), plural(n, "la", "las"), plural(n, "la", "las"))
}

// layersSentence counts an image's layers and their size.
func layersSentence(img image.InspectResponse) string {
	n := len(img.RootFS.Layers)
	return fmt.Sprintf("Tiene %d %s, %s en total.", n, plural(n, "capa de solo lectura (read-only layer)", "capas de solo lectura (read-only layers)"), humanSize(img.Size))
}

// imageConfigSentence summarizes what a container of img runs by default.
func imageConfigSentence(img image.InspectResponse) string {
	if img.Config == nil {
		return ""
	}
	cfg := img.Config
	var parts []string
	if len(cfg.Entrypoint) > 0 {
		parts = append(parts, fmt.Sprintf("`Config.Entrypoint` es %s", code(commandLine(cfg.Entrypoint))))
	}
	if len(cfg.Cmd) > 0 {
		parts = append(parts, fmt.Sprintf("`Config.Cmd` es %s", code(commandLine(cfg.Cmd))))
	}
	if n := len(cfg.Env); n > 0 {
		parts = append(parts, fmt.Sprintf("`Config.Env` trae %d %s", n, plural(n, "variable de entorno", "variables de entorno")))
	}
	if cfg.WorkingDir != "" {
		parts = append(parts, fmt.Sprintf("`Config.WorkingDir` es %s", code(cfg.WorkingDir)))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Lo que heredan sus contenedores: " + joinSpanish(parts) + "."
}

// imageTags returns the real tags, dropping the "<none>:<none>" placeholder.
func imageTags(repoTags []string) []string {
	var tags []string
	for _, t := range repoTags {
		if t != "" && t != danglingTag {
			tags = append(tags, t)
		}
	}
	return tags
}

// imageArg is how the student refers to img in a command: its first tag or
// its short ID.
func imageArg(img image.InspectResponse) string {
	if tags := imageTags(img.RepoTags); len(tags) > 0 {
		return tags[0]
	}
	if id := shortID(img.ID); id != "" {
		return id
	}
	return "IMAGEN"
}

// summaryImageName is a listed image's first tag, or the dangling placeholder.
func summaryImageName(s image.Summary) string {
	if tags := imageTags(s.RepoTags); len(tags) > 0 {
		return tags[0]
	}
	return danglingTag
}

// runName drops the default ":latest" tag, as a student would type it.
func runName(ref string) string {
	return strings.TrimSuffix(ref, ":latest")
}

// latestSentence explains that `latest` is only a name, with the student's
// images: when another tag of the same repository is newer than its
// `latest`, it says so. It returns "" when no image is tagged latest.
func latestSentence(list []image.Summary) string {
	type tagged struct {
		img image.Summary
		tag string
	}
	var latest []tagged
	for _, s := range list {
		for _, t := range imageTags(s.RepoTags) {
			if _, tag, _ := cutTag(t); tag == "latest" {
				latest = append(latest, tagged{s, t})
				break
			}
		}
	}
	if len(latest) == 0 {
		return ""
	}
	for _, l := range latest {
		repo, _, _ := cutTag(l.tag)
		for _, s := range list {
			if s.ID == l.img.ID || s.Created <= l.img.Created {
				continue
			}
			for _, t := range imageTags(s.RepoTags) {
				if r, _, _ := cutTag(t); r == repo {
					return fmt.Sprintf("%s es solo un nombre, no «la más nueva»: aquí %s es más reciente que %s (columna `CREATED`).", code("latest"), code(t), code(l.tag))
				}
			}
		}
	}
	return fmt.Sprintf("%s no significa «la más nueva»: es solo un nombre, y %s no se mueve sola cuando sale otra versión.", code("latest"), code(latest[0].tag))
}

// cutTag splits "repo:tag" at the tag's colon, leaving a registry port alone.
func cutTag(ref string) (repo, tag string, found bool) {
	i := strings.LastIndexByte(ref, ':')
	if i < 0 || i < strings.LastIndexByte(ref, '/') {
		return ref, "", false
	}
	return ref[:i], ref[i+1:], true
}
