package explain

import (
	"embed"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// conceptFS holds the concept pages: one Spanish Markdown file per topic,
// named after the topic (conceptos/capas.md, conceptos/COPY.md).
//
//go:embed conceptos/*.md
var conceptFS embed.FS

// Topic is one concept page of `bolsillo explica`.
type Topic struct {
	Name    string   // how the page is asked for and its file name: "capas", "COPY"
	Group   string   // the section of the course it belongs to
	Summary string   // one line for the list of topics
	Aliases []string // other ways to ask for it (Spanish and English)
}

// Groups of topics, in the order of the course notes.
const (
	groupArquitectura = "Arquitectura de Docker"
	groupImagenes     = "Imágenes"
	groupPropias      = "Imágenes propias"
	groupContenedores = "Contenedores"
	groupDockerfile   = "Instrucciones del Dockerfile"
	groupPracticas    = "Buenas prácticas"
	groupBolsillo     = "Aprender con bolsillo"
)

// topics is every concept page, grouped and ordered as the course.
var topics = []Topic{
	{"arquitectura", groupArquitectura, "Cliente, API REST y daemon: quién hace qué", []string{"architecture", "daemon", "cliente", "client", "host", "anfitrion", "servidor", "server"}},
	{"api", groupArquitectura, "La API REST: cada comando es una petición HTTP al daemon", []string{"rest", "api-rest", "engine-api", "socket", "http"}},
	{"data-root", groupArquitectura, "Dónde guarda el daemon imágenes, contenedores y volúmenes", []string{"dataroot", "document-root", "directorio-raiz", "raiz", "var-lib-docker", "systemd"}},

	{"imagen", groupImagenes, "Qué es una imagen y cómo se ve, etiqueta y borra", []string{"image", "images", "imagenes", "rmi", "import"}},
	{"capas", groupImagenes, "Capas de solo lectura y la capa de escritura de cada contenedor", []string{"layers", "layer", "capa", "history", "historial", "solo-lectura", "read-only"}},
	{"etiquetas", groupImagenes, "Tags y latest: el nombre de versión de una imagen", []string{"tags", "tag", "etiqueta", "latest", "version"}},
	{"registro", groupImagenes, "Registros: pull, push, login, save y load", []string{"registry", "registros", "pull", "push", "login", "logout", "docker-hub", "save", "load"}},
	{"colgadas", groupImagenes, "Imágenes colgadas (`<none>`) y cómo limpiarlas", []string{"dangling", "colgada", "huerfanas", "huerfana", "none", "prune"}},

	{"dockerfile", groupPropias, "Dockerfile y build: FROM, RUN, CMD, --tag y -f", []string{"build", "construir", "construccion", "imagenes-propias"}},
	{"multietapa", groupPropias, "Construcción multietapa: COPY --from y --target", []string{"multi-stage", "multistage", "multi-etapa", "etapas", "etapa", "stage", "stages"}},
	{"cache", groupPropias, "La caché de construcción: Using cache y --no-cache", []string{"build-cache", "no-cache", "intermedias"}},
	{"dockerignore", groupPropias, ".dockerignore: lo que no se envía al construir", []string{"ignore", "contexto", "context"}},

	{"contenedor", groupContenedores, "Qué es un contenedor y por qué muere cuando termina su proceso", []string{"container", "containers", "contenedores", "ps", "proceso", "pid-1"}},
	{"puertos", groupContenedores, "Mapeo de puertos: -p X:Y, -P y port", []string{"ports", "port", "puerto", "mapeo", "publish", "p"}},
	{"ciclo-de-vida", groupContenedores, "start, stop, restart, kill, rm, --rm, rename, wait y --restart", []string{"lifecycle", "ciclo", "start", "stop", "restart", "kill", "rm", "rename", "renombrar", "wait", "pause"}},
	{"interactivo", groupContenedores, "run -it, exec -it -u, attach y ctrl-p ctrl-q", []string{"interactive", "exec", "attach", "it", "tty", "detach", "dentro"}},
	{"logs", groupContenedores, "La salida de un contenedor: logs, -f y --tail", []string{"log"}},
	{"inspeccionar", groupContenedores, "ps, inspect y top: mirar qué hay y cómo está", []string{"inspect", "inspeccion", "top"}},
	{"recursos", groupContenedores, "Memoria y CPU: stats, -m, --cpuset-cpus y update en caliente", []string{"resources", "recurso", "stats", "memoria", "memory", "cpu", "cpus", "cgroups", "update", "limites"}},
	{"archivos", groupContenedores, "cp (corriendo o parado) y diff", []string{"files", "cp", "copiar", "diff", "archivo"}},
	{"commit", groupContenedores, "Convertir un contenedor en imagen; los volúmenes no entran", []string{"confirmar"}},
	{"volumenes", groupContenedores, "Volúmenes y carpetas montadas: datos que sobreviven", []string{"volumes", "volumen", "bind-mount", "montajes", "persistencia"}},
	{"redes", groupContenedores, "Las redes bridge, none y host", []string{"network", "networks", "red", "bridge", "puente"}},

	{"FROM", groupDockerfile, "La imagen base", nil},
	{"RUN", groupDockerfile, "Ejecutar comandos al construir: una capa nueva", nil},
	{"CMD", groupDockerfile, "El comando por defecto; sobrescribirlo y dejarlo en blanco", nil},
	{"ENTRYPOINT", groupDockerfile, "El programa fijo; cómo se combina con CMD", nil},
	{"COPY", groupDockerfile, "Copiar archivos del contexto a la imagen", nil},
	{"ADD", groupDockerfile, "Como COPY, y además descarga y desempaqueta: ¿ADD o COPY?", nil},
	{"ENV", groupDockerfile, "Variables de entorno, y -e al correr", []string{"env", "variables", "entorno", "e"}},
	{"ARG", groupDockerfile, "Variables que solo existen al construir: --build-arg", []string{"build-arg"}},
	{"WORKDIR", groupDockerfile, "La carpeta de trabajo dentro del contenedor", nil},
	{"EXPOSE", groupDockerfile, "Documentar los puertos de la aplicación", nil},
	{"LABEL", groupDockerfile, "Metadatos de la imagen", []string{"labels", "metadatos"}},
	{"USER", groupDockerfile, "Con qué usuario corre (por defecto root)", []string{"usuario"}},
	{"VOLUME", groupDockerfile, "Declarar una carpeta de datos persistentes", nil},
	{"STOPSIGNAL", groupDockerfile, "La señal que envía stop", nil},
	{"HEALTHCHECK", groupDockerfile, "Comprobar que la aplicación está sana", nil},
	{"ONBUILD", groupDockerfile, "Instrucciones para las imágenes hijas", nil},
	{"SHELL", groupDockerfile, "La shell de la forma shell", nil},
	{"MAINTAINER", groupDockerfile, "El autor (obsoleto: mejor LABEL)", nil},

	{"buenas-practicas", groupPracticas, "Efímero, un servicio por contenedor, pocas capas, multilínea...", []string{"best-practices", "practicas", "buenas", "lint"}},

	{"lecciones", groupBolsillo, "Las lecciones guiadas: leccion empezar, pista, verificar", []string{"lessons", "lesson", "leccion", "curso", "lab"}},
}

// Topics returns every concept page, grouped and ordered as the course.
func Topics() []Topic {
	out := make([]Topic, len(topics))
	for i, t := range topics {
		t.Aliases = slices.Clone(t.Aliases)
		out[i] = t
	}
	return out
}

// topicIndex maps every normalized name and alias to its topic; built on
// first use.
var topicIndex = sync.OnceValue(func() map[string]int {
	idx := map[string]int{}
	for i, t := range topics {
		idx[normalizeTopic(t.Name)] = i
		for _, a := range t.Aliases {
			idx[normalizeTopic(a)] = i
		}
	}
	return idx
})

// LookupTopic finds a topic by its name or an alias, ignoring case, accents,
// a leading dot and the difference between spaces, underscores and hyphens:
// "Volúmenes", "volumenes" and "volumes" are the same page.
func LookupTopic(name string) (Topic, bool) {
	i, ok := topicIndex()[normalizeTopic(name)]
	if !ok {
		return Topic{}, false
	}
	return topics[i], true
}

// Page returns the Markdown of the concept page asked for by name (see
// LookupTopic).
func Page(name string) (string, bool) {
	t, ok := LookupTopic(name)
	if !ok {
		return "", false
	}
	b, err := conceptFS.ReadFile("conceptos/" + t.Name + ".md")
	if err != nil {
		return "", false
	}
	return string(b), true
}

// TopicList is the Markdown list of every topic, grouped as the course, one
// line each.
func TopicList() string {
	var b strings.Builder
	b.WriteString("# Temas de `bolsillo explica`\n")
	group := ""
	for _, t := range topics {
		if t.Group != group {
			group = t.Group
			fmt.Fprintf(&b, "\n## %s\n\n", group)
		}
		fmt.Fprintf(&b, "- `%s`: %s\n", t.Name, t.Summary)
	}
	b.WriteString("\nLee uno con `bolsillo explica TEMA`, por ejemplo `bolsillo explica capas` o `bolsillo explica COPY`.\n")
	return b.String()
}

// ClosestTopics returns the names of up to n topics whose name or alias is
// nearest to name, nearest first; topics that are too far are left out.
func ClosestTopics(name string, n int) []string {
	q := normalizeTopic(name)
	if q == "" {
		return nil
	}
	best := make([]int, len(topics))
	for i, t := range topics {
		best[i] = topicDistance(q, normalizeTopic(t.Name))
		for _, a := range t.Aliases {
			best[i] = min(best[i], topicDistance(q, normalizeTopic(a)))
		}
	}
	limit := 1 + len([]rune(q))/5
	var idx []int
	for i, d := range best {
		if d <= limit {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return best[a] - best[b] })
	var out []string
	for _, i := range idx {
		if len(out) == n {
			break
		}
		out = append(out, topics[i].Name)
	}
	return out
}

// topicDistance is the edit distance between a query and a name, counting
// a name that starts with the query (of 3 letters or more) as distance 1.
func topicDistance(q, name string) int {
	if len(q) >= 3 && strings.HasPrefix(name, q) && q != name {
		return 1
	}
	return levenshtein(q, name)
}

// levenshtein is the edit distance between a and b, in runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// accents maps the accented letters of Spanish to plain ones.
var accents = strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ü", "u", "ñ", "n", "à", "a", "è", "e", "ì", "i", "ò", "o", "ù", "u")

// normalizeTopic lowercases s, removes accents, leading dots and dashes,
// and turns spaces and underscores into hyphens.
func normalizeTopic(s string) string {
	s = strings.TrimLeft(strings.TrimSpace(s), ".-")
	s = accents.Replace(strings.ToLower(s))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '_' || r == '-' }), "-")
}
