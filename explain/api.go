package explain

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// APICall says in one line of Spanish what an HTTP request to the Docker
// Engine API asked the daemon: "pide al daemon que cree el contenedor `web`
// (aún no arranca)". method and path are the request's ("/v1.50/..." or an
// unversioned path), rawQuery its query string without "?", status the HTTP
// status of the answer (0 when there was none). A route it does not know gets
// a generic sentence.
func APICall(method, path, rawQuery string, status int) string {
	path = apiVersionPrefix().ReplaceAllString(path, "")
	q, _ := url.ParseQuery(rawQuery)
	sentence := ""
	for _, r := range apiRoutes() {
		if r.method != method && !(r.method == "GET" && method == "HEAD" && r.headToo) {
			continue
		}
		m := r.pattern.FindStringSubmatch(path)
		if m == nil {
			continue
		}
		name := ""
		if len(m) > 1 {
			name = apiRef(m[1])
		}
		sentence = r.say(apiRequest{name: name, q: q})
		if status == 404 && r.notFound != "" {
			return sentence + r.notFound
		}
		break
	}
	if sentence == "" {
		sentence = fmt.Sprintf("una petición %s a %s que bolsillo aún no sabe explicar", method, code(path))
	}
	return sentence + apiOutcome(status)
}

// APILine is one request as bolsillo prints it: method, path with its query,
// status, duration and the Spanish sentence of APICall.
//
//	POST /v1.50/containers/create?name=web  201  3.1 ms  pide al daemon que cree…
func APILine(method, requestURI string, status int, d time.Duration) string {
	path, rawQuery, _ := strings.Cut(requestURI, "?")
	st := "---"
	if status > 0 {
		st = strconv.Itoa(status)
	}
	return fmt.Sprintf("%s %s  %s  %s  %s", method, requestURI, st, APIDuration(d), APICall(method, path, rawQuery, status))
}

// APIDuration formats how long a request took, in the unit that reads best:
// "850 µs", "3.1 ms", "1.24 s".
func APIDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// APIClientName names the program behind an HTTP User-Agent: "docker CLI
// 28.2.2", "docker-py 7.1.0", "bolsillo 0.1.0".
func APIClientName(userAgent string) string {
	ua := strings.TrimSpace(userAgent)
	if ua == "" {
		return "cliente sin nombre"
	}
	product, _, _ := strings.Cut(ua, " ")
	name, version, _ := strings.Cut(product, "/")
	known := map[string]string{
		"Docker-Client":      "docker CLI",
		"docker-sdk-python":  "docker-py",
		"bolsillo":           "bolsillo",
		"Go-http-client":     "programa en Go",
		"moby-client":        "programa en Go (moby client)",
		"curl":               "curl",
		"python-requests":    "python requests",
		"docker-compose":     "docker compose",
		"compose":            "docker compose",
		"docker-sdk-go":      "programa en Go (SDK de Docker)",
		"Docker-Client-Test": "docker CLI (tests)",
	}
	if n, ok := known[name]; ok {
		name = n
	}
	if version == "" {
		return name
	}
	return name + " " + version
}

// apiVersionPrefix is the "/v1.50" every versioned path starts with.
var apiVersionPrefix = lazyRegexp(`^/v[0-9]+\.[0-9]+`)

// apiRequest is what a sentence is made from: the object named in the path
// (a container, image, volume...) and the query.
type apiRequest struct {
	name string
	q    url.Values
}

func (r apiRequest) get(key string) string { return r.q.Get(key) }

// on reads a query boolean as the daemon does: "", 0, no, false and none
// are false.
func (r apiRequest) on(key string) bool {
	switch strings.ToLower(strings.TrimSpace(r.q.Get(key))) {
	case "", "0", "no", "false", "none":
		return false
	}
	return true
}

// apiRoute is one row of the route table: {name} in the pattern matches the
// object the request is about, slashes included (image names have them).
type apiRoute struct {
	method  string
	pattern *regexp.Regexp
	headToo bool // a HEAD to the same path says the same
	// notFound replaces the generic "; no existe" of a 404.
	notFound string
	say      func(apiRequest) string
}

func apiPath(method, pattern string, say func(apiRequest) string) apiRoute {
	p := regexp.QuoteMeta(pattern)
	p = strings.ReplaceAll(p, `\{name\}`, `(.+)`)
	return apiRoute{method: method, pattern: regexp.MustCompile("^" + p + "/?$"), say: say}
}

func apiText(s string) func(apiRequest) string { return func(apiRequest) string { return s } }

// apiNamed is a sentence about the request's object: format has one %s,
// the object's name as code.
func apiNamed(format string) func(apiRequest) string {
	return func(r apiRequest) string { return fmt.Sprintf(format, code(r.name)) }
}

// apiRoutes reads like the Engine API reference; compiled on first use,
// not at every start of the CLI. More specific paths come
// first: /containers/{name}/json before /containers/{name}.
var apiRoutes = sync.OnceValue(func() []apiRoute {
	return []apiRoute{
		// System.
		{method: "GET", pattern: regexp.MustCompile(`^/_ping$`), headToo: true, say: apiText("comprueba que el daemon responde y qué versión de la API habla")},
		apiPath("GET", "/version", apiText("pide la versión del daemon y de su API REST")),
		apiPath("GET", "/info", apiText("pide los datos generales del daemon: cuántos contenedores e imágenes tiene, su directorio raíz de datos, el kernel")),
		apiPath("GET", "/events", sayEvents),
		apiPath("GET", "/system/df", apiText("pide cuánto disco usan las imágenes, los contenedores, los volúmenes y la caché de construcción")),
		apiPath("POST", "/auth", apiText("comprueba tu usuario y tu contraseña con el registro (login)")),
		apiPath("GET", "/bolsillo/monitor", apiText("se suscribe al monitor de bolsillod: recibe cada llamada que llega a la API")),

		// Containers.
		{
			method: "POST", pattern: regexp.MustCompile(`^/containers/create/?$`), say: sayCreate,
			notFound: "; la imagen no está en el anfitrión: el cliente suele descargarla (pull) y volver a pedirlo",
		},
		apiPath("GET", "/containers/json", sayPs),
		apiPath("POST", "/containers/prune", apiText("borra todos los contenedores parados (prune)")),
		apiPath("GET", "/containers/{name}/json", apiNamed("pide todos los datos del contenedor %s (inspect): estado, configuración, red, montajes")),
		apiPath("GET", "/containers/{name}/logs", sayLogs),
		apiPath("POST", "/containers/{name}/start", apiNamed("arranca el contenedor %s: su proceso principal empieza a correr")),
		apiPath("POST", "/containers/{name}/stop", sayStop),
		apiPath("POST", "/containers/{name}/restart", apiNamed("reinicia el contenedor %s: lo detiene y lo vuelve a arrancar")),
		apiPath("POST", "/containers/{name}/kill", func(r apiRequest) string {
			sig := r.get("signal")
			if sig == "" {
				sig = "KILL"
			}
			return fmt.Sprintf("manda la señal %s al proceso principal del contenedor %s", code(signalName(sig)), code(r.name))
		}),
		apiPath("POST", "/containers/{name}/wait", sayWait),
		apiPath("POST", "/containers/{name}/attach", sayAttach),
		apiPath("POST", "/containers/{name}/resize", func(r apiRequest) string {
			return fmt.Sprintf("ajusta la terminal del contenedor %s a %s filas y %s columnas", code(r.name), r.get("h"), r.get("w"))
		}),
		apiPath("POST", "/containers/{name}/exec", apiNamed("prepara un proceso nuevo (exec) dentro del contenedor %s; todavía no corre")),
		apiPath("HEAD", "/containers/{name}/archive", func(r apiRequest) string {
			return fmt.Sprintf("pregunta si existe %s dentro del contenedor %s y qué es (cp)", code(r.get("path")), code(r.name))
		}),
		apiPath("GET", "/containers/{name}/archive", func(r apiRequest) string {
			return fmt.Sprintf("copia %s del contenedor %s a tu máquina, empaquetado en un tar (cp)", code(r.get("path")), code(r.name))
		}),
		apiPath("PUT", "/containers/{name}/archive", func(r apiRequest) string {
			return fmt.Sprintf("envía un tar con archivos de tu máquina y los desempaqueta en %s del contenedor %s (cp)", code(r.get("path")), code(r.name))
		}),
		apiPath("GET", "/containers/{name}/changes", apiNamed("pide qué archivos añadió, cambió o borró el contenedor %s en su capa de lectura y escritura (diff)")),
		apiPath("GET", "/containers/{name}/export", apiNamed("pide todo el sistema de archivos del contenedor %s como un tar (export)")),
		apiPath("POST", "/containers/{name}/rename", func(r apiRequest) string {
			return fmt.Sprintf("cambia el nombre del contenedor %s a %s", code(r.name), code(r.get("name")))
		}),
		apiPath("GET", "/containers/{name}/stats", func(r apiRequest) string {
			if r.q.Has("stream") && !r.on("stream") {
				return fmt.Sprintf("pide una medida del uso de CPU, memoria, red y disco del contenedor %s", code(r.name))
			}
			return fmt.Sprintf("recibe cada segundo el uso de CPU, memoria, red y disco del contenedor %s (stats)", code(r.name))
		}),
		apiPath("POST", "/containers/{name}/update", apiNamed("cambia los límites del contenedor %s (memoria, CPU, reinicio) sin detenerlo")),
		apiPath("GET", "/containers/{name}/top", apiNamed("lista los procesos que corren dentro del contenedor %s (top)")),
		apiPath("POST", "/containers/{name}/pause", apiNamed("congela todos los procesos del contenedor %s (pause)")),
		apiPath("POST", "/containers/{name}/unpause", apiNamed("descongela los procesos del contenedor %s (unpause)")),
		apiPath("DELETE", "/containers/{name}", sayRm),
		apiPath("POST", "/commit", func(r apiRequest) string {
			ref := r.get("repo")
			if ref == "" {
				return fmt.Sprintf("convierte la capa de escritura del contenedor %s en una imagen nueva sin etiqueta (commit)", code(r.get("container")))
			}
			if tag := r.get("tag"); tag != "" {
				ref += ":" + tag
			}
			return fmt.Sprintf("convierte la capa de escritura del contenedor %s en la imagen %s (commit)", code(r.get("container")), code(shortRepo(ref)))
		}),

		// Exec.
		apiPath("POST", "/exec/{name}/start", apiNamed("lanza el proceso del exec %s y conecta tu terminal a él")),
		apiPath("GET", "/exec/{name}/json", apiNamed("pregunta por el proceso del exec %s: si sigue corriendo y con qué código terminó")),
		apiPath("POST", "/exec/{name}/resize", func(r apiRequest) string {
			return fmt.Sprintf("ajusta la terminal del exec %s a %s filas y %s columnas", code(r.name), r.get("h"), r.get("w"))
		}),

		// Images.
		apiPath("POST", "/images/create", sayImagesCreate),
		apiPath("GET", "/images/json", sayImages),
		apiPath("POST", "/images/prune", func(r apiRequest) string {
			if strings.Contains(r.get("filters"), `"dangling":{"false"`) || strings.Contains(r.get("filters"), `"dangling":["false"`) {
				return "borra todas las imágenes que no usa ningún contenedor (prune -a)"
			}
			return "borra las imágenes colgadas, las `<none>:<none>` (prune)"
		}),
		apiPath("GET", "/images/search", func(r apiRequest) string {
			return fmt.Sprintf("busca imágenes que se llamen como %s en el registro", code(r.get("term")))
		}),
		apiPath("GET", "/images/get", func(r apiRequest) string {
			return fmt.Sprintf("pide %s en un tar, con todas sus capas (save)", imagesPhrase(r.q["names"]))
		}),
		apiPath("POST", "/images/load", apiText("envía un tar con imágenes para que el daemon las guarde (load)")),
		apiPath("GET", "/images/{name}/json", apiNamed("pide todos los datos de la imagen %s (inspect): capas, configuración, CMD")),
		apiPath("GET", "/images/{name}/history", apiNamed("pide el historial de la imagen %s: qué instrucción creó cada capa y cuánto pesa")),
		apiPath("GET", "/images/{name}/get", apiNamed("pide la imagen %s en un tar, con todas sus capas (save)")),
		apiPath("POST", "/images/{name}/push", func(r apiRequest) string {
			ref := r.name
			if tag := r.get("tag"); tag != "" {
				ref += ":" + tag
			}
			return fmt.Sprintf("sube (push) la imagen %s a su registro", code(ref))
		}),
		apiPath("POST", "/images/{name}/tag", func(r apiRequest) string {
			ref := r.get("repo")
			if tag := r.get("tag"); tag != "" {
				ref += ":" + tag
			}
			return fmt.Sprintf("le pone a la imagen %s la etiqueta (tag) %s; no copia nada", code(r.name), code(shortRepo(ref)))
		}),
		apiPath("DELETE", "/images/{name}", func(r apiRequest) string {
			s := fmt.Sprintf("quita la etiqueta %s y borra la imagen si ya no le queda ninguna (rmi)", code(r.name))
			if r.on("force") {
				s += ", aunque la use un contenedor parado"
			}
			return s
		}),
		apiPath("POST", "/build", sayBuild),
		apiPath("POST", "/build/prune", apiText("borra la caché de construcción")),
		apiPath("GET", "/distribution/{name}/json", apiNamed("pregunta al registro por el manifiesto de %s, sin descargar nada")),
		apiPath("POST", "/session", apiText("abre una sesión de BuildKit para construir")),
		apiPath("POST", "/grpc", apiText("habla con BuildKit por gRPC para construir")),

		// Volumes.
		apiPath("POST", "/volumes/create", apiText("crea un volumen: datos que viven fuera de los contenedores")),
		apiPath("GET", "/volumes", apiText("lista los volúmenes")),
		apiPath("POST", "/volumes/prune", apiText("borra los volúmenes que no usa ningún contenedor (prune)")),
		apiPath("GET", "/volumes/{name}", apiNamed("pide los datos del volumen %s: dónde guarda sus archivos en el anfitrión")),
		apiPath("DELETE", "/volumes/{name}", apiNamed("borra el volumen %s y sus datos")),

		// Networks.
		apiPath("GET", "/networks", apiText("lista las redes")),
		apiPath("POST", "/networks/create", apiText("crea una red")),
		apiPath("POST", "/networks/prune", apiText("borra las redes que no usa ningún contenedor (prune)")),
		apiPath("POST", "/networks/{name}/connect", apiNamed("conecta un contenedor a la red %s")),
		apiPath("POST", "/networks/{name}/disconnect", apiNamed("desconecta un contenedor de la red %s")),
		apiPath("GET", "/networks/{name}", apiNamed("pide los datos de la red %s: su subred y sus contenedores")),
		apiPath("DELETE", "/networks/{name}", apiNamed("borra la red %s")),

		// Plugins: `docker inspect` asks for one when nothing else has the name.
		apiPath("GET", "/plugins/{name}/json", apiNamed("pregunta si hay un plugin llamado %s")),
	}
})

func sayCreate(r apiRequest) string {
	if name := r.get("name"); name != "" {
		return fmt.Sprintf("pide al daemon que cree el contenedor %s (aún no arranca)", code(name))
	}
	return "pide al daemon que cree un contenedor nuevo, con un nombre inventado (aún no arranca)"
}

func sayPs(r apiRequest) string {
	s := "lista los contenedores en marcha"
	if r.on("all") {
		s = "lista los contenedores, también los parados"
	}
	if n, err := strconv.Atoi(r.get("limit")); err == nil && n > 0 {
		s = plural(n, "lista el último contenedor creado", fmt.Sprintf("lista los %d últimos contenedores creados", n))
	}
	if r.get("filters") != "" {
		s += ", filtrados"
	}
	if r.on("size") {
		s += ", con el tamaño de su capa de escritura"
	}
	return s
}

func sayLogs(r apiRequest) string {
	s := fmt.Sprintf("pide lo que el contenedor %s escribió en su salida (logs)", code(r.name))
	if n, err := strconv.Atoi(r.get("tail")); err == nil {
		s = fmt.Sprintf("pide %s que el contenedor %s escribió en su salida (logs)", plural(n, "la última línea", fmt.Sprintf("las últimas %d líneas", n)), code(r.name))
	}
	if r.on("follow") {
		s += " y se queda recibiendo lo nuevo (-f)"
	}
	return s
}

func sayStop(r apiRequest) string {
	sig := r.get("signal")
	if sig == "" {
		sig = "TERM"
	}
	wait := "si no termina a tiempo"
	if t := r.get("t"); t != "" {
		if n, err := strconv.Atoi(t); err == nil {
			wait = "si no termina en " + seconds(n)
		}
	}
	return fmt.Sprintf("detiene el contenedor %s: manda %s a su proceso principal y, %s, `SIGKILL`", code(r.name), code(signalName(sig)), wait)
}

func sayWait(r apiRequest) string {
	switch r.get("condition") {
	case "next-exit":
		return fmt.Sprintf("espera a que el contenedor %s termine, para saber su código de salida", code(r.name))
	case "removed":
		return fmt.Sprintf("espera a que el contenedor %s termine y se borre (--rm), para saber su código de salida", code(r.name))
	}
	return fmt.Sprintf("espera a que el contenedor %s no esté en marcha y recibe su código de salida", code(r.name))
}

func sayAttach(r apiRequest) string {
	s := fmt.Sprintf("conecta tu terminal a la salida del contenedor %s", code(r.name))
	if r.on("stdin") {
		s += " y tu teclado a su entrada"
	}
	return s + ": la conexión HTTP se queda abierta como un tubo"
}

func sayRm(r apiRequest) string {
	s := fmt.Sprintf("borra el contenedor %s y su capa de lectura y escritura", code(r.name))
	if r.on("force") {
		s += ", aunque esté en marcha"
	}
	if r.on("v") {
		s += ", con sus volúmenes anónimos"
	}
	return s
}

func sayEvents(r apiRequest) string {
	if r.get("until") != "" {
		return "pide los eventos del daemon (crear, arrancar, terminar...) de un intervalo de tiempo"
	}
	return "se suscribe a los eventos del daemon (crear, arrancar, terminar...) y los recibe según pasan"
}

func sayImagesCreate(r apiRequest) string {
	if src := r.get("fromSrc"); src != "" {
		into := "una imagen nueva"
		if repo := r.get("repo"); repo != "" {
			ref := repo
			if tag := r.get("tag"); tag != "" {
				ref += ":" + tag
			}
			into = "la imagen " + code(shortRepo(ref))
		}
		if src == "-" {
			return fmt.Sprintf("envía un tar con un sistema de archivos para convertirlo en %s (import)", into)
		}
		return fmt.Sprintf("pide al daemon que descargue el tar de %s y lo convierta en %s (import)", code(src), into)
	}
	ref := r.get("fromImage")
	if tag := r.get("tag"); tag != "" {
		if strings.HasPrefix(tag, "sha256:") {
			ref += "@" + tag
		} else {
			ref += ":" + tag
		}
	}
	if r.get("tag") == "" && !strings.ContainsAny(lastPart(ref), ":@") {
		return fmt.Sprintf("descarga (pull) del registro todas las etiquetas de %s", code(shortRepo(ref)))
	}
	return fmt.Sprintf("descarga (pull) la imagen %s del registro, capa por capa", code(shortRepo(ref)))
}

func sayImages(r apiRequest) string {
	f := r.get("filters")
	switch {
	case strings.Contains(f, `"dangling":{"true"`) || strings.Contains(f, `"dangling":["true"`):
		return "lista las imágenes colgadas, las `<none>:<none>`"
	case r.on("all"):
		return "lista las imágenes, también las capas intermedias"
	case f != "":
		return "lista las imágenes, filtradas"
	}
	return "lista las imágenes"
}

func sayBuild(r apiRequest) string {
	tags := r.q["t"]
	for i, t := range tags {
		tags[i] = shortRepo(t)
	}
	s := "envía el contexto de construcción (build context) y pide construir una imagen sin etiqueta"
	if len(tags) > 0 {
		s = fmt.Sprintf("envía el contexto de construcción (build context) y pide construir %s", imagesPhrase(tags))
	}
	if df := r.get("dockerfile"); df != "" && df != "Dockerfile" {
		s += " con " + code(df)
	}
	if r.on("nocache") {
		s += ", sin usar la caché"
	}
	return s
}

// imagesPhrase says "la imagen `a`" or "las imágenes `a` y `b`".
func imagesPhrase(names []string) string {
	if len(names) == 1 {
		return "la imagen " + code(names[0])
	}
	return "las imágenes " + codeList(names)
}

// apiRef shortens a full 64-character ID in a path to the 12 characters
// docker prints; names stay as they are.
func apiRef(s string) string {
	id := strings.TrimPrefix(s, "sha256:")
	if len(id) == 64 && strings.Trim(id, "0123456789abcdef") == "" {
		return id[:shortIDLen]
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// shortRepo drops the docker.io/library/ the docker CLI adds to official
// images, so `busybox:latest` reads as the student typed it.
func shortRepo(ref string) string {
	ref = strings.TrimPrefix(ref, "docker.io/")
	return strings.TrimPrefix(ref, "library/")
}

// lastPart is what follows the last slash of a reference.
func lastPart(ref string) string {
	return ref[strings.LastIndexByte(ref, '/')+1:]
}

// apiOutcome adds what the status says when it is not a plain success.
func apiOutcome(status int) string {
	switch {
	case status == 0, status == 101, status >= 200 && status < 300:
		return ""
	case status == 304:
		return "; no hizo falta: ya estaba así"
	case status == 400:
		return "; el daemon la rechazó: la petición no es válida"
	case status == 401:
		return "; el registro pidió usuario y contraseña"
	case status == 403:
		return "; el daemon no lo permite"
	case status == 404:
		return "; no existe"
	case status == 409:
		return "; hay un conflicto con el estado actual"
	case status == 501:
		return "; el daemon no lo sabe hacer"
	case status >= 500:
		return "; falló dentro del daemon"
	}
	return fmt.Sprintf("; respuesta %d", status)
}
