package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Keys of the measured rows.
const (
	rowBolsillo     = "bolsillo"
	rowRunc         = "runc"
	rowDockerNone   = "docker-none"
	rowDockerBridge = "docker-bridge"
	rowPullBolsillo = "pull-bolsillo"
	rowPullDocker   = "pull-docker"

	rowBuildBolsillo       = "build-bolsillo"
	rowBuildDocker         = "build-docker"
	rowBuildCachedBolsillo = "build-cached-bolsillo"
	rowBuildCachedDocker   = "build-cached-docker"
)

// Targets, and the Docker figures measured on this kind of machine that the
// report quotes when no Docker daemon answers.
const (
	maxRatioToRunc   = 2.0
	minRatioOfDocker = 4.0
	maxIdleRSS       = 30_000_000 // bytes
	refDockerNone    = 320 * time.Millisecond
	refDockerBridge  = 547 * time.Millisecond
)

// minPullRatioOfDocker is the target of the pull: not slower than docker pull.
const minPullRatioOfDocker = 1.0

// Targets of the build of the reference Dockerfile, and the time of
// Docker's classic builder without the cache on this kind of machine.
const (
	minBuildRatioOfDocker = 2.0
	maxCachedBuild        = 150 * time.Millisecond
	refDockerBuild        = 1000 * time.Millisecond
)

// dockerBuildReference quotes the reference figure of Docker's build.
var dockerBuildReference = fmt.Sprintf("cifra de referencia medida en este tipo de máquina: ~%d ms sin caché", refDockerBuild.Milliseconds())

// dockerReference quotes the reference Docker figures.
var dockerReference = fmt.Sprintf("cifra de referencia medida en este tipo de máquina: ~%d ms con --network none, ~%d ms con bridge",
	refDockerNone.Milliseconds(), refDockerBridge.Milliseconds())

// Report holds every figure of one benchmark run.
type Report struct {
	Date    time.Time
	Kernel  string
	CPUs    int
	Warmups int // runs before the measured ones, not counted
	Runs    int // measured runs per row

	// Rows are the timed commands, bolsillo first.
	Rows []Row
	// DockerNote says why Docker was not measured; empty when it was.
	DockerNote string

	// Exec is the exec benchmark; nil when it did not run.
	Exec *ExecBench
	// Build is the build benchmark; nil when it did not run.
	Build *BuildBench
	// Pull is the pull benchmark; nil when it did not run.
	Pull *PullBench
	// HTTP is the benchmark of a published port; nil when it did not run.
	HTTP *HTTPBench
	// Explain is the cost of the explanations; nil when it did not run.
	Explain *ExplainBench
	// Course is the whole course in auto mode; nil when it did not run.
	Course *CourseBench
	// List is ps -a and images with many objects; nil when it did not run.
	List *ListBench

	// RSS of the idle bolsillod, in bytes; 0 when not read.
	RSSAfterInit int64
	RSSAfterRuns int64

	Binaries []Binary
	// Failures are measurements outside the rows that could not run, such
	// as reading the RSS; with any of them, or a row with Err, the command
	// exits 1.
	Failures []string
	// Cleanup lists what could not be cleaned up. It is reported, but the
	// figures stand, so it does not change the exit code.
	Cleanup []string
}

// Row is one timed command.
type Row struct {
	Key     string
	Label   string
	Command []string
	Samples []time.Duration
	// Skipped says why the row was not measured (a tool is missing).
	Skipped string
	// Err says why the measurement failed.
	Err string
}

// PullBench is the pull of one image from a local registry by each
// engine, removed with rmi -f after every pull so that each one downloads
// every layer.
type PullBench struct {
	Image           string // reference pulled
	Layers          int
	CompressedBytes int64 // of the layers: what one pull downloads
	Warmups         int
	Runs            int
	Rows            []Row // bolsillo first
	// DockerNote says why Docker was not measured; empty when it was.
	DockerNote string
}

// BuildBench is the reference Dockerfile built by each engine: without the
// cache, and then rebuilt with it. Every build's output was checked: the
// cached ones reused every step after FROM, the others none.
type BuildBench struct {
	Dockerfile     string
	NoCacheWarmups int
	NoCacheRuns    int
	CachedWarmups  int
	CachedRuns     int
	// Rows go without the cache first, bolsillo before Docker in each pair.
	Rows []Row
	// DockerNote says why Docker was not measured; empty when it was.
	DockerNote string
}

// Binary is one of the engine's executables.
type Binary struct {
	Name string
	Size int64 // bytes
}

// Target is one goal of the engine, checked against the figures.
type Target struct {
	Key   string  // "bolsillo/runc", "docker-none/bolsillo", "exec-docker/exec-bolsillo", "http-published/http-direct", "pull-docker/pull-bolsillo", "build-cached-bolsillo", "explain-tty-added", "course", "list-ps", "list-images", "idle-rss"
	Goal  string  // in Spanish
	Value float64 // ratio; milliseconds for the cached build, the explanation and the listings, seconds for the course, bytes for the RSS
	Limit float64
	Met   *bool  // nil when not measured
	Note  string // why not measured, or the reference figure
}

// Failed reports whether a measurement could not run.
func (r *Report) Failed() bool {
	for _, row := range r.allRows() {
		if row.Err != "" {
			return true
		}
	}
	if r.HTTP != nil {
		for _, row := range r.HTTP.Rows {
			if row.Err != "" {
				return true
			}
		}
	}
	return len(r.Failures) > 0
}

// allRows returns the rows of every section.
func (r *Report) allRows() []Row {
	rows := r.Rows[:len(r.Rows):len(r.Rows)]
	if r.Exec != nil {
		rows = append(rows, r.Exec.Rows...)
	}
	if r.Build != nil {
		rows = append(rows, r.Build.Rows...)
	}
	if r.Pull != nil {
		rows = append(rows, r.Pull.Rows...)
	}
	if r.Explain != nil {
		rows = append(rows, r.Explain.Rows...)
	}
	if r.Course != nil {
		rows = append(rows, r.Course.Row)
	}
	if r.List != nil {
		rows = append(rows, r.List.Rows...)
	}
	return rows
}

// row returns the row with key, or nil.
func (r *Report) row(key string) *Row {
	rows := r.allRows()
	for i := range rows {
		if rows[i].Key == key {
			return &rows[i]
		}
	}
	return nil
}

// median returns the median of the row with key, and whether it was measured.
func (r *Report) median(key string) (time.Duration, bool) {
	row := r.row(key)
	if row == nil || len(row.Samples) == 0 {
		return 0, false
	}
	return summarize(row.Samples).Median, true
}

// Targets checks the engine's goals: bolsillo within 2x of raw runc, at
// least 4x faster than Docker, an exec at least 3x faster than Docker's, a
// published port that keeps 70% of the direct HTTP throughput, a pull not
// slower than Docker's, a build without the cache in at most half of
// Docker's time, a cached rebuild under 150 ms, an explanation that adds
// less than 20 ms to a command, the whole course in less than 2 minutes,
// ps -a with 200 containers and images with 100 images under 50 ms each, an
// idle daemon under 30 MB of RSS.
func (r *Report) Targets() []Target {
	var targets []Target
	bolsillo, haveBolsillo := r.median(rowBolsillo)

	t := Target{Key: "bolsillo/runc", Goal: fmt.Sprintf("bolsillo a menos de %gx de runc", maxRatioToRunc), Limit: maxRatioToRunc}
	if runc, ok := r.median(rowRunc); ok && haveBolsillo {
		t.Value = ratio(bolsillo, runc)
		t.Met = ptr(t.Value <= maxRatioToRunc)
	} else {
		t.Note = "sin medir: falta la fila de runc"
	}
	targets = append(targets, t)

	for _, d := range []struct {
		key, what string
		ref       time.Duration
	}{
		{rowDockerNone, "--network none", refDockerNone},
		{rowDockerBridge, "bridge", refDockerBridge},
	} {
		t := Target{
			Key:   d.key + "/bolsillo",
			Goal:  fmt.Sprintf("al menos %gx más rápido que Docker (%s)", minRatioOfDocker, d.what),
			Limit: minRatioOfDocker,
		}
		docker, ok := r.median(d.key)
		switch {
		case ok && haveBolsillo:
			t.Value = ratio(docker, bolsillo)
			t.Met = ptr(t.Value >= minRatioOfDocker)
		case haveBolsillo && r.DockerNote != "":
			t.Note = fmt.Sprintf("sin medir; con la referencia de ~%d ms sería %.2fx", d.ref.Milliseconds(), ratio(d.ref, bolsillo))
		default:
			t.Note = "sin medir"
		}
		targets = append(targets, t)
	}
	targets = append(targets, r.execTarget(), r.httpTarget())

	t = Target{
		Key:   rowPullDocker + "/" + rowPullBolsillo,
		Goal:  "pull no más lento que Docker",
		Limit: minPullRatioOfDocker,
	}
	pullBolsillo, havePullBolsillo := r.median(rowPullBolsillo)
	pullDocker, havePullDocker := r.median(rowPullDocker)
	switch {
	case havePullBolsillo && havePullDocker:
		t.Value = ratio(pullDocker, pullBolsillo)
		t.Met = ptr(t.Value >= minPullRatioOfDocker)
	case r.Pull != nil && r.Pull.DockerNote != "":
		t.Note = "sin medir: no hay daemon de Docker con el que comparar"
	default:
		t.Note = "sin medir"
	}
	targets = append(targets, t)
	targets = append(targets, r.buildTargets()...)
	targets = append(targets, r.explainTarget(), r.courseTarget())
	targets = append(targets, r.listTargets()...)

	t = Target{Key: "idle-rss", Goal: fmt.Sprintf("RSS en reposo por debajo de %d MB", maxIdleRSS/1_000_000), Limit: maxIdleRSS}
	if rss := max(r.RSSAfterInit, r.RSSAfterRuns); rss > 0 {
		t.Value = float64(rss)
		t.Met = ptr(rss < maxIdleRSS)
	} else {
		t.Note = "sin medir"
	}
	return append(targets, t)
}

// buildTargets checks the goals of the build of the reference Dockerfile.
func (r *Report) buildTargets() []Target {
	bolsillo, haveBolsillo := r.median(rowBuildBolsillo)
	docker, haveDocker := r.median(rowBuildDocker)
	t := Target{
		Key:   rowBuildDocker + "/" + rowBuildBolsillo,
		Goal:  "build sin caché como mucho la mitad que Docker",
		Limit: minBuildRatioOfDocker,
	}
	switch {
	case haveBolsillo && haveDocker:
		t.Value = ratio(docker, bolsillo)
		t.Met = ptr(t.Value >= minBuildRatioOfDocker)
	case haveBolsillo && r.Build != nil && r.Build.DockerNote != "":
		t.Note = fmt.Sprintf("sin medir; con la referencia de ~%d ms sería %.2fx", refDockerBuild.Milliseconds(), ratio(refDockerBuild, bolsillo))
	default:
		t.Note = "sin medir"
	}

	cached := Target{
		Key:   rowBuildCachedBolsillo,
		Goal:  fmt.Sprintf("build con caché por debajo de %d ms", maxCachedBuild.Milliseconds()),
		Limit: millis(maxCachedBuild),
	}
	if d, ok := r.median(rowBuildCachedBolsillo); ok {
		cached.Value = millis(d)
		cached.Met = ptr(d < maxCachedBuild)
	} else {
		cached.Note = "sin medir"
	}
	return []Target{t, cached}
}

// ratio returns a/b.
func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func ptr[T any](v T) *T { return &v }

// formatMS prints a duration in milliseconds with one decimal.
func formatMS(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// formatMB prints bytes in decimal megabytes, as docker does.
func formatMB(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }

// WriteText prints the report for a terminal or a commit message.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "bolsillo bench · %s · Linux %s · %d CPU\n", r.Date.Format("2006-01-02 15:04 MST"), r.Kernel, r.CPUs)
	fmt.Fprintf(&b, "Cada fila: calentamiento %d, medidas %d; tiempo de reloj de principio a fin.\n\n", r.Warmups, r.Runs)

	b.WriteString("Arrancar y terminar un contenedor `true` (busybox)\n")
	b.WriteString("  Los motores se turnan: en cada vuelta, un arranque de cada uno.\n")
	r.writeTimes(&b, r.Rows, against(rowBolsillo), r.DockerNote)

	if e := r.Exec; e != nil {
		fmt.Fprintf(&b, "\nEjecutar `true` con exec en un contenedor busybox que corre `%s`\n", strings.Join(execSleeper, " "))
		b.WriteString("  Cada motor crea y arranca su contenedor (Docker con --network none) antes de las medidas\n" +
			"  y lo borra después; un exec de prueba confirma que el comando corre dentro. Los motores se\n" +
			"  turnan: en cada vuelta, un exec de cada uno.\n")
		r.writeTimes(&b, e.Rows, against(rowExecBolsillo), e.DockerNote)
	}
	if h := r.HTTP; h != nil {
		h.writeText(&b)
	}

	if bb := r.Build; bb != nil {
		b.WriteString("\nConstruir el Dockerfile de referencia; Docker con su builder clásico (DOCKER_BUILDKIT=0)\n")
		for line := range strings.Lines(bb.Dockerfile) {
			b.WriteString("    " + line)
		}
		fmt.Fprintf(&b, "  Sin caché (--no-cache): calentamiento %d, medidas %d. Con caché: calentamiento %d, medidas %d.\n"+
			"  La salida de cada build confirma que con caché se reutilizan los %d pasos tras FROM, y sin caché ninguno.\n"+
			"  «vs bolsillo» compara con el build de bolsillo del mismo tipo.\n",
			bb.NoCacheWarmups, bb.NoCacheRuns, bb.CachedWarmups, bb.CachedRuns, buildCachedSteps)
		r.writeTimes(&b, bb.Rows, buildBaseline, bb.DockerNote)
	}

	if p := r.Pull; p != nil {
		if p.Image != "" {
			fmt.Fprintf(&b, "\nDescargar %s de bolsillo-registry: %d capas, %s comprimidos\n", p.Image, p.Layers, formatMB(p.CompressedBytes))
		} else {
			b.WriteString("\nDescargar una imagen de bolsillo-registry\n")
		}
		fmt.Fprintf(&b, "  Cada fila: calentamiento %d, medidas %d. Tras cada pull, rmi -f borra la imagen;\n"+
			"  el registro confirma que cada pull descarga todas las capas.\n", p.Warmups, p.Runs)
		r.writeTimes(&b, p.Rows, against(rowPullBolsillo), p.DockerNote)
	}
	if e := r.Explain; e != nil {
		e.writeText(&b, r)
	}
	if l := r.List; l != nil {
		l.writeText(&b, r)
	}
	if c := r.Course; c != nil {
		c.writeText(&b)
	}

	b.WriteString("\nbolsillod\n")
	mem := table{indent: "  ", right: []bool{false, true}}
	if r.RSSAfterInit > 0 {
		mem.add("RSS en reposo, 2 s después de arrancar y de lab init", formatMB(r.RSSAfterInit))
	}
	if r.RSSAfterRuns > 0 {
		mem.add("RSS en reposo, 2 s después de las ejecuciones", formatMB(r.RSSAfterRuns))
	}
	for _, bin := range r.Binaries {
		mem.add("tamaño del binario "+bin.Name, formatMB(bin.Size))
	}
	mem.WriteTo(&b)

	b.WriteString("\nObjetivos\n")
	goals := table{indent: "  "}
	for _, t := range r.Targets() {
		figure, verdict := "", t.Note
		switch {
		case t.Key == "idle-rss" && t.Met != nil:
			figure = formatMB(int64(t.Value))
		case t.Key == httpTargetKey && t.Met != nil:
			figure = fmt.Sprintf("proxy/directo = %.0f %%", t.Value*100)
		case (t.Key == rowBuildCachedBolsillo || t.Key == rowListPs || t.Key == rowListImages) && t.Met != nil:
			figure = "mediana " + formatMS(time.Duration(t.Value*float64(time.Millisecond)))
		case t.Key == explainTargetKey && t.Met != nil:
			worst, _ := r.explainWorst()
			figure = fmt.Sprintf("peor caso %s (%s)", formatAdded(worst.TTY), worst.Verb)
		case t.Key == rowCourse && t.Met != nil:
			figure = formatSeconds(time.Duration(t.Value * float64(time.Second)))
		case t.Met != nil:
			figure = fmt.Sprintf("%s = %.2fx", t.Key, t.Value)
		}
		if t.Met != nil {
			verdict = "no cumple"
			if *t.Met {
				verdict = "cumple"
			}
		}
		goals.add(t.Goal, figure, verdict)
	}
	goals.WriteTo(&b)

	for _, section := range []struct {
		title string
		lines []string
	}{
		{"No se pudo medir", r.Failures},
		{"Limpieza incompleta", r.Cleanup},
	} {
		if len(section.lines) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s\n", section.title)
		for _, line := range section.lines {
			fmt.Fprintf(&b, "  %s\n", line)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// baseline returns, for the key of a row, the key of the bolsillo row its
// median is compared with.
type baseline func(key string) string

// against compares every row with the row with key.
func against(key string) baseline { return func(string) string { return key } }

// buildBaseline compares each build row with bolsillo's build of the same
// kind: without the cache, or with it.
func buildBaseline(key string) string {
	if key == rowBuildCachedBolsillo || key == rowBuildCachedDocker {
		return rowBuildCachedBolsillo
	}
	return rowBuildBolsillo
}

// writeTimes prints rows as a table of wall times, with the ratio of each
// median to the median of the row base names for it, followed by the rows
// that were not measured and by note, if any.
func (r *Report) writeTimes(b *strings.Builder, rows []Row, base baseline, note string) {
	times := table{
		indent: "  ",
		header: []string{"medición", "n", "mediana", "p90", "mín", "máx", "vs bolsillo"},
		right:  []bool{false, true, true, true, true, true, true},
	}
	var notes []string
	for _, row := range rows {
		switch {
		case row.Skipped != "":
			notes = append(notes, fmt.Sprintf("%s: sin medir; %s", row.Label, row.Skipped))
			continue
		case row.Err != "":
			notes = append(notes, fmt.Sprintf("%s: no se pudo medir: %s", row.Label, row.Err))
			continue
		}
		s := summarize(row.Samples)
		vs := "-"
		if baseMedian, haveBase := r.median(base(row.Key)); haveBase {
			vs = fmt.Sprintf("%.2fx", ratio(s.Median, baseMedian))
		}
		times.add(row.Label, fmt.Sprint(s.N), formatMS(s.Median), formatMS(s.P90), formatMS(s.Min), formatMS(s.Max), vs)
	}
	if len(times.rows) > 0 {
		times.WriteTo(b)
	}
	if note != "" {
		notes = append(notes, note)
	}
	for _, n := range notes {
		fmt.Fprintf(b, "  %s\n", n)
	}
}

// jsonReport is the raw form of a Report: every sample, in milliseconds.
type jsonReport struct {
	Date         time.Time        `json:"date"`
	Kernel       string           `json:"kernel"`
	CPUs         int              `json:"cpus"`
	Warmups      int              `json:"warmups"`
	Runs         int              `json:"runs"`
	Measurements []jsonRow        `json:"measurements"`
	DockerNote   string           `json:"docker_note,omitempty"`
	Exec         *jsonExec        `json:"exec,omitempty"`
	Build        *jsonBuild       `json:"build,omitempty"`
	Pull         *jsonPull        `json:"pull,omitempty"`
	HTTP         *jsonHTTP        `json:"http,omitempty"`
	Explain      *jsonExplain     `json:"explain,omitempty"`
	Course       *jsonCourse      `json:"course,omitempty"`
	List         *jsonList        `json:"list,omitempty"`
	RSSBytes     jsonRSS          `json:"idle_rss_bytes"`
	BinaryBytes  map[string]int64 `json:"binary_bytes"`
	Targets      []jsonTarget     `json:"targets"`
	Failures     []string         `json:"failures"`
	Cleanup      []string         `json:"cleanup_problems"`
}

type jsonRow struct {
	Name      string    `json:"name"`
	Command   []string  `json:"command"`
	SamplesMS []float64 `json:"samples_ms,omitempty"`
	MedianMS  float64   `json:"median_ms,omitempty"`
	P90MS     float64   `json:"p90_ms,omitempty"`
	MinMS     float64   `json:"min_ms,omitempty"`
	MaxMS     float64   `json:"max_ms,omitempty"`
	Skipped   string    `json:"skipped,omitempty"`
	Error     string    `json:"error,omitempty"`
}

type jsonExec struct {
	Command      []string  `json:"container_command"`
	Measurements []jsonRow `json:"measurements"`
	DockerNote   string    `json:"docker_note,omitempty"`
}

type jsonBuild struct {
	Dockerfile     string    `json:"dockerfile"`
	NoCacheWarmups int       `json:"no_cache_warmups"`
	NoCacheRuns    int       `json:"no_cache_runs"`
	CachedWarmups  int       `json:"cached_warmups"`
	CachedRuns     int       `json:"cached_runs"`
	Measurements   []jsonRow `json:"measurements"`
	DockerNote     string    `json:"docker_note,omitempty"`
}

type jsonPull struct {
	Image           string    `json:"image"`
	Layers          int       `json:"layers"`
	CompressedBytes int64     `json:"compressed_bytes"`
	Warmups         int       `json:"warmups"`
	Runs            int       `json:"runs"`
	Measurements    []jsonRow `json:"measurements"`
	DockerNote      string    `json:"docker_note,omitempty"`
}

type jsonRSS struct {
	AfterInit int64 `json:"after_init"`
	AfterRuns int64 `json:"after_runs"`
}

type jsonTarget struct {
	Name  string  `json:"name"`
	Value float64 `json:"value,omitempty"`
	Limit float64 `json:"limit"`
	Met   *bool   `json:"met"`
	Note  string  `json:"note,omitempty"`
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// jsonRows returns the raw form of rows.
func jsonRows(rows []Row) []jsonRow {
	var out []jsonRow
	for _, row := range rows {
		jr := jsonRow{Name: row.Key, Command: row.Command, Skipped: row.Skipped, Error: row.Err}
		if len(row.Samples) > 0 {
			for _, s := range row.Samples {
				jr.SamplesMS = append(jr.SamplesMS, millis(s))
			}
			s := summarize(row.Samples)
			jr.MedianMS, jr.P90MS, jr.MinMS, jr.MaxMS = millis(s.Median), millis(s.P90), millis(s.Min), millis(s.Max)
		}
		out = append(out, jr)
	}
	return out
}

// WriteJSON prints the raw figures as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	out := jsonReport{
		Date:        r.Date,
		Kernel:      r.Kernel,
		CPUs:        r.CPUs,
		Warmups:     r.Warmups,
		Runs:        r.Runs,
		DockerNote:  r.DockerNote,
		RSSBytes:    jsonRSS{AfterInit: r.RSSAfterInit, AfterRuns: r.RSSAfterRuns},
		BinaryBytes: map[string]int64{},
		Failures:    append([]string{}, r.Failures...),
		Cleanup:     append([]string{}, r.Cleanup...),
	}
	out.Measurements = jsonRows(r.Rows)
	if e := r.Exec; e != nil {
		out.Exec = &jsonExec{Command: execSleeper, Measurements: jsonRows(e.Rows), DockerNote: e.DockerNote}
	}
	if bb := r.Build; bb != nil {
		out.Build = &jsonBuild{
			Dockerfile:     bb.Dockerfile,
			NoCacheWarmups: bb.NoCacheWarmups,
			NoCacheRuns:    bb.NoCacheRuns,
			CachedWarmups:  bb.CachedWarmups,
			CachedRuns:     bb.CachedRuns,
			Measurements:   jsonRows(bb.Rows),
			DockerNote:     bb.DockerNote,
		}
	}
	if p := r.Pull; p != nil {
		out.Pull = &jsonPull{
			Image:           p.Image,
			Layers:          p.Layers,
			CompressedBytes: p.CompressedBytes,
			Warmups:         p.Warmups,
			Runs:            p.Runs,
			Measurements:    jsonRows(p.Rows),
			DockerNote:      p.DockerNote,
		}
	}
	if h := r.HTTP; h != nil {
		out.HTTP = h.json()
	}
	if e := r.Explain; e != nil {
		out.Explain = e.json(r)
	}
	if c := r.Course; c != nil {
		out.Course = c.json()
	}
	if l := r.List; l != nil {
		out.List = l.json()
	}
	for _, bin := range r.Binaries {
		out.BinaryBytes[bin.Name] = bin.Size
	}
	for _, t := range r.Targets() {
		out.Targets = append(out.Targets, jsonTarget{Name: t.Key, Value: t.Value, Limit: t.Limit, Met: t.Met, Note: t.Note})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
