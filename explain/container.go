package explain

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/mount"
)

// defaultStopTimeout is how long stop and restart wait before SIGKILL when the
// container does not set its own timeout (Docker's default).
const defaultStopTimeout = 10

// RunData is what the CLI knows after `run`: the container inspected right
// after it started, the image it came from and the flags the student used.
type RunData struct {
	Container  container.InspectResponse // inspected right after start
	Image      image.InspectResponse     // the image it was created from
	ImageRef   string                    // the image as the user typed it ("busybox")
	Detached   bool                      // -d
	AutoRemove bool                      // --rm
	Removed    bool                      // the container no longer exists (after --rm)
	Exited     bool                      // the CLI waited and the main process ended
	ExitCode   int
	Env        []string // -e values the user passed (KEY=VALUE or KEY)
	Cmd        []string // command given after the image (nil: the image's CMD was used)
	// LastLogs are the last lines a detached container that already ended
	// wrote (stdout and stderr), oldest first.
	LastLogs []string
}

// shellWithoutTerminal reports whether c's main process is a bare shell
// started without -i or -t: it reads an empty stdin and exits.
func shellWithoutTerminal(c container.InspectResponse) bool {
	if c.Config == nil || c.Config.Tty || c.Config.OpenStdin || len(c.Config.Cmd) != 1 {
		return false
	}
	switch path.Base(c.Config.Cmd[0]) {
	case "sh", "bash", "ash", "dash", "zsh":
		return true
	}
	return false
}

// Run explains a `run`: the image's read-only layers, the new writable layer,
// the main process and what the flags changed.
func Run(d RunData) string {
	c := d.Container
	st := state(c)
	ref := imageRef(d.Image, d.ImageRef, c)
	ended := d.Exited || d.Removed || st.Status == container.StateExited || st.Status == container.StateDead
	exitCode := st.ExitCode
	if d.Exited {
		exitCode = d.ExitCode
	}

	var md doc
	md.title("Contenedor %s, creado desde la imagen %s", code(containerName(c)), code(ref))
	md.item("%s", imageLayersSentence(d.Image, ref))
	if d.Removed {
		md.item("Encima tuvo su propia capa de lectura y escritura (writable layer) %s, donde fue a parar todo lo que escribió.", writableLayerLine(c))
	} else {
		md.item("Encima, el contenedor añadió su capa de lectura y escritura (writable layer) %s: ahí va todo lo que escribe.", writableLayerLine(c))
	}
	md.item("%s", processSentence(c, ended))
	md.item("%s", cmdSentence(d.Cmd, d.Image))
	if len(d.Env) > 0 {
		md.item("%s", envSentence(d.Env, c))
	}
	switch {
	case d.Detached && !ended:
		md.item("Corre en segundo plano (detached, `-d`) y tu terminal queda libre: mira su salida con %s.", code("bolsillo logs -f "+containerRef(c)))
	case d.Detached && !d.Removed:
		md.item("Lo lanzaste en segundo plano (`-d`), pero ya terminó: un contenedor vive mientras vive su proceso principal, y el suyo acabó enseguida. Mira lo que escribió con %s.", code("bolsillo logs "+containerRef(c)))
		if len(d.LastLogs) > 0 {
			md.item("Sus últimas líneas:\n\n```\n%s\n```\n", strings.Join(d.LastLogs, "\n"))
		} else if shellWithoutTerminal(c) {
			md.item("No escribió nada: %s sin terminal lee su entrada, la encuentra vacía y termina. Para dejarlo vivo en segundo plano, dale una terminal con %s, o un comando que no acabe, como %s.", code(strings.Join(c.Config.Cmd, " ")), code("-dit"), code("sleep infinity"))
		}
	}
	if ended {
		md.item("Terminó con código de salida %s: %s.", code(strconv.Itoa(exitCode)), exitMeaning(exitCode, st.OOMKilled))
		isolationItems(&md, c, exitCode, d.LastLogs) // isolation.go
	}
	switch {
	case d.Removed:
		md.item("Con `--rm`, al terminar se borraron el contenedor y su capa de escritura: lo que escribió ya no existe.")
	case d.AutoRemove:
		md.item("Con `--rm`, cuando termine se borrará solo, junto con su capa de escritura.")
	}
	return md.String()
}

// Create explains a `create`: the writable layer exists, the process does not.
func Create(c container.InspectResponse, img image.InspectResponse) string {
	ref := imageRef(img, "", c)
	var md doc
	md.title("Contenedor %s creado, todavía sin arrancar", code(containerName(c)))
	md.item("%s", imageLayersSentence(img, ref))
	md.item("Ya tiene su capa de lectura y escritura (writable layer) preparada %s.", writableLayerLine(c))
	if p := mainProcess(c); p != "" {
		md.item("Su estado es %s: aún no hay ningún proceso. Al arrancar ejecutará %s.", code(stateName(c, container.StateCreated)), code(p))
	} else {
		md.item("Su estado es %s: aún no hay ningún proceso.", code(stateName(c, container.StateCreated)))
	}
	md.item("Arráncalo con %s (con `-a` ves su salida).", code("bolsillo start "+containerRef(c)))
	return md.String()
}

// Start explains a `start`: the same container runs again on the same
// writable layer.
func Start(c container.InspectResponse) string {
	var md doc
	md.title("Contenedor %s arrancado", code(containerName(c)))
	md.item("`start` arranca el mismo contenedor, no uno nuevo: usa su capa de escritura de siempre, %s, y conserva los archivos que escribió antes.", writableLayerLine(c))
	if p := mainProcess(c); p != "" {
		md.item("Su proceso principal, %s, empieza desde el principio: lo que había en memoria se perdió, lo del disco no.", code(p))
	}
	st := state(c)
	if st.Running {
		md.item("%s", pidSentence(st))
		md.item("`start` no conecta tu terminal a su salida: mírala con %s.", code("bolsillo logs -f "+containerRef(c)))
	} else {
		md.item("Ya terminó, con código de salida %s: %s.", code(strconv.Itoa(st.ExitCode)), exitMeaning(st.ExitCode, st.OOMKilled))
	}
	return md.String()
}

// Detach explains leaving a container with ctrl-p ctrl-q: the terminal is
// free again and the container goes on.
func Detach(c container.InspectResponse) string {
	var md doc
	md.title("Te desconectaste de %s; sigue corriendo", code(containerName(c)))
	md.item("Con `ctrl-p` `ctrl-q` sueltas el contenedor sin pararlo: su proceso principal no recibió ninguna señal.")
	if p := mainProcess(c); p != "" {
		md.item("%s sigue vivo en segundo plano (detached), como si lo hubieras arrancado con `-d`.", code(p))
	}
	md.item("Míralo con %s y su salida con %s; páralo con %s.", code("bolsillo ps"), code("bolsillo logs "+containerRef(c)), code("bolsillo stop "+containerRef(c)))
	return md.String()
}

// StopRequest is what the student asked of a stop or restart: -t and -s.
// Zero values mean the defaults.
type StopRequest struct {
	Timeout *int
	Signal  string
}

// Stop explains a `stop`: SIGTERM, then SIGKILL after the timeout; the
// writable layer stays on disk.
func Stop(c container.InspectResponse, req StopRequest) string {
	st := state(c)
	var md doc
	if st.Running {
		md.title("Contenedor %s: sigue corriendo", code(containerName(c)))
		md.item("%s", stopSignalSentence(c, req))
		md.item("Aun así figura como %s, con PID %s: su proceso todavía no terminó.", code(stateName(c, container.StateRunning)), code(strconv.Itoa(st.Pid)))
		md.item("Comprueba con %s y, si no para, mátalo con %s.", code("bolsillo ps"), code("bolsillo kill "+containerRef(c)))
		return md.String()
	}
	md.title("Contenedor %s detenido", code(containerName(c)))
	md.item("%s", stopSignalSentence(c, req))
	md.item("Terminó con código de salida %s: %s.", code(strconv.Itoa(st.ExitCode)), exitMeaning(st.ExitCode, st.OOMKilled))
	if sig := stopSignal(c, req); st.ExitCode == 137 && !st.OOMKilled && sig != "SIGKILL" {
		md.item("No terminó con %s: dentro del contenedor es el PID 1, y el kernel no le entrega las señales que no atrapa. Por eso `stop` esperó y lo mató con `SIGKILL`.", code(sig))
	}
	md.item("Su capa de lectura y escritura sigue en disco %s: no pierdes los archivos que escribió.", writableLayerLine(c))
	md.item("%s lo vuelve a arrancar; %s lo muestra como %s.", code("bolsillo start "+containerRef(c)), code("bolsillo ps -a"), code(stateName(c, container.StateExited)))
	return md.String()
}

// Restart explains a `restart`: a stop followed by a start of the same
// container.
func Restart(c container.InspectResponse, req StopRequest) string {
	st := state(c)
	var md doc
	md.title("Contenedor %s reiniciado", code(containerName(c)))
	md.item("`restart` es un `stop` seguido de un `start`. %s", stopSignalSentence(c, req))
	md.item("Después arrancó el mismo contenedor, con la misma capa de escritura %s: los archivos siguen ahí.", writableLayerLine(c))
	if p := mainProcess(c); p != "" {
		md.item("Su proceso principal, %s, volvió a empezar desde cero.", code(p))
	}
	if st.Running {
		md.item("%s", pidSentence(st))
	} else {
		md.item("Ya terminó otra vez, con código de salida %s: %s.", code(strconv.Itoa(st.ExitCode)), exitMeaning(st.ExitCode, st.OOMKilled))
	}
	return md.String()
}

// Kill explains a `kill` with the given signal ("" means SIGKILL).
func Kill(c container.InspectResponse, signal string) string {
	sig := signalName(signal)
	st := state(c)
	var md doc
	md.title("Señal %s enviada a %s", code(sig), code(containerName(c)))
	target := "al proceso principal"
	if p := mainProcess(c); p != "" {
		target += " (" + code(p) + ")"
	}
	if sig == "SIGTERM" {
		md.item("`kill` envió %s %s: la misma señal con la que empieza `stop`, pero sin seguir con SIGKILL si no termina.", code(sig), target)
	} else {
		md.item("`kill` envió %s %s sin esperar; `stop`, en cambio, primero pide terminar con SIGTERM.", code(sig), target)
	}
	if st.Running {
		md.item("El proceso atendió la señal y sigue corriendo, con PID %s.", code(strconv.Itoa(st.Pid)))
	} else {
		md.item("Terminó con código de salida %s: %s.", code(strconv.Itoa(st.ExitCode)), exitMeaning(st.ExitCode, st.OOMKilled))
		md.item("Su capa de escritura sigue en disco %s; %s lo vuelve a arrancar.", writableLayerLine(c), code("bolsillo start "+containerRef(c)))
	}
	return md.String()
}

// Remove explains an `rm`; c was inspected before the removal.
func Remove(c container.InspectResponse, forced bool) string {
	st := state(c)
	var md doc
	md.title("Contenedor %s borrado", code(containerName(c)))
	if forced && st.Running {
		md.item("Estaba corriendo, así que `-f` primero lo mató con SIGKILL.")
	}
	if dir := upperDir(c); dir != "" {
		md.item("Se borró su capa de lectura y escritura, %s, con todo lo que el contenedor escribió ahí.", code(dir))
	} else {
		md.item("Se borró su capa de lectura y escritura, con todo lo que el contenedor escribió ahí.")
	}
	if vols := volumeNames(c); len(vols) > 0 {
		md.item("Sus volúmenes (%s) no se borraron: viven fuera de la capa del contenedor. Los verás más adelante.", codeList(vols))
	} else {
		md.item("Los volúmenes no se borran con el contenedor: viven fuera de su capa. Los verás más adelante.")
	}
	if c.Config != nil && c.Config.Image != "" {
		md.item("La imagen %s no cambió: sus capas de solo lectura siguen ahí para crear otro contenedor.", code(c.Config.Image))
	}
	return md.String()
}

// Logs explains where a container's logs come from and where they live.
func Logs(c container.InspectResponse, follow bool) string {
	var md doc
	md.title("Logs de %s", code(containerName(c)))
	if p := mainProcess(c); p != "" {
		md.item("Son lo que su proceso principal, %s, escribe en la salida estándar (stdout) y en la de errores (stderr).", code(p))
	} else {
		md.item("Son lo que su proceso principal escribe en la salida estándar (stdout) y en la de errores (stderr).")
	}
	if c.Config != nil && c.Config.Tty {
		md.item("Tiene terminal (`-t`), así que las dos salidas llegan mezcladas en un solo flujo.")
	}
	driver := "json-file"
	if c.HostConfig != nil && c.HostConfig.LogConfig.Type != "" {
		driver = c.HostConfig.LogConfig.Type
	}
	switch {
	case c.LogPath != "" && driver == "json-file":
		md.item("El daemon las guarda con el driver %s en %s: una línea JSON por cada línea, con `stream` y `time`.", code(driver), code(c.LogPath))
	case c.LogPath != "":
		md.item("El daemon las guarda con el driver %s en %s.", code(driver), code(c.LogPath))
	default:
		md.item("El daemon las guarda con el driver %s.", code(driver))
	}
	if follow {
		md.item("Con `-f` sigues viendo las líneas nuevas mientras corra; sal con Ctrl+C y el contenedor sigue.")
	} else {
		md.item("Añade `-f` para seguir viendo las líneas nuevas: %s.", code("bolsillo logs -f "+containerRef(c)))
	}
	md.item("Se borran junto con el contenedor (`rm`).")
	return md.String()
}

// Inspect explains where to look in the JSON that `inspect` printed.
func Inspect(c container.InspectResponse) string {
	st := state(c)
	var md doc
	md.title("Qué mirar en el `inspect` de %s", code(containerName(c)))
	stateLine := fmt.Sprintf("`State`: estado %s", code(stateName(c, "")))
	if st.Running && st.Pid > 0 {
		stateLine += fmt.Sprintf(", PID %s en el anfitrión", code(strconv.Itoa(st.Pid)))
	} else if st.Status == container.StateExited {
		stateLine += fmt.Sprintf(", código de salida %s", code(strconv.Itoa(st.ExitCode)))
	}
	md.item("%s.", stateLine)
	if p := mainProcess(c); p != "" {
		md.item("`Path` y `Args`: el proceso principal, %s.", code(p))
	}
	if c.Config != nil {
		n := len(c.Config.Env)
		md.item("`Config.Env`: %d %s que ve el proceso.", n, plural(n, "variable de entorno", "variables de entorno"))
	}
	if dir := upperDir(c); dir != "" {
		lower := c.GraphDriver.Data["LowerDir"]
		if lower != "" {
			n := len(strings.Split(lower, ":"))
			md.item("`GraphDriver.Data`: `UpperDir` es su capa de escritura (%s); `LowerDir` apila %d %s de solo lectura.", code(dir), n, plural(n, "directorio", "directorios"))
		} else {
			md.item("`GraphDriver.Data`: `UpperDir` es su capa de escritura (%s).", code(dir))
		}
	}
	if c.LogPath != "" {
		md.item("`LogPath`: el archivo de sus logs, %s.", code(c.LogPath))
	}
	md.item("Saca un solo campo con %s.", code("bolsillo inspect -f '{{.State.Pid}}' "+containerRef(c)))
	return md.String()
}

// Ps explains what `ps` (running only) or `ps -a` (all) listed.
func Ps(list []container.Summary, all bool) string {
	counts := map[container.ContainerState]int{}
	var stopped []string
	for _, s := range list {
		counts[s.State]++
		if s.State == container.StateExited || s.State == container.StateCreated {
			stopped = append(stopped, summaryName(s))
		}
	}
	var md doc
	if all {
		md.title("%d %s en total (`ps -a`)", len(list), plural(len(list), "contenedor", "contenedores"))
	} else {
		md.title("%d %s corriendo (`ps`)", counts[container.StateRunning], plural(counts[container.StateRunning], "contenedor", "contenedores"))
	}
	if (all && len(list) > 0) || counts[container.StateRunning] != len(list) {
		md.item("Por estado: %s.", stateCounts(counts))
	}
	if all {
		md.item("`ps -a` muestra todos; sin `-a`, `ps` solo muestra los que están corriendo.")
		if len(stopped) > 0 {
			md.item("Los que no corren (%s) conservan su capa de escritura en disco hasta que los borras.", codeListLimit(stopped, 5))
			name := stopped[0]
			md.item("%s lo vuelve a arrancar; %s lo borra con su capa.", code("bolsillo start "+name), code("bolsillo rm "+name))
		}
	} else {
		md.item("`ps` solo muestra los que están corriendo; %s muestra también los detenidos, que siguen en disco.", code("bolsillo ps -a"))
	}
	if line := portSentence(list); line != "" {
		md.item("%s", line)
	}
	return md.String()
}

// imageRef names an image: as the student typed it, else by its first tag,
// else as the container recorded it, else by its short ID.
func imageRef(img image.InspectResponse, typed string, c container.InspectResponse) string {
	switch {
	case typed != "":
		return typed
	case len(img.RepoTags) > 0:
		return img.RepoTags[0]
	case c.Config != nil && c.Config.Image != "":
		return c.Config.Image
	case img.ID != "":
		return shortID(img.ID)
	}
	if id := shortID(c.Image); id != "" {
		return id
	}
	return "sin nombre"
}

// processSentence says that the container is an isolated process of the host
// and depends on its main process.
func processSentence(c container.InspectResponse, ended bool) string {
	p := mainProcess(c)
	st := state(c)
	switch {
	case ended && p != "":
		return fmt.Sprintf("Fue un proceso aislado más de tu máquina (el anfitrión) y vivió mientras vivió su proceso principal, %s, que ya terminó.", code(p))
	case ended:
		return "Fue un proceso aislado más de tu máquina (el anfitrión) y vivió mientras vivió su proceso principal, que ya terminó."
	case st.Pid > 0 && p != "":
		return fmt.Sprintf("Es un proceso aislado más de tu máquina (el anfitrión), con PID %s; vive mientras viva su proceso principal, %s.", code(strconv.Itoa(st.Pid)), code(p))
	case p != "":
		return fmt.Sprintf("Es un proceso aislado más de tu máquina (el anfitrión); vive mientras viva su proceso principal, %s.", code(p))
	}
	return "Es un proceso aislado más de tu máquina (el anfitrión); vive mientras viva su proceso principal."
}

// pidSentence says where to find the running main process on the host.
func pidSentence(st container.State) string {
	if st.Pid > 0 {
		return fmt.Sprintf("Ahora corre como el PID %s del anfitrión; dentro del contenedor se ve como PID 1.", code(strconv.Itoa(st.Pid)))
	}
	return "Ahora corre como un proceso del anfitrión; dentro del contenedor se ve como PID 1."
}

// cmdSentence compares the command the student typed with the image's CMD.
func cmdSentence(cmd []string, img image.InspectResponse) string {
	var imageCmd, entrypoint []string
	if img.Config != nil {
		imageCmd, entrypoint = img.Config.Cmd, img.Config.Entrypoint
	}
	switch {
	case len(cmd) > 0 && len(entrypoint) > 0 && len(imageCmd) > 0:
		return fmt.Sprintf("Tu comando %s reemplazó el `CMD` de la imagen (%s) y se pasó como argumentos a su `ENTRYPOINT`, %s.", code(commandLine(cmd)), code(commandLine(imageCmd)), code(commandLine(entrypoint)))
	case len(cmd) > 0 && len(entrypoint) > 0:
		return fmt.Sprintf("Tu comando %s se pasó como argumentos al `ENTRYPOINT` de la imagen, %s.", code(commandLine(cmd)), code(commandLine(entrypoint)))
	case len(cmd) > 0 && len(imageCmd) > 0:
		return fmt.Sprintf("Tu comando %s reemplazó el `CMD` (comando por defecto) de la imagen, que era %s.", code(commandLine(cmd)), code(commandLine(imageCmd)))
	case len(cmd) > 0:
		return fmt.Sprintf("Tu comando %s es el proceso principal: la imagen no define `CMD` (comando por defecto).", code(commandLine(cmd)))
	case len(imageCmd) > 0:
		return fmt.Sprintf("No escribiste comando, así que usó el `CMD` (comando por defecto) de la imagen, %s; escribe otro después del nombre de la imagen para reemplazarlo.", code(commandLine(imageCmd)))
	}
	return "No escribiste comando, así que se usó el que define la imagen."
}

// envSentence lists the environment variables the process sees for each -e
// the student passed, with the values the container really received.
func envSentence(env []string, c container.InspectResponse) string {
	var seen, missing []string
	for _, e := range env {
		key, value, hasValue := strings.Cut(e, "=")
		if v, ok := lookupEnv(c, key); ok {
			seen = append(seen, key+"="+v)
			continue
		}
		if hasValue {
			seen = append(seen, key+"="+value)
			continue
		}
		missing = append(missing, key)
	}
	var parts []string
	if len(seen) > 0 {
		parts = append(parts, fmt.Sprintf("Con `-e`, el proceso ve %s %s: %s.", plural(len(seen), "esta", "estas"), plural(len(seen), "variable de entorno (environment variable)", "variables de entorno (environment variables)"), codeList(seen)))
	}
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("%s no %s definida en tu terminal, así que no llegó al contenedor.", codeList(missing), plural(len(missing), "estaba", "estaban")))
	}
	return strings.Join(parts, " ")
}

// lookupEnv returns the value of key in the container's environment (the last
// definition wins, as in the process).
func lookupEnv(c container.InspectResponse, key string) (string, bool) {
	if c.Config == nil {
		return "", false
	}
	value, found := "", false
	for _, e := range c.Config.Env {
		if k, v, ok := strings.Cut(e, "="); ok && k == key {
			value, found = v, true
		}
	}
	return value, found
}

// stopSignalSentence explains how stop ends the main process: its stop signal
// first, then SIGKILL after the timeout.
func stopSignalSentence(c container.InspectResponse, req StopRequest) string {
	timeout := fmt.Sprintf("%d segundos, el valor por defecto", defaultStopTimeout)
	if c.Config != nil && c.Config.StopTimeout != nil {
		timeout = fmt.Sprintf("%s, su tiempo configurado", seconds(*c.Config.StopTimeout))
	}
	if req.Timeout != nil {
		timeout = fmt.Sprintf("%s, como pediste con %s", seconds(*req.Timeout), code(fmt.Sprintf("-t %d", *req.Timeout)))
	}
	target := "al proceso principal"
	if p := mainProcess(c); p != "" {
		target += " (" + code(p) + ")"
	}
	return fmt.Sprintf("Primero envió %s %s para que terminara por las buenas; si no termina en %s, lo mata con `SIGKILL`.", code(stopSignal(c, req)), target, timeout)
}

// stopSignal is the signal a stop sends first.
func stopSignal(c container.InspectResponse, req StopRequest) string {
	switch {
	case req.Signal != "":
		return signalName(req.Signal)
	case c.Config != nil && c.Config.StopSignal != "":
		return signalName(c.Config.StopSignal)
	}
	return "SIGTERM"
}

// seconds says "1 segundo", "10 segundos".
func seconds(n int) string {
	if n == 1 {
		return "1 segundo"
	}
	return fmt.Sprintf("%d segundos", n)
}

// signalName normalizes a signal as the student may type it ("9", "kill",
// "SIGKILL") to its SIG name; "" is SIGKILL, kill's default.
func signalName(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" {
		return "SIGKILL"
	}
	if n, err := strconv.Atoi(s); err == nil {
		if name, ok := signalNames[n]; ok {
			return name
		}
		return s
	}
	if !strings.HasPrefix(s, "SIG") {
		s = "SIG" + s
	}
	return s
}

// stateName returns the container's state as the API reports it, or def when
// the API sent none.
func stateName(c container.InspectResponse, def container.ContainerState) string {
	if st := state(c); st.Status != "" {
		return string(st.Status)
	}
	if def == "" {
		return "desconocido"
	}
	return string(def)
}

// volumeNames lists the named volumes mounted in c.
func volumeNames(c container.InspectResponse) []string {
	var names []string
	for _, m := range c.Mounts {
		if m.Type == mount.TypeVolume && m.Name != "" {
			names = append(names, m.Name)
		}
	}
	return names
}

// summaryName returns the first name of a listed container, or its short ID.
func summaryName(s container.Summary) string {
	for _, n := range s.Names {
		if n = strings.TrimPrefix(n, "/"); n != "" {
			return n
		}
	}
	return shortID(s.ID)
}

// stateOrder is the order in which ps explanations list states.
var stateOrder = []container.ContainerState{
	container.StateRunning,
	container.StatePaused,
	container.StateRestarting,
	container.StateCreated,
	container.StateExited,
	container.StateDead,
	container.StateRemoving,
}

// stateCounts formats the number of containers in each state.
func stateCounts(counts map[container.ContainerState]int) string {
	var parts []string
	done := map[container.ContainerState]bool{}
	for _, s := range stateOrder {
		if n := counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, code(string(s))))
		}
		done[s] = true
	}
	var other []string
	for s := range counts {
		if !done[s] {
			other = append(other, string(s))
		}
	}
	slices.Sort(other)
	for _, s := range other {
		name := s
		if name == "" {
			name = "desconocido"
		}
		parts = append(parts, fmt.Sprintf("%d %s", counts[container.ContainerState(s)], code(name)))
	}
	return joinSpanish(parts)
}

// portSentence explains the first published port found in the list.
func portSentence(list []container.Summary) string {
	for _, s := range list {
		for _, p := range s.Ports {
			if p.PublicPort == 0 {
				continue
			}
			return fmt.Sprintf("En %s, el puerto %d de tu máquina (anfitrión) lleva al puerto %d del contenedor: %s.",
				code(summaryName(s)), p.PublicPort, p.PrivatePort, code(fmt.Sprintf("-p %d:%d", p.PublicPort, p.PrivatePort)))
		}
	}
	return ""
}
