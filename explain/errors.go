package explain

import (
	"regexp"
	"strings"
)

// errorRule recognizes one of Docker's English error messages and explains
// it. explain receives the regexp submatches and the daemon's address, and
// returns a title and the lines that say what happened and what to do.
type errorRule struct {
	re      *regexp.Regexp
	explain func(m []string, host string) (title string, lines []string)
}

// errorRules are tried in order; more specific messages come first.
var errorRules = []errorRule{
	{
		re: regexp.MustCompile(`(?i)permission denied while trying to connect to the docker (?:API|daemon socket) at ([^\s:;,]+(?::/{2}[^\s;,]+)?)`),
		explain: func(m []string, host string) (string, []string) {
			sock := firstNonEmpty(m[1], host)
			return "Sin permiso para hablar con el daemon", []string{
				"Tu usuario no puede usar el socket del daemon, " + code(sock) + ".",
				"Repite el comando con `sudo`, o pide que te añadan al grupo dueño del socket.",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)(?:cannot connect to the docker daemon(?: at ([^\s]+?))?\.(?:\s|$)|failed to connect to the docker API at ([^\s;]+)|connection refused)`),
		explain: func(m []string, host string) (string, []string) {
			sock := firstNonEmpty(m[1], m[2], host)
			first := "El cliente no encontró ningún daemon escuchando."
			if sock != "" {
				first = "El cliente no encontró ningún daemon escuchando en " + code(sock) + "."
			}
			return "No responde ningún daemon", []string{
				first,
				"El cliente solo envía peticiones: sin daemon (servidor) nadie las atiende.",
				"Arráncalo con `sudo bolsillod` (o `sudo systemctl start bolsillod`) y repite el comando; si escucha en otro socket, indícalo con `-H`.",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)no such container: ?(\S+)`),
		explain: func(m []string, _ string) (string, []string) {
			return "No existe el contenedor " + code(m[1]), []string{
				"Este daemon no tiene ningún contenedor con el nombre o ID " + code(m[1]) + ".",
				"Mira los que existen, también los detenidos, con `bolsillo ps -a`.",
				"Si lo lanzaste con `--rm`, se borró solo al terminar.",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)no such image: ?(\S+)`),
		explain: func(m []string, _ string) (string, []string) {
			return "No tienes la imagen " + code(m[1]), []string{
				"La imagen " + code(m[1]) + " no está en el anfitrión.",
				"Con internet, descárgala con " + code("bolsillo pull "+m[1]) + "; sin internet, `bolsillo lab init` crea `busybox`.",
				"Mira las imágenes que tienes con `bolsillo images`.",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)(?:pull access denied for ([^,\s]+)|manifest for (\S+) not found|manifest unknown|repository does not exist)`),
		explain: func(m []string, _ string) (string, []string) {
			title := "El registro no tiene esa imagen"
			if ref := firstNonEmpty(m[1], m[2]); ref != "" {
				title = "El registro no tiene " + code(ref)
			}
			return title, []string{
				"El registro (registry) respondió, pero no tiene ese nombre o esa etiqueta (tag).",
				"Revisa cómo se escribe; sin etiqueta se pide `latest`.",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)the container name "/?([^"]+)" is already in use by container "([0-9a-f]+)"`),
		explain: func(m []string, _ string) (string, []string) {
			return "El nombre " + code(m[1]) + " ya está en uso", []string{
				"Ya existe un contenedor llamado " + code(m[1]) + " (ID " + code(shortID(m[2])) + "), aunque esté detenido.",
				"Bórralo con " + code("bolsillo rm "+m[1]) + ", renómbralo con " + code("bolsillo rename "+m[1]+" OTRO") + " o usa otro `--name`.",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)(?:cannot remove container "/?([^"]+)": )?container is running: stop the container before removing`),
		explain: func(m []string, _ string) (string, []string) {
			name := firstNonEmpty(m[1], "NOMBRE")
			return "No se puede borrar un contenedor que está corriendo", []string{
				"`rm` solo borra contenedores detenidos, para no matar un proceso por sorpresa.",
				"Detenlo con " + code("bolsillo stop "+name) + " y repite, o fuerza el borrado con " + code("bolsillo rm -f "+name) + ".",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)unable to delete (\S+) \((?:must|cannot) be forced\) - image is being used by (stopped|running) container (\S+)`),
		explain: func(m []string, _ string) (string, []string) {
			img, cid := shortID(m[1]), shortID(m[3])
			how := "detenido"
			if strings.EqualFold(m[2], "running") {
				how = "corriendo"
			}
			return "La imagen " + code(img) + " está en uso", []string{
				"La usa el contenedor " + code(cid) + " (" + how + "): sus capas de solo lectura son la base de ese contenedor.",
				"Borra primero el contenedor con " + code("bolsillo rm -f "+cid) + " y luego la imagen con " + code("bolsillo rmi "+img) + ".",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)container (\S+) is not running`),
		explain: func(m []string, _ string) (string, []string) {
			name := shortID(m[1])
			return "El contenedor " + code(name) + " no está corriendo", []string{
				"Esta orden necesita un contenedor en marcha, y " + code(name) + " está detenido.",
				"Arráncalo con " + code("bolsillo start "+name) + "; `bolsillo ps -a` te muestra su estado.",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)exec: "([^"]+)": (?:executable file not found|stat [^:]+: no such file or directory)`),
		explain: func(m []string, _ string) (string, []string) {
			return "No existe el comando " + code(m[1]) + " en el contenedor", []string{
				"La imagen no tiene ningún ejecutable " + code(m[1]) + ": el proceso principal no pudo empezar (código 127).",
				"Revisa cómo se escribe, o mira qué programas trae la imagen con " + code("bolsillo run --rm IMAGEN ls /bin") + ".",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)exec: "([^"]+)": permission denied`),
		explain: func(m []string, _ string) (string, []string) {
			return code(m[1]) + " no se puede ejecutar", []string{
				"El archivo " + code(m[1]) + " existe en la imagen, pero no es ejecutable (código 126).",
				"Revisa la ruta o dale permiso de ejecución (`chmod +x`) al construir la imagen.",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)invalid reference format(?:: repository name \(?([^)\s]+)\)? must be lowercase)?`),
		explain: func(m []string, _ string) (string, []string) {
			lines := []string{"Un nombre de imagen se escribe " + code("repositorio:tag") + ", en minúsculas y sin espacios; sin tag es `latest`."}
			if m[1] != "" {
				lines = append([]string{code(m[1]) + " tiene mayúsculas: los nombres de imagen van en minúsculas."}, lines...)
			}
			return "El nombre de la imagen no es válido", lines
		},
	},
	{
		re: regexp.MustCompile(`(?i)could not find the file (\S+) in container (\S+)`),
		explain: func(m []string, _ string) (string, []string) {
			return "No existe " + code(m[1]) + " en " + code(m[2]), []string{
				"Dentro del contenedor " + code(m[2]) + " no hay nada en " + code(m[1]) + ".",
				"Revisa la ruta (mira con " + code("bolsillo exec "+m[2]+" ls /") + "); `cp` funciona con el contenedor corriendo y también parado.",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)invalid container name \((.*)\), only`),
		explain: func(m []string, _ string) (string, []string) {
			return "El nombre " + code(m[1]) + " no vale para un contenedor", []string{
				"Un nombre de contenedor empieza por una letra o un número, y después solo lleva letras, números, `_`, `.` o `-`: sin espacios ni tildes.",
				"Por ejemplo: " + code("--name mi_web") + ".",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)minimum memory limit allowed is (\S+)`),
		explain: func(m []string, _ string) (string, []string) {
			return "Límite de memoria demasiado pequeño", []string{
				"El límite de memoria (`-m`) mínimo es " + code(m[1]) + ": con menos, ni el proceso principal llega a arrancar.",
				"Indica la unidad: " + code("-m 64m") + " son 64 megabytes; un número solo son bytes.",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)invalid value (\S+) for cpuset cpus`),
		explain: func(m []string, _ string) (string, []string) {
			return "CPU no válidas: " + code(m[1]), []string{
				"`--cpuset-cpus` recibe números de CPU contados desde 0: " + code("0") + ", " + code("0-1") + " o " + code("0,2") + ".",
				"Mira cuántas CPU tiene el anfitrión con `bolsillo info` (la línea CPUs).",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)network mode "bridge" is not supported yet`),
		explain: func(_ []string, _ string) (string, []string) {
			return "La red `bridge` todavía no está disponible", []string{
				"Por ahora cada contenedor tiene su propia red aislada con solo la interfaz `lo` (`--network none`), o comparte la del anfitrión (`--network host`).",
				"Quita `--network bridge` o usa una de esas dos.",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)multiple IDs found with provided prefix: (\S+)`),
		explain: func(m []string, _ string) (string, []string) {
			return "El ID " + code(m[1]) + " es ambiguo", []string{
				"Hay más de un objeto cuyo ID empieza por " + code(m[1]) + ".",
				"Escribe más caracteres del ID, o usa el nombre (míralos con `bolsillo ps -a`).",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)no command specified`),
		explain: func(_ []string, _ string) (string, []string) {
			return "No hay ningún comando que ejecutar", []string{
				"La imagen no tiene `CMD` ni `ENTRYPOINT`, y no escribiste ningún comando después de su nombre.",
				"Añádelo al final: " + code("bolsillo run IMAGEN sh -c 'echo hola'") + ".",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)permission denied`),
		explain: func(_ []string, _ string) (string, []string) {
			return "Permiso denegado", []string{
				"El sistema no dejó hacer esta operación a tu usuario.",
				"El daemon y sus archivos son de root: repite el comando con `sudo`.",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)(?:no such host|network is unreachable|i/o timeout|TLS handshake timeout|dial tcp)`),
		explain: func(_ []string, _ string) (string, []string) {
			return "Sin conexión con el registro", []string{
				"No se pudo llegar al registro (registry) de imágenes por la red.",
				"Sin internet, `bolsillo lab init` crea la imagen `busybox` con lo que ya hay en tu máquina.",
			}
		},
	},
	{
		re: regexp.MustCompile(`(?i)context deadline exceeded`),
		explain: func(_ []string, _ string) (string, []string) {
			return "Se acabó el tiempo de espera", []string{
				"El daemon no respondió a tiempo.",
				"Comprueba que sigue en marcha con `bolsillo version` y repite el comando.",
			}
		},
	},
}

// Error returns a Spanish explanation for an error returned by the client or
// the daemon, matched on Docker's English messages. It always says what to do
// next and ends with the original message. host is the daemon's address
// (unix:///run/bolsillo.sock), used when the message does not name it.
func Error(err error, host string) string {
	if err == nil {
		return ""
	}
	msg := strings.TrimSpace(err.Error())
	var md doc
	for _, r := range errorRules {
		m := r.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		title, lines := r.explain(m, host)
		md.title("%s", title)
		for _, l := range lines {
			md.item("%s", l)
		}
		md.item("Mensaje original: %s", code(oneLine(msg)))
		return md.String()
	}
	md.title("Algo falló")
	md.item("bolsillo todavía no sabe explicar este error, pero el mensaje original suele decir qué objeto falló y por qué:")
	md.item("%s", code(oneLine(msg)))
	md.item("Revisa los nombres que escribiste con `bolsillo ps -a` y `bolsillo images`, y repite el comando.")
	return md.String()
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// oneLine collapses whitespace so a message fits in a code span.
func oneLine(s string) string {
	if s == "" {
		return "(mensaje vacío)"
	}
	return strings.Join(strings.Fields(s), " ")
}
