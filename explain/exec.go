package explain

import (
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
)

// ExecData is what the CLI knows after `exec`: the container, the exec as
// the daemon reports it, and the flags the student used.
type ExecData struct {
	Container container.InspectResponse     // inspected when the exec started
	Exec      container.ExecInspectResponse // inspected after it ended, or right after start with -d
	Cmd       []string                      // the command typed after the container
	User      string                        // -u
	Env       []string                      // -e values (KEY=VALUE or KEY)
	Workdir   string                        // -w
	Detached  bool                          // -d
	Tty       bool                          // -t
	DetachKey bool                          // the student left with ctrl-p ctrl-q
}

// Exec explains an `exec`: a second process in the namespaces of the main
// one, seeing the same files and network, that ends without stopping the
// container.
func Exec(d ExecData) string {
	c := d.Container
	name := containerName(c)
	cmd := commandLine(d.Cmd)
	var md doc
	switch {
	case d.Detached:
		md.title("%s corre en segundo plano dentro de %s", code(cmd), code(name))
	case d.DetachKey:
		md.title("Te desconectaste de %s; sigue corriendo dentro de %s", code(cmd), code(name))
	default:
		md.title("%s corrió dentro de %s", code(cmd), code(name))
	}

	main := "el proceso principal"
	if p := mainProcess(c); p != "" {
		main += " (" + code(p) + ")"
	}
	md.item("Es un segundo proceso en los mismos espacios de nombres (namespaces) que %s: ve el mismo sistema de archivos, con la misma capa de lectura y escritura %s, la misma red y los mismos procesos.", main, writableLayerLine(c))
	if pid := d.Exec.Pid; pid > 0 {
		hostPID := "En tu máquina (el anfitrión) tuvo el PID " + code(strconv.Itoa(pid))
		if st := state(c); st.Pid > 0 {
			hostPID += "; el proceso principal es el " + code(strconv.Itoa(st.Pid)) + ", que dentro del contenedor se ve como PID 1"
		}
		md.item("%s. Está en el mismo grupo de control (cgroup): cuenta para los límites de memoria y CPU del contenedor.", hostPID)
	}
	md.item("%s", execUserSentence(d))
	if len(d.Env) > 0 {
		md.item("Con `-e` le diste %s: solo las ve este proceso, además de las del contenedor; el proceso principal no cambia.", codeList(d.Env))
	}
	if d.Workdir != "" {
		md.item("Con `-w` empezó en el directorio %s del contenedor, no en el de trabajo de la imagen.", code(d.Workdir))
	}
	if d.Tty {
		md.item("Con `-t` tuvo su propia terminal, distinta de la del proceso principal; `ctrl-p` `ctrl-q` te desconecta sin pararlo.")
	}

	ref := containerRef(c)
	switch {
	case d.Detached:
		md.item("Con `-d` tu terminal queda libre y su salida no se guarda: %s solo muestra la del proceso principal.", code("bolsillo logs "+ref))
		md.item("Míralo con %s; termina solo, o cuando se pare el contenedor.", code("bolsillo top "+ref))
	case d.DetachKey:
		md.item("Sigue vivo dentro del contenedor hasta que termine solo o se pare el contenedor.")
	case d.Exec.ExitCode != nil:
		exit := *d.Exec.ExitCode
		meaning := exitMeaning(exit, false)
		if exit > 0 && exit < 125 {
			// Its output went to your terminal, not to the container's log.
			meaning = "el comando devolvió un error; lo que escribió en tu terminal lo explica"
		}
		md.item("Terminó con código de salida %s: %s.", code(strconv.Itoa(exit)), meaning)
		md.item("El contenedor %s sigue corriendo: que termine un `exec` no lo detiene, solo el fin del proceso principal lo hace.", code(name))
	}
	return md.String()
}

// execUserSentence says who the process ran as and where that name came from.
func execUserSentence(d ExecData) string {
	if d.User != "" {
		who := code(d.User)
		if _, err := strconv.Atoi(strings.SplitN(d.User, ":", 2)[0]); err == nil {
			who = "el UID " + who
		} else {
			who = "el usuario " + who
		}
		return "Con `-u` corrió como " + who + ", buscado en el `/etc/passwd` del contenedor, no en el de tu máquina."
	}
	if c := d.Container.Config; c != nil && c.User != "" {
		return "Corrió como " + code(c.User) + ", el usuario del contenedor; con `-u` eliges otro."
	}
	return "Corrió como `root`, el usuario por defecto del contenedor; con `-u` eliges otro (por nombre o UID)."
}

// ExecNotRunning explains why exec needs a running container.
func ExecNotRunning(c container.InspectResponse) string {
	name := containerName(c)
	ref := containerRef(c)
	var md doc
	md.title("%s no está corriendo: `exec` necesita un contenedor en marcha", code(name))
	md.item("`exec` arranca un segundo proceso dentro de los espacios de nombres (namespaces) del proceso principal; con el contenedor detenido, esos espacios no existen.")
	if st := state(c); st.Status != "" {
		md.item("Su estado es %s.", code(string(st.Status)))
	}
	md.item("Arráncalo con %s y vuelve a probar; o, para mirar sus archivos sin arrancarlo, copia lo que necesites con %s.", code("bolsillo start "+ref), code("bolsillo cp "+ref+":/RUTA ."))
	return md.String()
}
