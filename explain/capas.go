package explain

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/muesli/termenv"
)

// LayersData is what a layer diagram reads, all of it from the Docker API.
type LayersData struct {
	Image   image.InspectResponse
	History []image.HistoryResponseItem // newest first, as `history` returns it
	// Others are the other local images (inspected), to mark the layers
	// this image shares with them.
	Others []image.InspectResponse
	// Container is set for a container's diagram: its inspect (with size)
	// and its changes (`diff`).
	Container *container.InspectResponse
	Changes   []container.FilesystemChange
	// Waste is nil when the layers' contents were not read.
	Waste *WasteReport
	// Ref is the image as the student named it ("busybox"): the title
	// uses that tag when the image has several.
	Ref string
}

// RowKind tells what a row of a diagram stands for.
type RowKind int

const (
	// RowWritable is a container's read-write layer.
	RowWritable RowKind = iota
	// RowLayer is a read-only layer of the image.
	RowLayer
	// RowMetadata is a history step that changed only the configuration.
	RowMetadata
)

// DiagramRow is one row of a layer diagram.
type DiagramRow struct {
	Kind        RowKind
	Number      int    // RowLayer: 1 for the base layer, counting up
	Instruction string // shortened, from history CreatedBy
	Size        int64
	SizeKnown   bool
	Shared      []string // other images that use this layer
	Wasted      int64    // bytes of this layer that a later layer deleted or replaced

	// RowWritable only.
	Path                    string // UpperDir, when the storage driver reports it
	Added, Changed, Deleted int
}

// Diagram is a layer stack ready to draw: rows from the newest (top) to
// the base (bottom).
type Diagram struct {
	Title     string // what is drawn, in plain words
	Ref       string // what the student types to see it again
	ImageName string
	Rows      []DiagramRow
	Layers    int   // read-only layers
	Size      int64 // the image's size
	Container bool
	Waste     *WasteReport
}

// tagOf is ref as a tag: "busybox" is "busybox:latest".
func tagOf(ref string) string {
	if ref == "" || strings.Contains(ref, "@") {
		return ref
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref
	}
	return ref + ":latest"
}

// Layers builds the diagram of an image, or of a container over its image.
func Layers(d LayersData) Diagram {
	img := d.Image
	dg := Diagram{
		ImageName: imageArg(img),
		Ref:       imageArg(img),
		Layers:    len(img.RootFS.Layers),
		Size:      img.Size,
		Waste:     d.Waste,
	}
	if tags := imageTags(img.RepoTags); len(tags) > 0 && shortID(img.ID) != "" {
		name := tags[0]
		if t := tagOf(d.Ref); slices.Contains(tags, t) {
			name = t
		}
		dg.Title = fmt.Sprintf("Capas de la imagen %s (%s)", name, shortID(img.ID))
	} else {
		dg.Title = "Capas de la imagen " + dg.ImageName
	}
	if c := d.Container; c != nil {
		dg.Container = true
		dg.Ref = containerRef(*c)
		if c.Config != nil && c.Config.Image != "" && !strings.HasPrefix(c.Config.Image, "sha256:") {
			dg.ImageName = c.Config.Image
		}
		dg.Title = fmt.Sprintf("Capas del contenedor %s (imagen %s)", containerName(*c), dg.ImageName)
		rw := DiagramRow{Kind: RowWritable, Instruction: "capa de lectura y escritura", Path: upperDir(*c)}
		if c.SizeRw != nil {
			rw.Size, rw.SizeKnown = *c.SizeRw, true
		}
		for _, ch := range d.Changes {
			switch ch.Kind {
			case container.ChangeAdd:
				rw.Added++
			case container.ChangeDelete:
				rw.Deleted++
			default:
				rw.Changed++
			}
		}
		dg.Rows = append(dg.Rows, rw)
	}

	shared := sharedLayers(img, d.Others)
	wasted := make([]int64, len(img.RootFS.Layers))
	if d.Waste != nil {
		for _, w := range d.Waste.Items {
			// A deleted directory may span layers: charge it to the lowest.
			if len(w.AddedIn) > 0 && w.AddedIn[0] < len(wasted) {
				wasted[w.AddedIn[0]] += w.Size
			}
		}
	}
	steps := imageSteps(img, d.History)
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		row := DiagramRow{Kind: RowMetadata, Instruction: s.instruction, Size: s.size, SizeKnown: s.sizeKnown}
		if s.layer >= 0 {
			row.Kind = RowLayer
			row.Number = s.layer + 1
			row.Shared = shared[s.layer]
			row.Wasted = wasted[s.layer]
		}
		dg.Rows = append(dg.Rows, row)
	}
	return dg
}

// historyStep is one history row matched with the layer it added.
type historyStep struct {
	instruction string
	size        int64
	sizeKnown   bool
	layer       int // index in RootFS.Layers; -1 for metadata only
}

// metadataKeywords are the instructions that never add a layer.
var metadataKeywords = []string{"CMD", "ENTRYPOINT", "ENV", "LABEL", "EXPOSE", "USER", "ARG", "VOLUME", "STOPSIGNAL", "HEALTHCHECK", "SHELL", "ONBUILD", "MAINTAINER"}

// alignHistory matches history rows (newest first) with the image's layers
// (base first) and returns the steps base first. The API does not say which
// rows added a layer: rows with a size did; of the 0-byte rows, as many as
// layers are left unmatched did, preferring RUN, COPY and ADD, then the rest
// that are not pure metadata. Layers without any row (an imported image
// with a short history) come first, as "sin historial".
func alignHistory(layers []string, history []image.HistoryResponseItem) []historyStep {
	rows := slices.Clone(history)
	slices.Reverse(rows)
	isLayer := make([]bool, len(rows))
	n := 0
	for i, r := range rows {
		if r.Size > 0 && n < len(layers) {
			isLayer[i] = true
			n++
		}
	}
	for _, pass := range []func(kw string) bool{
		func(kw string) bool { return kw == "RUN" || kw == "COPY" || kw == "ADD" },
		func(kw string) bool { return !slices.Contains(metadataKeywords, kw) },
	} {
		for i := len(rows) - 1; i >= 0 && n < len(layers); i-- {
			if !isLayer[i] && rows[i].Size == 0 && pass(keyword(instruction(rows[i].CreatedBy))) {
				isLayer[i] = true
				n++
			}
		}
	}
	var steps []historyStep
	for range len(layers) - n {
		steps = append(steps, historyStep{instruction: "(sin historial)", layer: len(steps)})
	}
	next := len(steps)
	for i, r := range rows {
		s := historyStep{instruction: firstNonEmpty(layerInstruction(r.CreatedBy), strings.TrimSpace(r.Comment), "(sin instrucción)"), size: r.Size, sizeKnown: true, layer: -1}
		if isLayer[i] {
			s.layer = next
			next++
		}
		steps = append(steps, s)
	}
	return steps
}

// imageSteps is alignHistory for img; when a single layer has no history
// row, its size is what the image's size leaves for it.
func imageSteps(img image.InspectResponse, history []image.HistoryResponseItem) []historyStep {
	steps := alignHistory(img.RootFS.Layers, history)
	unknown := -1
	known := int64(0)
	for i, s := range steps {
		switch {
		case s.layer < 0:
		case !s.sizeKnown && unknown >= 0:
			return steps // more than one: nothing to deduce
		case !s.sizeKnown:
			unknown = i
		default:
			known += s.size
		}
	}
	if unknown >= 0 && img.Size >= known {
		steps[unknown].size, steps[unknown].sizeKnown = img.Size-known, true
	}
	return steps
}

// longDigest is a content hash inside an instruction, as the classic
// builder writes COPY and ADD: "COPY file:f3e5a582ea49…(64 hex) in /www/".
var longDigest = lazyRegexp(`\b(file|dir|multi|sha256):([0-9a-f]{12})[0-9a-f]{52}\b`)

// layerInstruction is the instruction of a history row, shortened, with
// content hashes cut to 12 digits so that the paths stay visible.
func layerInstruction(createdBy string) string {
	return instruction(longDigest().ReplaceAllString(createdBy, "$1:$2"))
}

// sharedLayers lists, for each layer of img, the other images that use it.
// Layers are identified by their chain: another image shares layer i only
// when its first i+1 layers are the same, as overlay stacks them.
func sharedLayers(img image.InspectResponse, others []image.InspectResponse) [][]string {
	shared := make([][]string, len(img.RootFS.Layers))
	for _, o := range others {
		if o.ID == img.ID {
			continue
		}
		name := imageArg(o)
		for i, l := range img.RootFS.Layers {
			if i >= len(o.RootFS.Layers) || o.RootFS.Layers[i] != l {
				break
			}
			if !slices.Contains(shared[i], name) {
				shared[i] = append(shared[i], name)
			}
		}
	}
	return shared
}

// rowLabel is the left column of a row.
func rowLabel(r DiagramRow) string {
	switch r.Kind {
	case RowWritable:
		return "R/W"
	case RowLayer:
		return fmt.Sprintf("capa %d", r.Number)
	}
	return ""
}

// rowSize is the right column of a row.
func rowSize(r DiagramRow) string {
	switch {
	case r.Kind == RowMetadata:
		return "sin capa (solo metadatos)"
	case !r.SizeKnown && r.Kind == RowWritable:
		return "tamaño no informado"
	case !r.SizeKnown:
		return "?"
	}
	return humanSize(r.Size)
}

// rowNotes are the lines under a row.
func rowNotes(r DiagramRow, waste *WasteReport) []string {
	var notes []string
	if r.Kind == RowWritable {
		notes = append(notes, fmt.Sprintf("%d %s (A), %d %s (C), %d %s (D)",
			r.Added, plural(r.Added, "añadido", "añadidos"), r.Changed, plural(r.Changed, "cambiado", "cambiados"), r.Deleted, plural(r.Deleted, "borrado", "borrados")))
		if r.Path != "" {
			notes = append(notes, "en "+r.Path)
		}
	}
	if len(r.Shared) > 0 {
		notes = append(notes, "compartida con "+joinSpanish(limitNames(r.Shared, 3)))
	}
	if r.Wasted > 0 {
		var items []WastedFile
		if waste != nil {
			for _, w := range waste.Items {
				if len(w.AddedIn) > 0 && w.AddedIn[0] == r.Number-1 {
					items = append(items, w)
				}
			}
		}
		notes = append(notes, fmt.Sprintf("%s %s en %s: siguen pesando aquí", humanSize(r.Wasted), removalVerb(items, "borrados", "reemplazados", "borrados o reemplazados"), wasteRemovers(items)))
	}
	return notes
}

// removalVerb picks the word for how items were removed: all deleted, all
// replaced, or both.
func removalVerb(items []WastedFile, deleted, replaced, both string) string {
	var del, rep bool
	for _, w := range items {
		if w.Replaced {
			rep = true
		} else {
			del = true
		}
	}
	switch {
	case del && rep:
		return both
	case rep:
		return replaced
	}
	return deleted
}

// wasteRemovers names the layers that removed the items.
func wasteRemovers(items []WastedFile) string {
	var nums []int
	for _, w := range items {
		if !slices.Contains(nums, w.RemovedIn+1) {
			nums = append(nums, w.RemovedIn+1)
		}
	}
	slices.Sort(nums)
	if len(nums) == 0 {
		return "una capa posterior"
	}
	words := make([]string, len(nums))
	for i, n := range nums {
		words[i] = fmt.Sprint(n)
	}
	return plural(len(nums), "la capa ", "las capas ") + joinSpanish(words)
}

// limitNames keeps at most n names, counting the rest.
func limitNames(names []string, n int) []string {
	if len(names) <= n {
		return names
	}
	return append(slices.Clone(names[:n]), fmt.Sprintf("%d más", len(names)-n))
}

// heading is the first line of a diagram.
func (d Diagram) heading() string {
	return d.Title + ", de la más nueva (arriba) a la base (abajo):"
}

// totalLine sums up the read-only part.
func (d Diagram) totalLine() string {
	return fmt.Sprintf("Total: %d %s, %s.", d.Layers,
		plural(d.Layers, "capa de solo lectura", "capas de solo lectura"), humanSize(d.Size))
}

// separator introduces the image's layers under a container's.
func (d Diagram) separator() string {
	return "solo lectura: imagen " + d.ImageName
}

// maxWasteItems is how many wasted files a diagram lists.
const maxWasteItems = 5

// wasteLines explain the wasted space, or how to look for it.
func (d Diagram) wasteLines() []string {
	w := d.Waste
	if w == nil {
		return []string{fmt.Sprintf("Para ver si hay espacio desperdiciado (archivos borrados que siguen pesando): bolsillo capas --desperdicio %s", d.Ref)}
	}
	var lines []string
	if len(w.Items) == 0 {
		lines = append(lines, "Sin espacio desperdiciado: ninguna capa borra ni reemplaza archivos de las capas de abajo.")
	} else {
		files := 0
		for _, it := range w.Items {
			files += it.Files
		}
		lines = append(lines, fmt.Sprintf("Espacio desperdiciado: %s en %d %s que una capa posterior %s; siguen dentro de la imagen.",
			humanSize(w.Total), files, plural(files, "archivo", "archivos"), removalVerb(w.Items, "borró", "reemplazó", "borró o reemplazó")))
		for _, it := range w.Items[:min(len(w.Items), maxWasteItems)] {
			lines = append(lines, "  "+wasteItemLine(it))
		}
		if rest := len(w.Items) - maxWasteItems; rest > 0 {
			lines = append(lines, fmt.Sprintf("  y %d más", rest))
		}
		lines = append(lines, "Para que no pese, crea y borra el archivo en la misma instrucción RUN (una sola capa).")
	}
	if w.Incomplete {
		lines = append(lines, "Alguna capa no se pudo leer (compresión desconocida): puede haber más.")
	}
	return lines
}

// wasteItemLine describes one wasted file.
func wasteItemLine(w WastedFile) string {
	what := "borrado"
	if w.Replaced {
		what = "reemplazado"
	}
	added := make([]string, len(w.AddedIn))
	for i, l := range w.AddedIn {
		added[i] = fmt.Sprint(l + 1)
	}
	name := w.Path
	if w.Files > 1 {
		name += fmt.Sprintf(" (%d archivos)", w.Files)
	}
	return fmt.Sprintf("%s  %s: añadido en %s %s y %s en la capa %d", name, humanSize(w.Size),
		plural(len(added), "la capa", "las capas"), joinSpanish(added), what, w.RemovedIn+1)
}

// closingLine is a last sentence for the student.
func (d Diagram) closingLine() string {
	if d.Container {
		return fmt.Sprintf("La capa de lectura y escritura es solo de %s y se borra con él; las de solo lectura son de %s y las comparten todos sus contenedores.", d.Ref, d.ImageName)
	}
	return fmt.Sprintf("Un contenedor de %s añade encima su propia capa de lectura y escritura.", d.ImageName)
}

// Plain draws the diagram as an indented list, for a pipe or a file.
func (d Diagram) Plain() string {
	var b strings.Builder
	b.WriteString(d.heading() + "\n\n")
	width := 0
	for _, r := range d.Rows {
		width = max(width, utf8.RuneCountInString(r.Instruction))
	}
	if len(d.Rows) == 0 {
		b.WriteString("  (sin capas)\n")
	}
	for i, r := range d.Rows {
		if d.Container && r.Kind != RowWritable && (i == 0 || d.Rows[i-1].Kind == RowWritable) {
			fmt.Fprintf(&b, "  ------- %s -------\n", d.separator())
		}
		fmt.Fprintf(&b, "  %-7s %s  %s\n", rowLabel(r), padRight(r.Instruction, width), rowSize(r))
		for _, n := range rowNotes(r, d.Waste) {
			fmt.Fprintf(&b, "          └ %s\n", n)
		}
	}
	b.WriteString("\n" + d.totalLine() + "\n")
	for _, l := range d.wasteLines() {
		b.WriteString(l + "\n")
	}
	b.WriteString(d.closingLine() + "\n")
	return b.String()
}

// padRight pads s with spaces to n runes.
func padRight(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

// Colors of the diagrams, from the 16 ANSI colors so that they follow the
// terminal's theme.
const (
	colorWritable = lipgloss.Color("3") // yellow
	colorLayer    = lipgloss.Color("4") // blue
	colorNew      = lipgloss.Color("2") // green
	colorShared   = lipgloss.Color("6") // cyan
	colorWaste    = lipgloss.Color("1") // red
	colorText     = lipgloss.Color("0") // black, on a colored background
)

// newRenderer returns a lipgloss renderer with a fixed color profile: it
// never queries the terminal.
func newRenderer(p termenv.Profile) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	r.SetHasDarkBackground(true)
	return r
}

// Styled draws the diagram with boxes and colors for a terminal of the
// given width.
func (d Diagram) Styled(width int, p termenv.Profile) string {
	width = max(min(width, maxWidth), 40)
	re := newRenderer(p)
	inner := width - 4 // two borders and one space of padding each side
	bold := re.NewStyle().Bold(true)
	faint := re.NewStyle().Faint(true)
	var b strings.Builder
	b.WriteString(bold.Render(d.heading()) + "\n")
	if len(d.Rows) == 0 {
		b.WriteString(faint.Render("  (sin capas)") + "\n")
	}
	for i, r := range d.Rows {
		if d.Container && r.Kind != RowWritable && (i == 0 || d.Rows[i-1].Kind == RowWritable) {
			b.WriteString(faint.Render(centered(" "+d.separator()+" ", width, '┄')) + "\n")
		}
		if r.Kind == RowMetadata {
			line := "   · " + r.Instruction + " — " + rowSize(r)
			b.WriteString(faint.Render(ansi.Truncate(line, width, "…")) + "\n")
			continue
		}
		box := re.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(colorLayer).Padding(0, 1).Width(inner + 2)
		label := re.NewStyle().Bold(true).Foreground(colorLayer)
		if r.Kind == RowWritable {
			box = box.Border(lipgloss.DoubleBorder()).BorderForeground(colorWritable)
			label = label.Foreground(colorWritable)
		}
		size := rowSize(r)
		left := rowLabel(r) + "  "
		room := inner - ansi.StringWidth(left) - ansi.StringWidth(size) - 2
		instr := ansi.Truncate(r.Instruction, max(room, 1), "…")
		gap := max(inner-ansi.StringWidth(left)-ansi.StringWidth(instr)-ansi.StringWidth(size), 1)
		lines := []string{label.Render(left) + instr + strings.Repeat(" ", gap) + bold.Render(size)}
		for _, n := range rowNotes(r, d.Waste) {
			st := faint
			switch {
			case strings.HasPrefix(n, "compartida"):
				st = re.NewStyle().Foreground(colorShared)
			case r.Wasted > 0 && strings.Contains(n, "siguen pesando"):
				st = re.NewStyle().Foreground(colorWaste)
			}
			// Paths wrap at a slash instead of losing their end.
			for _, l := range strings.Split(ansi.Wrap(n, inner, "/"), "\n") {
				lines = append(lines, st.Render(l))
			}
		}
		b.WriteString(box.Render(strings.Join(lines, "\n")) + "\n")
	}
	b.WriteString(bold.Render(d.totalLine()) + "\n")
	for i, l := range d.wasteLines() {
		st := faint
		if i == 0 && d.Waste != nil && d.Waste.Total > 0 {
			st = re.NewStyle().Bold(true).Foreground(colorWaste)
		}
		b.WriteString(st.Render(l) + "\n")
	}
	b.WriteString(d.closingLine() + "\n")
	return b.String()
}

// centered puts s in the middle of a line of fill characters.
func centered(s string, width int, fill rune) string {
	rest := width - ansi.StringWidth(s)
	if rest <= 1 {
		return s
	}
	return strings.Repeat(string(fill), rest/2) + s + strings.Repeat(string(fill), rest-rest/2)
}

// Stack is the compact form of a layer diagram, one line long, shown after
// run, commit and build.
type Stack struct {
	Name     string
	Segments []StackSegment // top first
	Ref      string         // for `bolsillo capas REF`
}

// StackSegment is one block of a compact stack.
type StackSegment struct {
	Kind   RowKind // RowWritable, or RowLayer; New marks a just-made layer
	New    bool
	Label  string
	Detail string
}

// compactInstructionLen is how much of an instruction a compact stack shows.
const compactInstructionLen = 28

// ContainerStack is the stack of a container just run: its writable layer
// over the image's read-only layers.
func ContainerStack(c container.InspectResponse, img image.InspectResponse, imageRef string) Stack {
	name := firstNonEmpty(imageRef, imageArg(img))
	if c.Config != nil && c.Config.Image != "" && !strings.HasPrefix(c.Config.Image, "sha256:") {
		name = c.Config.Image
	}
	n := len(img.RootFS.Layers)
	return Stack{
		Name: containerName(c),
		Ref:  containerRef(c),
		Segments: []StackSegment{
			{Kind: RowWritable, Label: "lectura y escritura", Detail: "solo de " + containerRef(c)},
			{Kind: RowLayer, Label: fmt.Sprintf("%d %s", n, plural(n, "capa de solo lectura", "capas de solo lectura")), Detail: name + ", " + humanSize(img.Size)},
		},
	}
}

// CommitStack is the stack of an image just committed: the container's
// writable layer, now read-only, over the layers it had.
func CommitStack(img image.InspectResponse, history []image.HistoryResponseItem, c container.InspectResponse, ref string) Stack {
	name := firstNonEmpty(ref, imageArg(img))
	s := Stack{Name: name, Ref: name}
	steps := imageSteps(img, history)
	var top historyStep
	var found bool
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].layer >= 0 {
			top, found = steps[i], true
			break
		}
	}
	n := len(img.RootFS.Layers)
	if found {
		s.Segments = append(s.Segments, StackSegment{Kind: RowLayer, New: true, Label: "capa nueva", Detail: "la de " + containerRef(c) + ", " + humanSize(top.size)})
		n--
	}
	base := "la imagen base"
	if c.Config != nil && c.Config.Image != "" {
		base = c.Config.Image
	}
	s.Segments = append(s.Segments, StackSegment{Kind: RowLayer, Label: fmt.Sprintf("%d %s", n, plural(n, "capa de solo lectura", "capas de solo lectura")), Detail: "de " + base + ", " + humanSize(max(img.Size-top.size, 0))})
	return s
}

// ImageStack is the stack of an image just built: its top layers with
// their instructions, the rest summed up.
func ImageStack(img image.InspectResponse, history []image.HistoryResponseItem, ref string) Stack {
	name := firstNonEmpty(ref, imageArg(img))
	s := Stack{Name: name, Ref: name}
	steps := imageSteps(img, history)
	const shown = 2
	var rest, restSize int64
	for i := len(steps) - 1; i >= 0; i-- {
		st := steps[i]
		if st.layer < 0 {
			continue
		}
		if len(s.Segments) < shown {
			instr := st.instruction
			if utf8.RuneCountInString(instr) > compactInstructionLen {
				instr = string([]rune(instr)[:compactInstructionLen-1]) + "…"
			}
			s.Segments = append(s.Segments, StackSegment{Kind: RowLayer, New: true, Label: instr, Detail: humanSize(st.size)})
			continue
		}
		rest++
		restSize += st.size
	}
	if rest > 0 {
		s.Segments = append(s.Segments, StackSegment{Kind: RowLayer, Label: fmt.Sprintf("%d %s", rest, plural(int(rest), "capa más", "capas más")), Detail: humanSize(restSize)})
	}
	return s
}

// compactHead is the text before the segments.
func (s Stack) compactHead() string {
	return "Capas de " + s.Name + ", de arriba abajo:"
}

// compactTail is the text after the segments.
func (s Stack) compactTail() string {
	return "(bolsillo capas " + s.Ref + ")"
}

// Plain draws the stack on one line of plain text.
func (s Stack) Plain() string {
	parts := []string{s.compactHead()}
	for _, seg := range s.Segments {
		parts = append(parts, "["+seg.Label+": "+seg.Detail+"]")
	}
	parts = append(parts, s.compactTail())
	return strings.Join(parts, " ") + "\n"
}

// Styled draws the stack on one line with colored blocks.
func (s Stack) Styled(p termenv.Profile) string {
	re := newRenderer(p)
	parts := []string{re.NewStyle().Bold(true).Render(s.compactHead())}
	for _, seg := range s.Segments {
		bg := colorLayer
		switch {
		case seg.Kind == RowWritable:
			bg = colorWritable
		case seg.New:
			bg = colorNew
		}
		block := re.NewStyle().Background(bg).Foreground(colorText).Padding(0, 1).Render(seg.Label + ": " + seg.Detail)
		parts = append(parts, block)
	}
	parts = append(parts, re.NewStyle().Faint(true).Render(s.compactTail()))
	return strings.Join(parts, " ") + "\n"
}
