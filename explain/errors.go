package explain

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// errorRule recognizes one of Docker's English error messages and explains
// it. explain receives the regexp submatches and the daemon's address, and
// returns a title and the lines that say what happened and what to do.
type errorRule struct {
	re      *regexp.Regexp
	explain func(m []string, host string) (title string, lines []string)
}

// errorRules are tried in order; more specific messages come first. They
// are compiled on first use, not at every start of the CLI.
var errorRules = sync.OnceValue(func() []errorRule {
	return append(append(fileErrorRules(), isolationErrorRules()...), generalErrorRules()...)
})

// generalErrorRules are the messages of every command.
func generalErrorRules() []errorRule {
	return []errorRule{
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
			re:      regexp.MustCompile(`(?i)(?:cannot connect to the docker daemon(?: at ([^\s]+?))?\.(?:\s|$)|failed to connect to the docker API at ([^\s;]+))`),
			explain: daemonDown,
		},
		{
			re: regexp.MustCompile(`(?i)dial tcp (\[[^\]]+\]:\d+|[^\s:\[]+:\d+): connect: connection refused`),
			explain: func(m []string, _ string) (string, []string) {
				return "Nadie escucha en " + code(m[1]), []string{
					"No hay ningún registro (registry) en " + code(m[1]) + ": la máquina responde, pero ese puerto está cerrado.",
					"Revisa la dirección y el puerto, la primera parte del nombre de la imagen. Si es el registro del aula, arráncalo con " + code("bolsillo registry --addr 0.0.0.0:PUERTO") + ".",
				}
			},
		},
		{
			re:      regexp.MustCompile(`(?i)()()connection refused`),
			explain: daemonDown,
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
			re: regexp.MustCompile(`(?i)(?:pull access denied for ([^,\s]+)|manifest for (\S+) not found|manifest unknown|MANIFEST_UNKNOWN|NAME_UNKNOWN|repository name not known to registry|repository does not exist)`),
			explain: func(m []string, _ string) (string, []string) {
				title := "El registro no tiene esa imagen"
				if ref := firstNonEmpty(m[1], m[2]); ref != "" {
					title = "El registro no tiene " + code(ref)
				}
				return title, []string{
					"El registro (registry) respondió, pero no tiene ese nombre o esa etiqueta (tag).",
					"Revisa cómo se escribe; sin etiqueta se pide `latest`. Si es el registro del aula, alguien tiene que subirla antes con `bolsillo push`.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?is)^.*?(?:unauthorized|authentication required|no basic auth credentials|incorrect username or password|denied: requested access to the resource is denied)`),
			explain: func(m []string, _ string) (string, []string) {
				// m[0] runs from the start of the message, so it holds the URL.
				if reg := registryInMessage(m[0]); reg != "" {
					return "El registro no te deja pasar", []string{
						"El registro (registry) " + code(reg) + " pide usuario y contraseña para esta imagen, o los que enviaste no valen.",
						"Inicia sesión con " + code("bolsillo login "+reg) + " y repite el comando.",
					}
				}
				return "El registro no te deja pasar", []string{
					"El registro (registry) pide usuario y contraseña para esta imagen, o los que enviaste no valen.",
					"Inicia sesión con `bolsillo login` y repite. Para subir a Docker Hub, el nombre empieza por tu usuario: " + code("TU_USUARIO/imagen") + ".",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)(?:toomanyrequests|too many requests|pull rate limit)`),
			explain: func(_ []string, _ string) (string, []string) {
				return "Docker Hub limitó tus descargas", []string{
					"Docker Hub limita cuántas descargas (pull) hace cada IP, y sin sesión el límite es más bajo. En un aula, todas las máquinas suelen salir a internet con la misma IP.",
					"Espera un rato, inicia sesión con `bolsillo login`, o reparte las imágenes desde el registro del aula: `bolsillo registry` y `bolsillo lab init --registry HOST:5000`.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)refusing plain HTTP to registry (\S+): only`),
			explain: func(m []string, _ string) (string, []string) {
				return "El registro " + code(m[1]) + " no usa HTTPS", []string{
					"El daemon solo habla HTTP sin cifrar con registros de esta misma máquina (`localhost`, `127.0.0.1`); los demás deben usar HTTPS.",
					"El registro del aula (`bolsillo registry`) usa HTTP: arranca bolsillod con " + code("--insecure-registry "+m[1]) + " (en Docker, `insecure-registries` en `/etc/docker/daemon.json`) y repite el comando.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?is)^.*?server gave HTTP response to HTTPS client`),
			explain: func(m []string, _ string) (string, []string) {
				reg := firstNonEmpty(registryInMessage(m[0]), "HOST:PUERTO")
				return "El registro habla HTTP y se le llamó por HTTPS", []string{
					"El registro " + code(reg) + " respondió por HTTP sin cifrar, pero la conexión se intentó por HTTPS.",
					"El daemon solo usa HTTP sin cifrar con registros en `localhost` o `127.0.0.1`, o con los que declares: `bolsillod --insecure-registry " + reg + "` (en Docker, `insecure-registries` en `/etc/docker/daemon.json`).",
					"Si es el registro del aula, úsalo desde su máquina como " + code("localhost:PUERTO") + ", o declara " + code(reg) + " como inseguro y reinicia el daemon.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)x509: ([^"\n]*)`),
			explain: func(m []string, _ string) (string, []string) {
				why := "el certificado no se pudo comprobar"
				switch lower := strings.ToLower(m[1]); {
				case strings.Contains(lower, "unknown authority"):
					why = "lo firmó una autoridad que este anfitrión no conoce (un certificado propio)"
				case strings.Contains(lower, "expired") || strings.Contains(lower, "not yet valid"):
					why = "caducó o todavía no es válido; revisa también la fecha y hora de tu máquina (`date`)"
				case strings.Contains(lower, "valid for"):
					why = "es de otro nombre, no del que escribiste"
				}
				return "El certificado del registro no es de confianza", []string{
					"La conexión HTTPS con el registro (registry) falló al comprobar su certificado: " + why + ".",
					"Si el registro es tuyo, instala su certificado de CA en el anfitrión (en Debian, en `/usr/local/share/ca-certificates/` y después `update-ca-certificates`) y reinicia el daemon.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)(?:digest mismatch|failed to verify|verification failed|error verifying|did not match uploaded content|digest invalid)`),
			explain: func(_ []string, _ string) (string, []string) {
				return "Los datos no coinciden con su digest", []string{
					"Lo que llegó no tiene el hash sha256 que anunciaba el manifiesto (manifest): se rechazó y no se guardó nada.",
					"Suele ser una transferencia cortada, o un registro o un proxy que altera los datos: repite el comando. Si vuelve a pasar, el registro tiene esa capa dañada.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)unable to delete (\S+) \((?:must|cannot) be forced\) - image is referenced in multiple repositories`),
			explain: func(m []string, _ string) (string, []string) {
				id := shortID(m[1])
				return "La imagen " + code(id) + " tiene varios nombres", []string{
					"Pediste borrarla por su ID, pero " + code(id) + " tiene varias etiquetas (tags) en repositorios distintos: `rmi` no sabe cuál de ellas quieres quitar.",
					"Quita los nombres uno a uno con " + code("bolsillo rmi NOMBRE:TAG") + " (míralos con `bolsillo images`), o bórrala con todos sus nombres con " + code("bolsillo rmi -f "+id) + ".",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)unable to remove repository reference "([^"]+)" \((?:must force|must be forced|cannot be forced)\) - container (\S+) is using its referenced image (\S+)`),
			explain: func(m []string, _ string) (string, []string) {
				ref, cid, img := m[1], shortID(m[2]), shortID(m[3])
				return "El nombre " + code(ref) + " lo usa un contenedor", []string{
					"El contenedor " + code(cid) + " se creó desde " + code(ref) + " (imagen " + code(img) + "), y es el último nombre de esa imagen.",
					"Borra antes el contenedor con " + code("bolsillo rm -f "+cid) + ", o quita solo el nombre con " + code("bolsillo rmi -f "+ref) + ": la imagen se queda como " + code(danglingTag) + " mientras el contenedor exista.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)(?:invalid tar header|archive/tar:|processing tar file[^:]*: unexpected EOF|repositories: no such file or directory|manifest\.json: no such file or directory|not a valid image archive)`),
			explain: func(_ []string, _ string) (string, []string) {
				return "El tar no es una imagen guardada o está incompleto", []string{
					"`load` espera un tar hecho con `save` (docker-archive, con `manifest.json`) o un layout OCI (con `index.json`); este está cortado o no es ninguno de los dos. No se cargó nada.",
					"Vuelve a crearlo con " + code("bolsillo save -o imagen.tar IMAGEN") + " y comprueba que está entero con " + code("tar tf imagen.tar") + ".",
					"Si es un sistema de archivos empaquetado en un tar, conviértelo en imagen con `bolsillo import`.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)unexpected EOF`),
			explain: func(_ []string, _ string) (string, []string) {
				return "Los datos se cortaron a medias", []string{
					"La transferencia terminó antes de tiempo: la red, el registro (registry) o el archivo se quedaron a medias.",
					"Repite el comando. Si era `load`, el tar está incompleto: vuelve a crearlo con `bolsillo save -o`.",
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
			// bolsillod's wording, then Docker 20-25's.
			re: regexp.MustCompile(`(?i)(?:(?:cannot remove container "/?([^"]+)": )?container is running: stop the container before removing|you cannot remove a running container ([0-9a-f]+)\. Stop the container before attempting removal)`),
			explain: func(m []string, _ string) (string, []string) {
				name := firstNonEmpty(m[1], shortID(m[2]), "NOMBRE")
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
			re: regexp.MustCompile(`(?i)network (\S+) not found`),
			explain: func(m []string, _ string) (string, []string) {
				return "La red " + code(m[1]) + " no existe", []string{
					"Las redes que trae el daemon son tres: " + code("bridge") + " (la de por defecto: una IP propia y salida a internet), " + code("none") + " (solo " + code("lo") + ") y " + code("host") + " (la red de tu máquina, sin aislar).",
					"Míralas con " + code("bolsillo network ls") + " y elige una con " + code("--network") + "; sin " + code("--network") + " vas a " + code("bridge") + ".",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)failed to parse value as time or duration: "([^"]*)"`),
			explain: func(m []string, _ string) (string, []string) {
				return code(m[1]) + " no es una fecha ni una duración", []string{
					code("--since") + " y " + code("--until") + " aceptan una duración hacia atrás (" + code("10m") + ", " + code("1h30m") + "), una fecha (" + code("2026-11-28") + " o " + code("2026-11-28T10:00:00") + ") o segundos Unix (" + code("1764324000") + ").",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)the input device is not a TTY`),
			explain: func(_ []string, _ string) (string, []string) {
				return "Tu entrada no es una terminal", []string{
					"Con " + code("-t") + " pides una terminal (TTY) para el contenedor, y con " + code("-i") + " le conectas tu entrada; pero la entrada de bolsillo viene de una tubería o de un script, no de un teclado.",
					"Desde un script quita " + code("-t") + " (deja " + code("-i") + " si le pasas datos por la tubería: " + code("echo hola | bolsillo run -i --rm busybox cat") + "), o ejecútalo en una terminal de verdad.",
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
			re:      regexp.MustCompile(`(?i)(?:"([^"]*)"[^"]*?)?invalid reference format(?:: repository name \(?([^)\s]+)\)? must be lowercase)?`),
			explain: invalidReference,
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
					"Un nombre de contenedor tiene al menos dos caracteres: empieza por una letra o un número, y después solo lleva letras, números, `_`, `.` o `-`, sin espacios ni tildes.",
					"Por ejemplo: " + code("--name mi_web") + ".",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)create .*?: "(.*)" includes invalid characters for a local volume name`),
			explain: func(m []string, _ string) (string, []string) {
				items := []string{"En " + code("-v ORIGEN:DESTINO") + ", un origen que no empieza por `/` es el nombre de un volumen, y un nombre de volumen solo lleva letras, números, `_`, `.` o `-`."}
				if strings.Contains(m[1], "/") {
					items = append(items, "Si querías montar una carpeta de tu máquina (un montaje enlazado, bind mount), escribe su ruta absoluta: "+code(`-v "$PWD"/`+strings.TrimPrefix(m[1], "./")+":DESTINO")+", donde `$PWD` es la carpeta en la que estás.")
				} else {
					items = append(items, "Por ejemplo, "+code("-v datos:/data")+" usa (o crea) el volumen "+code("datos")+"; "+code(`-v "$PWD":/data`)+" monta la carpeta en la que estás.")
				}
				return code(m[1]) + " no es un nombre de volumen", items
			},
		},
		{
			re: regexp.MustCompile(`(?i)create (\S+): volume name is too short`),
			explain: func(m []string, _ string) (string, []string) {
				return code(m[1]) + " es un nombre de volumen demasiado corto", []string{
					"Un volumen con nombre necesita al menos dos caracteres: letras, números, `_`, `.` o `-`. Por ejemplo, " + code("-v datos:/data") + " o " + code("bolsillo volume create datos") + ".",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)(\S+) is not a valid change command`),
			explain: func(m []string, _ string) (string, []string) {
				kw := strings.ToUpper(m[1])
				return code(kw) + " no vale en `commit -c`", []string{
					"Con `-c` (`--change`) solo cambias la configuración de la imagen nueva: " + codeList([]string{"CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}) + ".",
					"`commit` no ejecuta nada ni añade archivos por su cuenta: lo que quieras en la capa nueva, hazlo antes en el contenedor (con " + code("bolsillo exec") + " o " + code("bolsillo cp") + "), o escribe un Dockerfile.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)the working directory '(.*)' is invalid, it needs to be an absolute path`),
			explain: func(m []string, _ string) (string, []string) {
				return code(m[1]) + " no es una ruta absoluta", []string{
					"El directorio de trabajo (`-w`) se escribe desde la raíz del contenedor: empieza por `/`, como " + code("-w /"+strings.TrimPrefix(m[1], "./")) + ".",
					"Si no existe dentro del contenedor, se crea al arrancar.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)unable to find user ([^:\s]+)`),
			explain: func(m []string, _ string) (string, []string) {
				return "El usuario " + code(m[1]) + " no existe en la imagen", []string{
					"Pediste el usuario " + code(m[1]) + " (con `-u`, o con `USER` en el Dockerfile), pero no está en el " + code("/etc/passwd") + " de la imagen: el proceso no llegó a arrancar.",
					"Usa un usuario de la imagen (míralos con " + code("bolsillo run --rm IMAGEN cat /etc/passwd") + ") o un UID, como " + code("-u 1000") + ", que no necesita estar en el archivo.",
					"O crea el usuario en el Dockerfile antes de `USER`: " + code("RUN adduser -D "+m[1]) + " en busybox y alpine.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)unable to find group ([^:\s]+)`),
			explain: func(m []string, _ string) (string, []string) {
				return "El grupo " + code(m[1]) + " no existe en la imagen", []string{
					"Pediste el grupo " + code(m[1]) + " (con `-u usuario:grupo` o con `--group-add`), pero no está en el " + code("/etc/group") + " de la imagen.",
					"Usa un grupo de la imagen (míralos con " + code("bolsillo run --rm IMAGEN cat /etc/group") + ") o un GID, como " + code("--group-add 10") + ", que no necesita estar en el archivo.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)requested CPUs are not available - requested (\S+), available: (\S+)`),
			explain: func(m []string, _ string) (string, []string) {
				return "Pediste CPU que esta máquina no tiene: " + code(m[1]), []string{
					"`--cpuset-cpus` nombra CPU concretas, contadas desde 0: aquí existen " + code(m[2]) + ".",
					"Por ejemplo, " + code("--cpuset-cpus 0") + " deja el contenedor en la primera CPU, y " + code("0-1") + " en las dos primeras. Mira cuántas hay con `bolsillo info` (la línea CPUs).",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)range of CPUs is from (\S+) to (\S+), as there are only (\d+) CPUs available`),
			explain: func(m []string, _ string) (string, []string) {
				return "`--cpus` va de " + code(m[1]) + " a " + code(m[2]) + " en esta máquina", []string{
					"`--cpus` es cuánto tiempo de CPU puede usar el contenedor: " + code("--cpus 0.5") + " es media CPU, " + code("--cpus 1.5") + " una y media.",
					"No puede pasar de las CPU que tiene la máquina: aquí, " + m[3] + ".",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)minimum memoryswap limit should be larger than memory limit`),
			explain: func(m []string, _ string) (string, []string) {
				return "`--memory-swap` tiene que ser mayor que `-m`", []string{
					"`--memory-swap` es el total de memoria más swap, no solo el swap: con " + code("-m 64m --memory-swap 128m") + " el contenedor tiene 64 MB de memoria y 64 MB de swap.",
					"Con " + code("--memory-swap -1") + " el swap no tiene límite; sin la opción, memoria y swap suman el doble de `-m`.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)no public port '([^']+)' published for (\S+)`),
			explain: func(m []string, _ string) (string, []string) {
				port, _, _ := strings.Cut(m[1], "/")
				return "El puerto " + code(m[1]) + " de " + code(m[2]) + " no está publicado", []string{
					"`bolsillo port " + m[2] + " " + port + "` busca qué puerto de tu máquina lleva al puerto " + port + " del contenedor, y ninguno lleva a él.",
					"Mira los que sí están publicados con " + code("bolsillo port "+m[2]) + ". Un puerto se publica al crear el contenedor, con " + code("-p 8080:"+port) + " (tu puerto 8080 lleva al " + port + " del contenedor); no se puede añadir a uno que ya existe.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)(?:^|daemon: )invalid signal: (\S+)`),
			explain: func(m []string, _ string) (string, []string) {
				return code(m[1]) + " no es una señal", []string{
					"`kill -s` recibe el nombre de una señal, con o sin `SIG` delante, o su número: " + code("-s HUP") + ", " + code("-s SIGTERM") + ", " + code("-s 9") + ".",
					"Sin `-s`, `kill` envía " + code("KILL") + ", que termina el proceso principal sin que pueda evitarlo.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)container (\S+) is not paused`),
			explain: func(m []string, _ string) (string, []string) {
				return "El contenedor no está en pausa", []string{
					"`unpause` solo despierta un contenedor que paraste con " + code("bolsillo pause") + ": este sigue corriendo.",
					"Mira su estado con " + code("bolsillo ps -a") + " (en pausa dice `(Paused)`).",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)(get|inspect|remove) (\S+): no such volume`),
			explain: func(m []string, _ string) (string, []string) {
				if strings.EqualFold(m[1], "remove") {
					return "El volumen " + code(m[2]) + " no existe", []string{
						"Mira los que hay con " + code("bolsillo volume ls") + ". " + code("volume rm -f") + " no se queja de los que no existen.",
					}
				}
				return "El volumen " + code(m[2]) + " no existe", []string{
					"Mira los que hay con " + code("bolsillo volume ls") + ". Uno nuevo se crea con " + code("bolsillo volume create "+m[2]) + ", o solo al usarlo: " + code("-v "+m[2]+":/data") + ".",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)an image does not exist locally with the tag: (\S+)`),
			explain: func(m []string, _ string) (string, []string) {
				return "No tienes ninguna imagen " + code(m[1]), []string{
					"`push` sube una imagen que ya tienes con ese nombre exacto, etiqueta incluida. Mira las tuyas con " + code("bolsillo images") + ".",
					"Para subir una con otro nombre, dale antes el del registro: " + code("bolsillo tag IMAGEN "+m[1]) + ".",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)invalid mount path: '([^']*)' mount path must be absolute`),
			explain: func(m []string, _ string) (string, []string) {
				return code(m[1]) + " no es una ruta absoluta", []string{
					"El destino de un montaje, dentro del contenedor, empieza por `/`: " + code("-v datos:/"+strings.TrimPrefix(m[1], "./")) + ".",
					"En " + code("-v ORIGEN:DESTINO") + " el origen va primero (un volumen o una carpeta de tu máquina) y el destino después.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)bind source path does not exist: (\S+)`),
			explain: func(m []string, _ string) (string, []string) {
				return code(m[1]) + " no existe en tu máquina", []string{
					"Con " + code("--mount type=bind") + ", la carpeta de origen tiene que existir: a diferencia de `-v`, no la crea.",
					"Créala con " + code("mkdir -p "+m[1]) + " o revisa la ruta.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)(?:^|error response from daemon: )invalid mode: (\S+)`),
			explain: func(m []string, _ string) (string, []string) {
				return code(m[1]) + " no es un modo de montaje", []string{
					"Lo que va tras el segundo `:` de `-v` es el modo: " + code("ro") + " (solo lectura) o " + code("rw") + " (lectura y escritura, lo normal), como en " + code("-v datos:/data:ro") + ".",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)no such object: (\S+)`),
			explain: func(m []string, _ string) (string, []string) {
				return "No hay nada llamado " + code(m[1]), []string{
					"`inspect` busca un contenedor, una imagen, un volumen o una red con ese nombre o ID, y ninguno se llama así.",
					"Míralos con " + code("bolsillo ps -a") + ", " + code("bolsillo images") + ", " + code("bolsillo volume ls") + " y " + code("bolsillo network ls") + ".",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)invalid output path: directory "([^"]+)" does not exist`),
			explain: func(m []string, _ string) (string, []string) {
				return "La carpeta " + code(m[1]) + " no existe en tu máquina", []string{
					"bolsillo escribe el archivo (de `cp`, o el tar de `save -o`) dentro de una carpeta que ya existe; no la crea.",
					"Créala antes con " + code("mkdir -p "+m[1]) + ", o copia a una que exista, como " + code(".") + " (la carpeta en la que estás).",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)error looking up volume plugin (\S+): plugin "[^"]*" not found`),
			explain: func(m []string, _ string) (string, []string) {
				return "No hay ningún driver de volúmenes " + code(m[1]), []string{
					"bolsillo guarda los volúmenes con el driver " + code("local") + ", el de Docker por defecto: en una carpeta del data root. No tiene plugins de otros drivers.",
					"Quita " + code("-d "+m[1]) + ": " + code("bolsillo volume create datos") + ".",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)mount type unknown: "?tmpfs"?`),
			explain: func(m []string, _ string) (string, []string) {
				return "bolsillo no monta `tmpfs`", []string{
					"`--mount` acepta " + code("type=volume") + " (un volumen) y " + code("type=bind") + " (una carpeta de tu máquina); un " + code("tmpfs") + ", en memoria, no.",
					"Para datos que no necesitas guardar, la capa de escritura del contenedor ya basta; para guardarlos, usa un volumen: " + code("--mount type=volume,src=datos,dst=/data") + ".",
				}
			},
		},
		{
			re: regexp.MustCompile(`^lstat (\S+): no such file or directory`),
			explain: func(m []string, _ string) (string, []string) {
				return code(m[1]) + " no existe en tu máquina", []string{
					"El origen de `cp` no existe. Revisa la ruta (con " + code("ls") + "); una relativa se cuenta desde la carpeta en la que estás.",
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
			re: regexp.MustCompile(`(?i)(?:cannot locate specified Dockerfile: ?(\S*)|cannot locate Dockerfile: "?([^"\s]+)"?|unable to evaluate symlinks in Dockerfile path: lstat ([^:]+): no such file)`),
			explain: func(m []string, _ string) (string, []string) {
				name := firstNonEmpty(m[1], m[2], m[3], "Dockerfile")
				return "No encuentro el Dockerfile " + code(name), []string{
					"`build` busca las instrucciones en un archivo llamado `Dockerfile` dentro del contexto de construcción (build context), y ahí no hay ninguno llamado " + code(name) + ".",
					"Revisa la ruta y las mayúsculas (`Dockerfile`, con D mayúscula). Si tiene otro nombre, indícalo con " + code("bolsillo build -f RUTA/AL/Dockerfile .") + ".",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)dockerfile parse error (?:on )?line (\d+): unknown instruction: (\S+)`),
			explain: func(m []string, _ string) (string, []string) {
				return "Instrucción desconocida " + code(m[2]) + " en la línea " + m[1] + " del Dockerfile", []string{
					"La línea " + m[1] + " empieza por " + code(m[2]) + ", y eso no es ninguna instrucción de Dockerfile. No se construyó nada.",
					"Cada línea empieza por una instrucción: `FROM`, `RUN`, `COPY`, `ADD`, `ENV`, `ARG`, `WORKDIR`, `EXPOSE`, `LABEL`, `USER`, `VOLUME`, `CMD`, `ENTRYPOINT`, `HEALTHCHECK`, `ONBUILD`, `STOPSIGNAL`, `SHELL`. Revisa cómo se escribe; si es la continuación de la línea anterior, a esa le falta `\\` al final.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)dockerfile parse error (?:on )?line (\d+): (.+)`),
			explain: func(m []string, _ string) (string, []string) {
				return "Error de sintaxis en la línea " + m[1] + " del Dockerfile", []string{
					"El Dockerfile no se entiende en la línea " + m[1] + ": " + code(strings.TrimSpace(m[2])) + ". No se construyó nada.",
					"Revisa esa línea: las comillas y los corchetes de la forma JSON (`[\"cat\", \"/app/info.txt\"]`), y que las líneas partidas acaben en `\\`.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)unknown instruction: (\S+)`),
			explain: func(m []string, _ string) (string, []string) {
				return "Instrucción desconocida " + code(m[1]) + " en el Dockerfile", []string{
					code(m[1]) + " no es ninguna instrucción de Dockerfile. No se construyó nada.",
					"Revisa cómo se escribe: `FROM`, `RUN`, `COPY`, `ADD`, `ENV`, `WORKDIR`, `CMD`… Si es la continuación de la línea anterior, a esa le falta `\\` al final.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)forbidden path outside the build context: (\S+)`),
			explain: func(m []string, _ string) (string, []string) {
				return code(m[1]) + " está fuera del contexto de construcción", []string{
					"`COPY` y `ADD` solo ven el contexto de construcción (build context), la carpeta que le diste a `build` y que el cliente envió al daemon: " + code(m[1]) + " sale de ella con `..`.",
					"Mueve el archivo dentro de esa carpeta, o construye desde una carpeta de más arriba (" + code("bolsillo build -f app/Dockerfile .") + ").",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)(COPY|ADD) failed: (?:file not found in build context(?: or excluded by \.dockerignore)?: )?(?:l?stat )?([^:\s]+): (?:file does not exist|no such file or directory)`),
			explain: func(m []string, _ string) (string, []string) {
				instr := strings.ToUpper(m[1])
				return "El archivo " + code(m[2]) + " no está en el contexto", []string{
					"`" + instr + "` copia desde el contexto de construcción (build context), y allí no hay nada llamado " + code(m[2]) + ": no existe, o `.dockerignore` lo dejó fuera del tar que el cliente envió.",
					"Revisa la ruta, relativa a la carpeta del contexto (no a la del Dockerfile), y las líneas de `.dockerignore`.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)(COPY|ADD) failed: file excluded by (\S+): (\S+)`),
			explain: func(m []string, _ string) (string, []string) {
				return code(m[3]) + " está excluido por " + code(m[2]), []string{
					"Existe en la carpeta del contexto, pero una línea de " + code(m[2]) + " lo deja fuera del tar que el cliente envía al daemon, así que `" + strings.ToUpper(m[1]) + "` no lo ve.",
					"Quita esa línea, o añade una excepción con `!` (" + code("!"+m[3]) + ") después de ella.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)(?:failed to resolve stage|invalid from flag value) "?([^":\s]+)"?`),
			explain: func(m []string, _ string) (string, []string) {
				return "No existe la etapa " + code(m[1]), []string{
					"`COPY --from=" + m[1] + "` copia de una etapa (stage) anterior, nombrada con `FROM imagen AS nombre` o numerada desde 0; ninguna se llama " + code(m[1]) + ", y tampoco hay una imagen con ese nombre.",
					"Revisa el nombre que pusiste detrás de `AS` en el `FROM` de esa etapa; la etapa tiene que estar antes del `COPY`.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)The command '(.+)' returned a non-zero code: (\d+)`),
			explain: func(m []string, _ string) (string, []string) {
				return "Un `RUN` falló con el código " + m[2], []string{
					"El comando " + code(m[1]) + " terminó con el código de salida " + code(m[2]) + ", y la construcción se paró en ese paso. No se etiquetó ninguna imagen.",
					"La salida del comando, justo encima, suele decir por qué. Corrige el Dockerfile y repite: los pasos anteriores saldrán de la caché.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)(?:write|mkdir|open|copy) ([^:\s]+)[^\n]*?: no space left on device`),
			explain: func(m []string, _ string) (string, []string) {
				return "El disco se llenó", []string{
					"No quedó espacio en el disco del directorio raíz de datos del daemon al escribir " + code(m[1]) + ".",
					"Nada quedó a medias: lo que se estaba escribiendo se borró. Mira cuánto ocupan imágenes y contenedores con `bolsillo images` y `bolsillo ps -a -s`, y libera espacio con `bolsillo image prune` y `bolsillo container prune`.",
					"Si es un build, revisa el contexto: `.dockerignore` deja fuera lo que no necesitas enviar.",
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
			re: regexp.MustCompile(`(?i)lookup ([^\s:]+)(?: on \S+)?: no such host`),
			explain: func(m []string, _ string) (string, []string) {
				if dockerHubHosts[m[1]] {
					return "Sin conexión con el registro", []string{
						"Tu máquina no pudo encontrar " + code(m[1]) + ", la dirección de Docker Hub (DNS): no hay internet o no hay DNS.",
						"Sin internet, `bolsillo lab init` crea la imagen `busybox` con lo que ya hay en tu máquina.",
					}
				}
				return "No se encuentra el registro " + code(m[1]), []string{
					"Tu máquina no pudo traducir " + code(m[1]) + " a una dirección IP (DNS): el nombre está mal escrito o no hay internet.",
					"La primera parte del nombre de la imagen es el registro: revísala. Sin internet, `bolsillo lab init` crea la imagen `busybox` con lo que ya hay en tu máquina.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)(?:dial tcp (\S+?): i/o timeout|i/o timeout|TLS handshake timeout|Client\.Timeout exceeded|timeout awaiting response headers)`),
			explain: func(m []string, _ string) (string, []string) {
				who := "El registro (registry)"
				if m[1] != "" {
					who += " " + code(m[1])
				}
				return "El registro no respondió a tiempo", []string{
					who + " no contestó: puede estar apagado, detrás de un cortafuegos, o la red va muy lenta.",
					"Comprueba la dirección, que es la primera parte del nombre de la imagen, y tu conexión, y repite el comando.",
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
		{
			// Last: a line of a Dockerfile that the builder refuses for how
			// it is written. Anything else that failed on a line (a full
			// disk, the network) has its own rule above.
			re:      regexp.MustCompile(`(?i)Dockerfile:(\d+): ([A-Za-z]+)[^:\n]*: ((?:[A-Za-z]+ )?(?:requires|must have|no build stage|invalid containerPort|invalid signal|unknown flag)[^\n]*)`),
			explain: dockerfileInstructionError,
		},
	}
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
	for _, r := range errorRules() {
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

// daemonDown explains that no daemon answers; m[1] or m[2] may name its
// address.
func daemonDown(m []string, host string) (string, []string) {
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
}

// registryURL finds the registry address in a URL of an error message.
var registryURL = lazyRegexp(`https?://([^/"\s]+)`)

// dockerHubHosts are the addresses Docker Hub answers on; `login` needs no
// server for them.
var dockerHubHosts = map[string]bool{
	"registry-1.docker.io": true,
	"index.docker.io":      true,
	"auth.docker.io":       true,
	"docker.io":            true,
}

// registryInMessage returns the registry address an error message talks
// to, or "" for Docker Hub or when it names none.
func registryInMessage(msg string) string {
	m := registryURL().FindStringSubmatch(msg)
	if m == nil || dockerHubHosts[m[1]] {
		return ""
	}
	return m[1]
}

// invalidReference explains a malformed image name. m[1] is the name as the
// student wrote it, when the message quotes it; m[2] the repository the
// daemon found uppercase.
func invalidReference(m []string, _ string) (string, []string) {
	typed, repo := m[1], m[2]
	format := "Un nombre de imagen se escribe " + code("repositorio:tag") + ", con el registro delante si no es Docker Hub (" +
		code("localhost:5000/mio/web:1.0") + "): en minúsculas, sin espacios y con un solo `:` antes de la etiqueta; sin tag es `latest`."
	if typed == "" {
		var lines []string
		if repo != "" {
			lines = append(lines, code(repo)+" tiene mayúsculas: los nombres de imagen van en minúsculas, "+code(strings.ToLower(strings.TrimPrefix(repo, officialPrefix)))+".")
		}
		return "El nombre de la imagen no es válido", append(lines, format)
	}
	var lines []string
	if strings.ToLower(typed) != typed || repo != "" {
		line := code(typed) + " tiene mayúsculas: el repositorio va en minúsculas. Escríbelo así: " + code(strings.ToLower(typed)) + "."
		if _, tag, found := cutTag(typed); found && strings.ToLower(tag) != tag {
			line += " Las etiquetas sí distinguen mayúsculas: " + code(tag) + " y " + code(strings.ToLower(tag)) + " son distintas."
		}
		lines = append(lines, line)
	}
	last := typed[strings.LastIndexByte(typed, '/')+1:]
	if n := strings.Count(last, ":"); n > 1 {
		lines = append(lines, fmt.Sprintf("%s tiene %d veces `:` después de la última `/`: solo puede haber uno, entre el repositorio y la etiqueta.", code(typed), n))
	}
	if strings.ContainsFunc(typed, unicode.IsSpace) {
		lines = append(lines, code(typed)+" tiene espacios, y un nombre de imagen no los admite.")
	}
	if strings.HasSuffix(typed, ":") {
		lines = append(lines, "Después de `:` falta la etiqueta: "+code(typed+"latest")+", por ejemplo.")
	}
	return "El nombre de imagen " + code(typed) + " no es válido", append(lines, format)
}

// UnknownCommand explains a first argument that names no bolsillo command,
// with the commands close to it that cobra found (suggestions).
func UnknownCommand(name string, suggestions []string) string {
	var md doc
	md.title("%s no es un comando de bolsillo", code(name))
	if len(suggestions) > 0 {
		quoted := make([]string, len(suggestions))
		for i, s := range suggestions {
			quoted[i] = code("bolsillo " + s)
		}
		md.item("¿Quisiste decir %s?", strings.Join(quoted, " o "))
	}
	md.item("El comando es la primera palabra después de `bolsillo` y de sus opciones globales (como `-H`). Los de Docker se llaman igual que en `docker` (`run`, `ps`, `exec`…); los propios de bolsillo (`explica`, `leccion`, `capas`, `lint`) están en la misma lista.")
	md.item("Mira la lista entera con %s, y la ayuda de uno con %s.", code("bolsillo --help"), code("bolsillo COMANDO --help"))
	return md.String()
}

// UnknownSubcommand explains a word that is none of the commands of a group
// (`bolsillo network crear`): suggestions are full names ("network ls"),
// available the group's commands.
func UnknownSubcommand(group, name string, suggestions, available []string) string {
	var md doc
	md.title("%s no es un comando de %s", code(name), code("bolsillo "+group))
	if len(suggestions) > 0 {
		quoted := make([]string, len(suggestions))
		for i, s := range suggestions {
			quoted[i] = code("bolsillo " + s)
		}
		md.item("¿Quisiste decir %s?", strings.Join(quoted, " o "))
	}
	if group == "network" && slices.Contains([]string{"create", "rm", "connect", "disconnect", "prune"}, name) {
		md.item("bolsillo tiene las tres redes que Docker trae de serie, %s, %s y %s, y no crea ni borra redes: sin %s, cada contenedor va a %s y los contenedores se ven entre sí por su IP (míralas con %s).",
			code("bridge"), code("host"), code("none"), code("--network"), code("bridge"), code("bolsillo network inspect bridge"))
	}
	if len(available) > 0 {
		md.item("Los comandos de %s son %s. La ayuda de cada uno: %s.", code("bolsillo "+group), codeList(available), code("bolsillo "+group+" COMANDO --help"))
	}
	return md.String()
}

// instructionExamples is one correct line of each Dockerfile instruction,
// for the explanation of an error in one.
var instructionExamples = map[string]string{
	"ADD":         "ADD app.tar /app/",
	"ARG":         "ARG VERSION=1.0",
	"CMD":         `CMD ["httpd", "-f", "-p", "80"]`,
	"COPY":        "COPY index.html /www/",
	"ENTRYPOINT":  `ENTRYPOINT ["sh", "-c"]`,
	"ENV":         "ENV CURSO=docker",
	"EXPOSE":      "EXPOSE 80",
	"FROM":        "FROM busybox AS base",
	"HEALTHCHECK": "HEALTHCHECK CMD wget -q -O /dev/null http://localhost/",
	"LABEL":       `LABEL version="1.0"`,
	"ONBUILD":     "ONBUILD COPY . /app",
	"RUN":         "RUN echo hola > /saludo.txt",
	"SHELL":       `SHELL ["/bin/sh", "-c"]`,
	"STOPSIGNAL":  "STOPSIGNAL SIGTERM",
	"USER":        "USER estudiante",
	"VOLUME":      "VOLUME /data",
	"WORKDIR":     "WORKDIR /app",
}

// dockerfileInstructionError explains a Dockerfile line the builder
// refused ("Dockerfile:2: ENV: ENV requires at least one argument"): what
// the message means, and a line that works.
func dockerfileInstructionError(m []string, _ string) (string, []string) {
	line, instr, msg := m[1], strings.ToUpper(m[2]), m[3]
	var why string
	switch lower := strings.ToLower(msg); {
	case strings.Contains(lower, "requires at least one argument"):
		why = "A " + code(instr) + " le falta lo que va detrás: necesita al menos un argumento."
	case strings.Contains(lower, "requires exactly one argument"):
		why = code(instr) + " lleva exactamente un argumento, ni más ni menos."
	case strings.Contains(lower, "requires either one or three arguments"):
		why = "`FROM` lleva una imagen, y si quieres nombrar la etapa, `AS` y el nombre: " + code("FROM busybox") + " o " + code("FROM busybox AS base") + "."
	case strings.Contains(lower, "in json form"):
		why = code(instr) + " se escribe en forma JSON: una lista entre corchetes, con cada palabra entre comillas dobles."
	case strings.Contains(lower, "must have two arguments"):
		why = code(instr) + " lleva pares clave=valor."
	case strings.Contains(lower, "no build stage in current context"):
		why = "Antes de esta línea no hay ningún `FROM`: un Dockerfile empieza por `FROM` (solo `ARG` puede ir antes), y todo lo demás va debajo."
	case strings.Contains(lower, "invalid signal"):
		why = code(instr) + " recibe el nombre de una señal, con o sin `SIG` delante, o su número: " + code("SIGTERM") + ", " + code("SIGINT") + ", " + code("15") + "."
	case strings.Contains(lower, "invalid containerport"):
		why = "`EXPOSE` recibe números de puerto, con `/udp` si hace falta: " + code("EXPOSE 80") + " o " + code("EXPOSE 53/udp") + "."
	case strings.Contains(lower, "unknown flag"):
		flag := strings.TrimSpace(msg[strings.Index(lower, "unknown flag")+len("unknown flag"):])
		why = code(instr) + " no tiene la opción " + code(strings.TrimPrefix(flag, ": ")) + "."
	default:
		why = "El constructor no acepta esa línea; el mensaje original, abajo, dice por qué."
	}
	items := []string{why}
	if ex, ok := instructionExamples[instr]; ok {
		items = append(items, "Una línea que funciona: "+code(ex)+". Más sobre "+code(instr)+" con "+code("bolsillo explica "+instr)+".")
	}
	items = append(items, "No se construyó nada. `bolsillo lint` revisa un Dockerfile antes de construirlo.")
	return "Error en la línea " + line + " del Dockerfile: " + code(instr), items
}
