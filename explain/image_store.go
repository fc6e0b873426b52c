package explain

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/moby/moby/api/types/image"
)

// missingID is the ID `history` shows for a layer built elsewhere.
const missingID = "<missing>"

// Tag explains a `tag`: target is a new name for src's image ID; nothing
// is copied. dangling is the image target pointed at before, now
// <none>:<none>, or nil.
func Tag(src image.InspectResponse, target string, dangling *image.InspectResponse) string {
	n, ok := parseImageName(target)
	newName := target
	if ok {
		newName = n.Familiar
	}
	var others []string
	for _, t := range imageTags(src.RepoTags) {
		if t != newName {
			others = append(others, t)
		}
	}
	id := shortID(src.ID)

	var md doc
	if len(others) > 0 {
		md.title("%s es otro nombre para %s", code(newName), code(others[0]))
		names := append(slices.Clone(others), newName)
		md.item("Ahora %s apuntan al mismo IMAGE ID, %s: una sola imagen con %d nombres.", codeListLimit(names, 4), code(id), len(names))
	} else {
		md.title("La imagen %s se llama ahora %s", code(id), code(newName))
		md.item("%s apunta al IMAGE ID %s, que no tenía ningún otro nombre.", code(newName), code(id))
	}
	md.item("No se copió nada, ni capas ni configuración: `tag` solo añade un nombre que apunta a ese ID. `images` lo lista en otra línea con el mismo tamaño (%s), pero en disco está una vez.", humanSize(src.Size))
	if ok && n.TagImplied {
		md.item("No escribiste etiqueta (tag), así que es %s: solo un nombre, no «la más nueva».", code(n.Tag))
	}
	if ok && !n.isDockerHub() {
		md.item("El nombre empieza por el registro %s: %s la subirá allí.", code(n.Domain), code("bolsillo push "+newName))
	}
	if dangling != nil {
		md.item("%s", danglingSentence(newName, *dangling))
	}
	if len(others) > 0 {
		md.item("%s quita solo el nombre nuevo: la imagen sigue ahí como %s.", code("bolsillo rmi "+newName), code(others[0]))
	}
	return md.String()
}

// Rmi explains an `rmi`: which names were only untagged, which images were
// deleted, and that layers shared with other images stay. refs are the names
// the student typed, before the images they pointed at (inspected before the
// removal) and items every Untagged/Deleted line the daemon answered.
//
// intermediate are the untagged parents of those images (the intermediate
// images of their builds), inspected before too: the daemon removes them
// with the image, and their Deleted lines are images, not layers.
func Rmi(refs []string, before, intermediate []image.InspectResponse, items []image.DeleteResponse) string {
	var untagged, deleted []string
	for _, it := range items {
		if it.Untagged != "" {
			untagged = append(untagged, it.Untagged)
		}
		if it.Deleted != "" {
			deleted = append(deleted, it.Deleted)
		}
	}
	isDeleted := map[string]bool{}
	for _, d := range deleted {
		isDeleted[shortID(d)] = true
	}
	var gone, kept []image.InspectResponse
	imageIDs := map[string]bool{}
	for _, img := range before {
		if imageIDs[shortID(img.ID)] {
			continue
		}
		imageIDs[shortID(img.ID)] = true
		if isDeleted[shortID(img.ID)] {
			gone = append(gone, img)
		} else {
			kept = append(kept, img)
		}
	}
	var goneIntermediate int
	for _, img := range intermediate {
		if id := shortID(img.ID); !imageIDs[id] {
			imageIDs[id] = true
			if isDeleted[id] {
				goneIntermediate++
			}
		}
	}
	var layerLines int
	for _, d := range deleted {
		if !imageIDs[shortID(d)] {
			layerLines++
		}
	}

	var md doc
	switch {
	case len(gone) == 1:
		md.title("Imagen %s borrada", code(firstNonEmpty(firstTag(gone[0]), shortID(gone[0].ID))))
	case len(gone) > 1:
		md.title("%d imágenes borradas", len(gone))
	case len(deleted) > 0:
		md.title("Imagen %s borrada", code(shortID(deleted[0])))
	case len(untagged) == 1:
		md.title("Etiqueta %s quitada; la imagen sigue", code(untagged[0]))
	case len(untagged) > 1:
		md.title("%d etiquetas quitadas; las imágenes siguen", len(untagged))
	default:
		md.title("Nada que borrar en %s", codeListLimit(refs, 3))
	}
	if k := len(untagged); k > 0 {
		md.item("`Untagged` quitó %d %s: %s. Un nombre (%s) solo es una etiqueta que apunta a un IMAGE ID.",
			k, plural(k, "nombre", "nombres"), codeListLimit(untagged, 4), code("repositorio:tag"))
	}
	for _, img := range kept {
		if rest := remainingTags(img, untagged); len(rest) > 0 {
			md.item("La imagen %s sigue en el anfitrión como %s: `rmi` de un nombre solo borra la imagen cuando era el último.", code(shortID(img.ID)), codeListLimit(rest, 3))
		}
	}
	for _, img := range gone {
		md.item("`Deleted` borró la imagen %s, de %s, porque ya no le quedaba ningún nombre.", code(shortID(img.ID)), humanSize(img.Size))
	}
	if goneIntermediate > 0 {
		md.item("Con %s se %s %d %s de su construcción (intermediate images, las que `images -a` muestra): eran su caché.",
			plural(len(gone), "ella", "ellas"), plural(goneIntermediate, "fue", "fueron"), goneIntermediate, plural(goneIntermediate, "imagen intermedia", "imágenes intermedias"))
	}
	// Layers are counted once: images of one build share most of theirs.
	distinct := map[string]bool{}
	for _, img := range gone {
		for _, l := range img.RootFS.Layers {
			distinct[l] = true
		}
	}
	total := len(distinct)
	with := plural(len(gone), "Con ella", "Con ellas")
	switch {
	case layerLines > 0 && total > layerLines:
		rest := total - layerLines
		md.item("%s %s %d %s que ya no usaba nadie (las otras líneas `Deleted`); %s con otras imágenes y se %s.",
			with, plural(layerLines, "se borró", "se borraron"), layerLines, plural(layerLines, "capa", "capas"),
			plural(rest, "la otra capa se comparte", fmt.Sprintf("las otras %d capas se comparten", rest)), plural(rest, "queda", "quedan"))
	case layerLines > 0:
		md.item("%s %s %d %s que ya no usaba nadie (las otras líneas `Deleted`).", with, plural(layerLines, "se borró", "se borraron"), layerLines, plural(layerLines, "capa", "capas"))
	case len(deleted) > 0:
		md.item("Las capas que comparte con otras imágenes se quedan: solo se borran las que ya no usa nadie.")
	}
	md.item("Compruébalo con %s.", code("bolsillo images"))
	return md.String()
}

// firstTag is the first real tag of img, or "".
func firstTag(img image.InspectResponse) string {
	if tags := imageTags(img.RepoTags); len(tags) > 0 {
		return tags[0]
	}
	return ""
}

// remainingTags are img's tags that were not untagged.
func remainingTags(img image.InspectResponse, untagged []string) []string {
	var rest []string
	for _, t := range imageTags(img.RepoTags) {
		if !slices.Contains(untagged, t) && !slices.Contains(untagged, "docker.io/library/"+t) {
			rest = append(rest, t)
		}
	}
	return rest
}

// History explains `history`: one row per instruction, 0 B rows that only
// changed metadata, <missing> rows that came from a registry, and when.
func History(img image.InspectResponse, rows []image.HistoryResponseItem) string {
	return historyAt(img, rows, time.Now())
}

// historyAt is History with the current time given, so that "hace 3
// minutos" can be tested.
func historyAt(img image.InspectResponse, rows []image.HistoryResponseItem, now time.Time) string {
	name := imageArg(img)
	var md doc
	if len(rows) == 0 {
		md.title("Historial de %s", code(name))
		md.item("El daemon no devolvió ninguna fila de historial para esta imagen.")
		md.item("%s", layersSentence(img))
		return md.String()
	}
	md.title("Historial de %s: %d %s", code(name), len(rows), plural(len(rows), "instrucción", "instrucciones"))
	md.item("Cada fila es una instrucción que formó la imagen: arriba la más reciente, abajo la base.")

	var sized, empty []image.HistoryResponseItem
	var missing int
	var sum int64
	for _, r := range rows {
		sum += r.Size
		if r.Size > 0 {
			sized = append(sized, r)
		} else {
			empty = append(empty, r)
		}
		if r.ID == missingID {
			missing++
		}
	}
	if k := len(sized); k > 0 {
		largest := sized[0]
		for _, r := range sized[1:] {
			if r.Size > largest.Size {
				largest = r
			}
		}
		if k == 1 {
			md.item("Solo %s añadió archivos, %s: es su capa de solo lectura.", rowName(largest), humanSize(largest.Size))
		} else {
			md.item("%d filas añadieron archivos y son sus capas de solo lectura; suman %s. La mayor, %s, ocupa %s.",
				k, humanSize(sum), rowName(largest), humanSize(largest.Size))
		}
	}
	if k := len(empty); k > 0 {
		var examples []string
		for _, r := range empty {
			if s := instruction(r.CreatedBy); s != "" && !slices.Contains(examples, s) {
				examples = append(examples, s)
			}
		}
		line := fmt.Sprintf("%d %s de `0B` solo %s metadatos", k, plural(k, "fila", "filas"), plural(k, "cambió", "cambiaron"))
		if len(examples) > 0 {
			line += ", como " + codeListLimit(examples, 2)
		}
		md.item("%s: no %s ninguna capa.", line, plural(k, "añadió", "añadieron"))
	}
	if missing > 0 {
		md.item("%d %s %s: no %s imagen propia en este anfitrión porque %s de un registro (registry), que no guarda las imágenes intermedias de la construcción. Solo tiene ID la fila de arriba, la imagen %s.",
			missing, plural(missing, "fila es", "filas son"), code(missingID), plural(missing, "tiene", "tienen"), plural(missing, "llegó", "llegaron"), code(shortID(img.ID)))
	}
	for _, r := range rows {
		if c := strings.TrimSpace(r.Comment); c != "" {
			md.item("La columna `COMMENT` dice %s: una nota que guardan `import` y `commit`.", code(c))
			break
		}
	}
	newest, oldest := rows[0], rows[len(rows)-1]
	if newest.Created == oldest.Created {
		md.item("Se creó %s.", ago(time.Unix(newest.Created, 0), now))
	} else {
		md.item("La fila más reciente se creó %s; la más antigua, %s.", ago(time.Unix(newest.Created, 0), now), ago(time.Unix(oldest.Created, 0), now))
	}
	md.item("Lee cada instrucción completa con %s.", code("bolsillo history --no-trunc "+runName(name)))
	return md.String()
}

// instructionLen is how much of an instruction an explanation quotes.
const instructionLen = 48

// instruction turns a CreatedBy value into the Dockerfile instruction it
// came from, shortened: `/bin/sh -c #(nop)  CMD ["sh"]` becomes `CMD ["sh"]`.
func instruction(createdBy string) string {
	s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(createdBy), "# buildkit"))
	if _, after, found := strings.Cut(s, "#(nop)"); found {
		s = after
	} else if _, after, found := strings.Cut(s, "/bin/sh -c "); found && !strings.HasPrefix(s, "RUN ") {
		s = "RUN " + after
	}
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > instructionLen {
		s = string([]rune(s)[:instructionLen-1]) + "…"
	}
	return s
}

// rowName names a history row by its instruction, or by its ID when it has
// none (an imported layer).
func rowName(r image.HistoryResponseItem) string {
	if s := instruction(r.CreatedBy); s != "" {
		return code(s)
	}
	if r.ID != "" && r.ID != missingID {
		return "la fila " + code(shortID(r.ID))
	}
	return "una fila sin `CREATED BY`"
}

// ImagePrune explains `image prune`: without all only dangling images go,
// with all every image no container uses.
func ImagePrune(r image.PruneReport, all bool) string {
	var untagged, deleted []string
	for _, it := range r.ImagesDeleted {
		if it.Untagged != "" {
			untagged = append(untagged, it.Untagged)
		}
		if it.Deleted != "" {
			deleted = append(deleted, shortID(it.Deleted))
		}
	}
	var md doc
	if len(r.ImagesDeleted) == 0 {
		md.title("No había imágenes que borrar")
	} else {
		md.title("`image prune` liberó %s", humanSize(int64(r.SpaceReclaimed)))
	}
	if all {
		md.item("Con `-a` borra todas las imágenes que no usa ningún contenedor, tengan etiqueta o no.")
	} else {
		md.item("Sin `-a` solo borra imágenes colgadas (dangling, %s): las que perdieron su etiqueta cuando otra imagen tomó su nombre.", code(danglingTag))
	}
	if k := len(untagged); k > 0 {
		md.item("Quitó %d %s (`Untagged`): %s.", k, plural(k, "nombre", "nombres"), codeListLimit(untagged, 4))
	}
	if k := len(deleted); k > 0 {
		md.item("Borró %d %s (`Deleted`), imágenes y capas que ya no usaba nadie: %s.", k, plural(k, "objeto", "objetos"), codeListLimit(deleted, 4))
		md.item("`Total reclaimed space`, %s, es lo que ocupaban en disco.", humanSize(int64(r.SpaceReclaimed)))
	}
	md.item("Las imágenes que usa algún contenedor, aunque esté detenido, nunca se borran.")
	if !all {
		md.item("Para borrar también las que tienen etiqueta y no usa ningún contenedor: %s (luego tendrás que volver a descargarlas).", code("bolsillo image prune -a"))
	}
	return md.String()
}

// Save explains `save`: the docker-archive tar at path holds imgs; bytes is
// its size. An empty path means the tar went to standard output.
func Save(path string, imgs []image.InspectResponse, bytes int64) string {
	where := "la salida estándar"
	if path != "" {
		where = code(path)
	}
	var names []string
	for _, img := range imgs {
		names = append(names, imageArg(img))
	}
	distinct, shared := countLayers(imgs)
	var md doc
	md.title("%d %s en %s", len(imgs), plural(len(imgs), "imagen guardada", "imágenes guardadas"), where)
	if len(names) > 0 {
		md.item("Guardó %s, con sus nombres, su configuración y sus capas.", codeListLimit(names, 4))
	}
	md.item("Es un tar en formato docker-archive: `manifest.json` dice qué configuración y qué capas forman cada nombre, `repositories` guarda las etiquetas, y cada capa va como un tar dentro.")
	if k := distinct; k > 0 {
		line := fmt.Sprintf("Lleva %d %s distintas", k, plural(k, "capa", "capas"))
		if k == 1 {
			line = "Lleva 1 capa"
		}
		if shared > 0 {
			line += ": " + plural(shared, "1 la comparten varias imágenes y va una sola vez", fmt.Sprintf("%d las comparten varias imágenes y van una sola vez", shared))
		}
		if bytes > 0 {
			line += fmt.Sprintf("; el tar ocupa %s", humanSize(bytes))
		}
		md.item("%s.", line)
	} else if bytes > 0 {
		md.item("El tar ocupa %s.", humanSize(bytes))
	}
	file := firstNonEmpty(path, "imagenes.tar")
	if len(imgs) > 0 {
		md.item("Llévalo a otra máquina, sin registro ni internet, y cárgalo con %s: conservan su IMAGE ID (%s).", code("bolsillo load -i "+file), code(shortID(imgs[0].ID)))
	} else {
		md.item("Cárgalo en otra máquina con %s.", code("bolsillo load -i "+file))
	}
	if path != "" {
		md.item("Mira qué hay dentro con %s.", code("tar tf "+path))
	}
	return md.String()
}

// Load explains `load`: lines are the daemon's "Loaded image: ..." and
// "Loaded image ID: ..." lines, imgs the loaded images and dangling those
// that lost their tag to them.
func Load(lines []string, imgs []image.InspectResponse, dangling []image.InspectResponse) string {
	var names, ids []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if id, found := strings.CutPrefix(l, "Loaded image ID: "); found {
			ids = append(ids, shortID(id))
		} else if name, found := strings.CutPrefix(l, "Loaded image: "); found {
			names = append(names, name)
		}
	}
	count := len(imgs)
	if count == 0 {
		count = len(names) + len(ids)
	}
	var md doc
	md.title("%d %s desde un tar", count, plural(count, "imagen cargada", "imágenes cargadas"))
	if len(names) > 0 {
		md.item("Cada línea `Loaded image` es un nombre que ahora apunta a una imagen del tar: %s.", codeListLimit(names, 4))
	}
	if len(ids) > 0 {
		md.item("`Loaded image ID` (%s) es una imagen que venía sin nombre: sale como %s hasta que le pongas uno con %s.",
			codeListLimit(ids, 3), code(danglingTag), code("bolsillo tag "+ids[0]+" NOMBRE:TAG"))
	}
	if len(imgs) > 0 {
		var idList []string
		var size int64
		for _, img := range imgs {
			idList = append(idList, shortID(img.ID))
			size += img.Size
		}
		layers, shared := countLayers(imgs)
		sizeNote := ""
		if shared == 0 {
			sizeNote = ", " + humanSize(size) + ","
		}
		md.item("Trajo %d %s%s y el mismo IMAGE ID que en la máquina donde se guardó (%s): el ID es el hash de la configuración.",
			layers, plural(layers, "capa de solo lectura", "capas de solo lectura"), sizeNote, codeListLimit(idList, 3))
	}
	switch k := len(dangling); {
	case k == 1:
		md.item("%s", danglingSentence(loadedNameFor(names), dangling[0]))
	case k > 1:
		var idList []string
		var size int64
		for _, img := range dangling {
			idList = append(idList, shortID(img.ID))
			size += img.Size
		}
		md.item("%d imágenes perdieron su nombre y quedaron colgadas (dangling, %s): %s, %s en total. Bórralas con %s.",
			k, code(danglingTag), codeListLimit(idList, 3), humanSize(size), code("bolsillo image prune"))
	}
	md.item("No hizo falta ningún registro ni internet. Compruébalo con %s.", code("bolsillo images"))
	return md.String()
}

// loadedNameFor is the name that moved when a single image was left
// dangling by a load of one name; "" when it cannot be told.
func loadedNameFor(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return ""
}

// countLayers counts the distinct layers of imgs and how many of them more
// than one image uses.
func countLayers(imgs []image.InspectResponse) (distinct, shared int) {
	uses := map[string]int{}
	for _, img := range imgs {
		for _, l := range slices.Compact(slices.Sorted(slices.Values(img.RootFS.Layers))) {
			uses[l]++
		}
	}
	for _, n := range uses {
		if n > 1 {
			shared++
		}
	}
	return len(uses), shared
}
