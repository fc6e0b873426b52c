package lessons

import (
	"regexp"
	"strings"
	"testing"
)

// notesItem is one command or concept of the course notes
// (shared/seed/000_bf017f661b69faf8.txt) that some lesson step must teach:
// re matches the text of a step's objetivo, comandos or solucion, case
// insensitive, with ^ and $ matching at each line.
type notesItem struct {
	what string
	re   *regexp.Regexp
}

func item(what, re string) notesItem {
	return notesItem{what, regexp.MustCompile("(?im)" + re)}
}

// notesItems lists every command and concept of the course notes, in the
// notes' order.
var notesItems = []notesItem{
	// Arquitectura de Docker
	item("imagen: toda la configuración del software", `imagen`),
	item("contenedor: la imagen hecha realidad", `contenedor`),
	item("docker host (anfitrión)", `anfitri[oó]n`),
	item("docker daemon (servidor)", `daemon`),
	item("API REST entre cliente y servidor", `API REST`),
	item("docker cli (cliente)", `cliente`),
	item("bolsillo version", `bolsillo version`),
	item("bolsillo info", `bolsillo info`),
	item("--explicar-api", `bolsillo --explicar-api \w+`),
	// ¿Qué es una imagen?
	item("una imagen se compone de n capas", `capas`),
	item("FROM", `\bFROM\b`),
	item("RUN", `\bRUN\b`),
	item("CMD", `\bCMD\b`),
	item("capas de solo lectura", `solo lectura`),
	item("Dockerfile, el nombre que busca por defecto", `Dockerfile`),
	item("el contenedor se queda pegado a un proceso o muere", `proceso principal`),
	// ¿Qué son los contenedores?
	item("capa de lectura y escritura", `lectura y escritura`),
	item("la capa del contenedor es temporal", `temporal`),
	item("un contenedor es una instancia de una imagen", `instancia`),
	item("un contenedor es un proceso aislado", `proceso`),
	// Imágenes oficiales
	item("tag (etiqueta)", `\btag\b`),
	item("latest, la etiqueta por defecto", `\blatest\b`),
	item("docker pull imagename:tag", `bolsillo pull \S+:\S+`),
	item("imágenes colgadas <none>", `<none>`),
	// Imágenes propias
	item("comandos no interactivos al construir", `no interactiv`),
	item("build --tag name:tag", `bolsillo build --tag \S+:\S+`),
	item("history -H", `bolsillo history -H \S+`),
	item("rmi", `bolsillo rmi \S+`),
	item("build -f con otro nombre de Dockerfile", `bolsillo build -f \S+`),
	// Dangling images
	item("imagen colgada (huérfana)", `colgada`),
	item("images -f dangling=true", `bolsillo images -f dangling=true`),
	item("images -f dangling=true -q", `bolsillo images -f dangling=true -q`),
	item("borrar las colgadas", `bolsillo image prune`),
	// Multi-stage build
	item("multi-stage build", `multietapa`),
	item("FROM image AS img", `FROM \S+ AS \S+`),
	item("COPY --from=img", `COPY --from=\S+`),
	// Contenedores
	item("run -p", `bolsillo run .*-p \d+:\d+`),
	item("run --name", `bolsillo run .*--name \S+`),
	item("run -d", `bolsillo run .*-d\b`),
	item("ps", `bolsillo ps$`),
	item("ps -a", `bolsillo ps -a`),
	// Mapeo de puertos
	item("-p X:Y, mi puerto X al Y del contenedor", `-p X:Y`),
	item("curl al puerto del anfitrión", `curl http://127\.0\.0\.1:\d+/`),
	// Iniciar, reiniciar, detener
	item("stop", `bolsillo stop .*\S`),
	item("start", `bolsillo start \S+`),
	item("restart", `bolsillo restart .*\S`),
	item("exec -it", `bolsillo exec -it `),
	item("exec -u", `bolsillo exec (-it )?-u \S+`),
	item("-e \"name=value\"", `bolsillo run .*-e "?\w+=\w+`),
	item("logs -f", `bolsillo logs -f \S+`),
	item("inspect", `bolsillo inspect \S+`),
	// Recursos
	item("stats", `bolsillo stats \S+`),
	item("run -m", `bolsillo run .*-m \d+[mg]`),
	item("run --cpuset-cpus", `bolsillo run .*--cpuset-cpus \d`),
	item("las CPU se cuentan desde cero", `desde cero`),
	item("container update en caliente", `bolsillo (container )?update .*--memory`),
	item("en caliente", `en caliente`),
	item("cp de tu máquina al contenedor", `bolsillo cp [^ :]+ \S+:\S+`),
	item("cp del contenedor a tu máquina", `bolsillo cp \S+:\S+ [^ :]+$`),
	item("cp con el contenedor parado", `parad[oa]`),
	// Commit
	item("commit [OPTIONS] container [OUTPUT[:TAG]]", `bolsillo commit .*\S+:\S+`),
	item("lo que está en un volumen no entra en la imagen", `volumen`),
	item("sobrescribir el CMD al final de run", `sobrescr[ií]b`),
	// --rm
	item("run --rm", `bolsillo run .*--rm`),
	// Document root
	item("directorio raíz de datos", `directorio raíz`),
	item("docker.service y --data-root", `--data-root`),
	item("systemctl daemon-reload", `systemctl daemon-reload`),
	// Apuntes
	item("rename", `bolsillo rename \S+ \S+`),
	// Dockerfile
	item("COPY", `\bCOPY \S+ \S+`),
	item("ADD (mejor COPY)", `\bADD\b`),
	item("ENV", `\bENV\b`),
	item("WORKDIR", `\bWORKDIR\b`),
	item("EXPOSE", `\bEXPOSE\b`),
	item("LABEL", `\bLABEL\b`),
	item("USER", `\bUSER\b`),
	item("VOLUME", `\bVOLUME\b`),
	item(".dockerignore", `\.dockerignore`),
	item("CMD en blanco toma el de la base", `CMD.* en blanco`),
	// Buenas prácticas
	item("lint", `bolsillo lint`),
	item("efímero", `efímero`),
	item("un servicio por contenedor", `un servicio por contenedor`),
	item("pocas capas", `menos capas|pocas capas`),
	item("multilínea", `multil[ií]nea`),
	item("varios argumentos en una sola capa", `&&`),
	item("no instalar paquetes innecesarios", `paquetes innecesarios`),
	item("labels: metadatos", `metadatos`),
}

// stepTexts returns, per step of ls, the text the coverage reads: its
// objetivo, comandos and solucion, one line each.
func stepTexts(ls []*Lesson) []string {
	var out []string
	for _, l := range ls {
		for _, s := range l.Pasos {
			lines := append([]string{s.Objetivo}, s.Comandos...)
			lines = append(lines, s.Solucion...)
			out = append(out, strings.Join(lines, "\n"))
		}
	}
	return out
}

// uncovered returns the items that no step of ls teaches.
func uncovered(ls []*Lesson, items []notesItem) []string {
	texts := stepTexts(ls)
	var missing []string
	for _, it := range items {
		found := false
		for _, t := range texts {
			if it.re.MatchString(t) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, it.what)
		}
	}
	return missing
}

// TestNotesCoverage: every command and concept of the course notes appears
// in some step of the embedded lessons.
func TestNotesCoverage(t *testing.T) {
	ls, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	for _, what := range uncovered(ls, notesItems) {
		t.Errorf("ningún paso enseña %q (apuntes del curso)", what)
	}
}

// The coverage check reports what a step does not teach, and matches line
// by line (a `$` anchor ends a command line, not the whole step).
func TestUncovered(t *testing.T) {
	ls := []*Lesson{{Pasos: []*Step{{
		Objetivo: "Lista los contenedores.",
		Comandos: []string{"bolsillo ps", "bolsillo ps -a"},
		Solucion: []string{"bolsillo ps"},
	}}}}
	items := []notesItem{
		item("ps", `bolsillo ps$`),
		item("ps -a", `bolsillo ps -a`),
		item("logs -f", `bolsillo logs -f \S+`),
		item("contenedor", `contenedor`),
		item("rename", `bolsillo rename \S+ \S+`),
	}
	got := uncovered(ls, items)
	want := []string{"logs -f", "rename"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("uncovered = %q, want %q", got, want)
	}
}
