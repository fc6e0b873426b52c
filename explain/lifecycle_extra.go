package explain

import (
	"strconv"

	"github.com/moby/moby/api/types/container"
)

// Rename explains `rename`: the same container under another name. c is
// inspected before the rename.
func Rename(c container.InspectResponse, newName string) string {
	old := containerName(c)
	var md doc
	md.title("%s ahora se llama %s", code(old), code(newName))
	md.item("Es el mismo contenedor: el mismo ID (%s), la misma capa de escritura y, si corre, el mismo proceso. Solo cambió el nombre.", code(shortID(c.ID)))
	md.item("El nombre %s queda libre para otro contenedor.", code(old))
	md.item("Desde ahora úsalo como %s, por ejemplo %s.", code(newName), code("bolsillo logs "+newName))
	return md.String()
}

// Wait explains `wait`: the client blocked until the main process ended.
func Wait(c container.InspectResponse) string {
	st := state(c)
	var md doc
	md.title("%s terminó", code(containerName(c)))
	md.item("`wait` esperó a que terminara su proceso principal y escribió su código de salida, %s: %s.", code(strconv.Itoa(st.ExitCode)), exitMeaning(st.ExitCode, st.OOMKilled))
	md.item("Sirve en scripts: %s espera y luego decide según ese código.", code("bolsillo wait "+containerRef(c)))
	return md.String()
}

// ContainerPrune explains `container prune`.
func ContainerPrune(r container.PruneReport) string {
	n := len(r.ContainersDeleted)
	var md doc
	if n == 0 {
		md.title("No había contenedores detenidos")
		md.item("`container prune` solo borra los que no corren (`exited` o `created`); los que están corriendo se quedan.")
		return md.String()
	}
	md.title("%d %s", n, plural(n, "contenedor detenido borrado", "contenedores detenidos borrados"))
	md.item("Con cada uno se fue su capa de lectura y escritura: en total %s de archivos que habían escrito.", humanSize(int64(r.SpaceReclaimed)))
	md.item("Las imágenes no se tocan: sus capas de solo lectura siguen ahí. Los volúmenes tampoco.")
	md.item("Los que siguen corriendo no se borran; míralos con `bolsillo ps`.")
	return md.String()
}

// Attach explains `attach`: the terminal joins the main process's streams.
func Attach(c container.InspectResponse) string {
	var md doc
	md.title("Conectado a %s", code(containerName(c)))
	if p := mainProcess(c); p != "" {
		md.item("Ves la salida de su proceso principal, %s, desde ahora (lo anterior está en %s).", code(p), code("bolsillo logs "+containerRef(c)))
	}
	if c.Config != nil && c.Config.OpenStdin {
		md.item("Lo que escribes le llega por su entrada estándar (stdin).")
	}
	md.item("Sal sin pararlo con `ctrl-p` `ctrl-q`; si su proceso principal termina, `attach` termina con su código de salida.")
	return md.String()
}

// AttachNotRunning explains why attach needs a running container.
func AttachNotRunning(c container.InspectResponse) string {
	var md doc
	md.title("%s no está corriendo", code(containerName(c)))
	md.item("`attach` conecta tu terminal al proceso principal, y un contenedor detenido no tiene ninguno.")
	md.item("Arráncalo y conéctate a la vez con %s, o mira lo que escribió con %s.", code("bolsillo start -ai "+containerRef(c)), code("bolsillo logs "+containerRef(c)))
	return md.String()
}
