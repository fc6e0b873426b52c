package explain

import (
	"fmt"
	"strings"

	"github.com/moby/moby/api/types/image"
)

// BuildStep is one step of a classic build, as the CLI saw it in the
// stream ("Step N/M : ...") and in the final image's history.
type BuildStep struct {
	Number      int    // 1-based
	Instruction string // as printed after "Step N/M : "
	Cached      bool   // " ---> Using cache"
	ImageID     string // the short ID printed after " ---> "
	Size        int64  // layer size from the final image's history row for this step (0: metadata only)
	Layer       bool   // the step added a layer (its image has one more than the previous step's)
}

// BuildData is what the CLI knows after a `build`.
type BuildData struct {
	Context    string                      // the path the student gave
	Dockerfile string                      // "Dockerfile" or -f
	Steps      []BuildStep                 // in stream order
	Image      image.InspectResponse       // the final image
	History    []image.HistoryResponseItem // the final image's history, newest first
	Tags       []string                    // -t, as typed
	Dangling   []image.InspectResponse     // images that lost a tag to this build
	Stages     int                         // FROM count
	BaseSize   int64                       // multi-stage: size of the image of the stage copied from (0 if unknown)
	StdinUsed  bool                        // a RUN tried to read standard input, which a build does not have
}

// Build explains a finished `build`: what each step did (a new layer, only
// metadata, or reused from the cache), the final stack of layers, the images
// left dangling and, in a multi-stage build, what was kept and what was
// left behind.
func Build(d BuildData) string {
	name := firstNonEmpty(firstOf(d.Tags), shortID(d.Image.ID), "IMAGEN")
	var md doc
	md.title("Imagen %s construida", code(name))
	ctx := firstNonEmpty(d.Context, ".")
	md.item("El cliente empaquetó el contexto de construcción (build context), %s, en un tar y se lo envió al daemon, que siguió las instrucciones de %s.",
		code(ctx), code(firstNonEmpty(d.Dockerfile, "Dockerfile")))
	if id := shortID(d.Image.ID); id != "" && len(d.Tags) > 0 {
		md.item("Su IMAGE ID es %s; %s %s.", code(id), plural(len(d.Tags), "la etiqueta (tag)", "las etiquetas (tags)"), codeListLimit(d.Tags, 4)+" "+plural(len(d.Tags), "apunta a él", "apuntan a él"))
	} else if id != "" {
		md.item("Su IMAGE ID es %s. No le diste nombre: usa %s para etiquetarla (tag).", code(id), code("-t nombre:tag"))
	}

	steps := d.Steps
	if len(steps) > 0 {
		md.item("Cada instrucción es un paso, y cada paso deja una capa intermedia (intermediate image) que sirve de caché a la próxima construcción (las ves con %s):", code("bolsillo images -a"))
		for _, s := range steps {
			fmt.Fprintf(&md.b, "  %d. %s: %s\n", s.Number, code(s.Instruction), stepSentence(s))
		}
	}
	if line := cacheSentence(steps); line != "" {
		md.item("%s", line)
	}
	if stack := layerStack(d); stack != "" {
		md.item("%s", stack)
	}
	if d.Stages > 1 {
		md.item("%s", stagesSentence(d))
	}
	for _, old := range d.Dangling {
		tag := ""
		if len(d.Tags) == 1 {
			tag = d.Tags[0]
		} else if t := firstOf(imageTags(old.RepoTags)); t != "" {
			tag = t
		}
		md.item("%s", danglingSentence(tag, old))
	}
	if d.StdinUsed {
		md.item("%s", stdinSentence(""))
	}
	md.item("Pruébala con %s; %s muestra sus capas una a una.", code("bolsillo run --rm "+runName(name)), code("bolsillo history "+runName(name)))
	return md.String()
}

// BuildError explains a RUN step that failed: which step, its exit code,
// that no image was tagged, and, when the output shows that the command
// waited for an answer, why commands must be non-interactive in a build.
func BuildError(step BuildStep, exitCode int, output string) string {
	var md doc
	instr := firstNonEmpty(step.Instruction, "RUN")
	if step.Number > 0 {
		md.title("Falló el paso %d: %s", step.Number, code(instr))
	} else {
		md.title("Falló %s", code(instr))
	}
	md.item("El comando terminó con el código de salida %s: todo lo que no sea 0 es un fallo, y la construcción se para en ese paso.", code(fmt.Sprint(exitCode)))
	md.item("No se etiquetó ninguna imagen y este paso no dejó ninguna capa: nada quedó a medias.")
	if AskedForInput(step.Instruction, output) {
		md.item("%s", stdinSentence(output))
	} else if last := lastLine(output); last != "" {
		md.item("Lo último que escribió fue %s: ahí suele estar la causa.", code(last))
	}
	md.item("Corrige el Dockerfile y repite %s: los pasos anteriores, que sí terminaron, saldrán de la caché.", code("bolsillo build"))
	return md.String()
}

// BuildLeftContainer says that the container of a failed step is still
// there, as Docker leaves it unless the build ran with --force-rm.
func BuildLeftContainer(id string) string {
	id = shortID(id)
	return fmt.Sprintf("- El contenedor del paso que falló, %s, sigue en el anfitrión (Docker solo lo borra con %s): míralo con %s y bórralo con %s.\n",
		code(id), code("--force-rm"), code("bolsillo ps -a"), code("bolsillo rm "+id))
}

// interactivePrompt matches what a command prints when it waits for an
// answer that never comes during a build.
var interactivePrompt = lazyRegexp(`(?i)(\[Y/n\]|\[y/N\]|\(y/n\)|Do you want to continue|Abort\.|unexpected EOF|end of file|EOFError|not a tty|Press \[?ENTER\]?|Please select|debconf: unable to initialize frontend|read: )`)

// readBuiltin matches the shell's `read` in a RUN instruction.
var readBuiltin = lazyRegexp(`(?:^|[\s;&|(])read(?:\s|$)`)

// AskedForInput reports whether a RUN step waited for an answer on its
// standard input: its output shows a question or an end of input, or its
// instruction uses the shell's `read`. A build has no standard input.
func AskedForInput(instruction, output string) bool {
	if instruction != "" && readBuiltin().MatchString(strings.TrimPrefix(strings.TrimSpace(instruction), "RUN")) {
		return true
	}
	return interactivePrompt().MatchString(output)
}

// aptQuestion is apt-get's confirmation prompt.
var aptQuestion = lazyRegexp(`(?i)Do you want to continue\? \[Y/n\]`)

// stdinSentence explains that a build has no standard input.
func stdinSentence(output string) string {
	s := "Durante una construcción no hay entrada estándar (stdin) ni teclado: nadie puede responder a una pregunta."
	if q := aptQuestion().FindString(output); q != "" {
		s += " `apt-get` preguntó " + code(q) + ", no recibió respuesta y abortó."
	}
	return s + " Usa comandos no interactivos: " + code("apt-get install -y PAQUETE") + ", y " +
		code("ARG DEBIAN_FRONTEND=noninteractive") + " para que los paquetes no pregunten nada; en vez de `read`, pasa el valor con " + code("ARG") + " y " + code("--build-arg") + "."
}

// stepSentence says what one step did.
func stepSentence(s BuildStep) string {
	var what string
	switch kw := keyword(s.Instruction); {
	case kw == "FROM":
		what = "la imagen base, el punto de partida"
		if rest := strings.Fields(s.Instruction); len(rest) > 1 {
			what = "la imagen base " + code(fromImage(s.Instruction))
		}
	case s.Cached:
		what = "reutilizada de la caché porque nada cambió"
	case kw == "WORKDIR" && s.Layer:
		what = "nueva capa, casi vacía: solo el directorio que creó"
	case s.Layer || kw == "RUN" || kw == "COPY" || kw == "ADD":
		if s.Size == 0 {
			what = "nueva capa, vacía: no cambió ningún archivo"
		} else {
			what = "nueva capa de " + humanSize(s.Size)
		}
	default:
		what = "solo metadatos, sin capa"
	}
	if s.ImageID != "" {
		what += " → " + code(shortID(s.ImageID))
	}
	return what
}

// cacheSentence summarizes how much came from the build cache.
func cacheSentence(steps []BuildStep) string {
	total, cached := 0, 0
	for _, s := range steps {
		if keyword(s.Instruction) == "FROM" {
			continue
		}
		total++
		if s.Cached {
			cached++
		}
	}
	switch {
	case total == 0:
		return ""
	case cached == total:
		return fmt.Sprintf("Los %d pasos salieron de la caché (build cache): ni las instrucciones ni los archivos copiados cambiaron. Con %s se rehacen todos.", total, code("--no-cache"))
	case cached > 0:
		return fmt.Sprintf("%d de %d pasos salieron de la caché (build cache). A partir del primer paso que cambió (una instrucción distinta o un archivo copiado distinto) se rehacen todos los siguientes.", cached, total)
	}
	return ""
}

// layerStack describes the final image from the top layer down: the layers
// this Dockerfile added and, below them, the base image.
func layerStack(d BuildData) string {
	n := len(d.Image.RootFS.Layers)
	if n == 0 {
		return ""
	}
	s := fmt.Sprintf("La imagen final es una pila de %d %s, %s en total.", n,
		plural(n, "capa de solo lectura (read-only layer)", "capas de solo lectura (read-only layers)"), humanSize(d.Image.Size))
	if len(d.Steps) == 0 {
		return s + " Un contenedor de esta imagen añadirá encima su propia capa de lectura y escritura."
	}
	final := finalStage(d.Steps)
	var rows []string
	var added int64
	for i := len(final) - 1; i >= 0; i-- {
		st := final[i]
		if kw := keyword(st.Instruction); st.Layer || kw == "RUN" || kw == "COPY" || kw == "ADD" {
			rows = append(rows, fmt.Sprintf("%s (%s)", code(st.Instruction), humanSize(st.Size)))
			added += st.Size
		}
	}
	base := "la imagen base"
	if keyword(final[0].Instruction) == "FROM" {
		base = "la imagen base " + code(fromImage(final[0].Instruction))
	}
	baseSize := historySizeFrom(d.History, final[0].ImageID)
	if baseSize < 0 {
		baseSize = max(d.Image.Size-added, 0)
	}
	if len(rows) > 0 {
		s += fmt.Sprintf(" Encima de %s (%s), este Dockerfile añadió, de arriba abajo: %s.", base, humanSize(baseSize), joinSpanish(rows))
	} else {
		s += " Los archivos son los de " + base + ": este Dockerfile solo cambió metadatos."
	}
	return s + " Un contenedor de esta imagen añadirá encima su propia capa de lectura y escritura."
}

// historySizeFrom adds the sizes of the history rows from the one of image
// id down to the oldest: the size of that image. It returns -1 when no row
// has that ID.
func historySizeFrom(history []image.HistoryResponseItem, id string) int64 {
	if id == "" {
		return -1
	}
	for i, row := range history {
		if shortID(row.ID) == shortID(id) {
			var total int64
			for _, r := range history[i:] {
				total += r.Size
			}
			return total
		}
	}
	return -1
}

// stagesSentence compares a multi-stage build's final image with what it
// left behind.
func stagesSentence(d BuildData) string {
	s := fmt.Sprintf("El Dockerfile tiene %d etapas (stages), una por `FROM`: la imagen final es solo la última.", d.Stages)
	var copies []string
	for _, st := range finalStage(d.Steps) {
		if keyword(st.Instruction) == "COPY" && strings.Contains(st.Instruction, "--from=") {
			copies = append(copies, st.Instruction)
		}
	}
	if len(copies) > 0 {
		s += " De las etapas anteriores se quedó solo lo que copiaste con " + codeListLimit(copies, 3) + "; el resto (compiladores, fuentes, cachés) se quedó atrás, en capas intermedias que no forman parte de la imagen."
	} else {
		s += " Nada pasó de las etapas anteriores a la final: sus capas se quedaron atrás como capas intermedias."
	}
	if d.BaseSize > 0 && d.Image.Size > 0 {
		s += fmt.Sprintf(" La etapa de la que copiaste ocupa %s; la imagen final, %s", humanSize(d.BaseSize), humanSize(d.Image.Size))
		if d.BaseSize > d.Image.Size {
			s += fmt.Sprintf(": %s menos", humanSize(d.BaseSize-d.Image.Size))
		}
		s += "."
	}
	return s
}

// finalStage returns the steps of the last stage, from its FROM on.
func finalStage(steps []BuildStep) []BuildStep {
	for i := len(steps) - 1; i >= 0; i-- {
		if keyword(steps[i].Instruction) == "FROM" {
			return steps[i:]
		}
	}
	return steps
}

// keyword returns an instruction's keyword in upper case.
func keyword(instruction string) string {
	kw, _, _ := strings.Cut(strings.TrimSpace(instruction), " ")
	return strings.ToUpper(kw)
}

// fromImage returns the image a FROM instruction names, without "AS name"
// and flags.
func fromImage(instruction string) string {
	fields := strings.Fields(instruction)
	for i, f := range fields {
		if i > 0 && !strings.HasPrefix(f, "--") {
			return f
		}
	}
	return "scratch"
}

// lastLine returns the last non-empty line of output, cut to fit.
func lastLine(output string) string {
	lines := strings.Split(strings.TrimSpace(output), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if r := []rune(last); len(r) > 120 {
		last = string(r[:120]) + "…"
	}
	return last
}

// firstOf returns the first element of s, or "".
func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
