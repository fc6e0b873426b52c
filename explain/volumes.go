package explain

import (
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/volume"
)

// anonymousLabel marks the volumes Docker created without a name.
const anonymousLabel = "com.docker.volume.anonymous"

func isAnonymous(v volume.Volume) bool {
	_, ok := v.Labels[anonymousLabel]
	return ok
}

// VolumeCreate explains `volume create`.
func VolumeCreate(v volume.Volume) string {
	var md doc
	md.title("Volumen (volume) %s creado", code(v.Name))
	md.item("Es una carpeta que vive fuera de todo contenedor, en tu máquina: %s. Lo que se guarde ahí no está en la capa de lectura y escritura (writable layer) de ningún contenedor.", code(v.Mountpoint))
	md.item("Úsalo con %s: lo que el contenedor escriba en %s sobrevive a %s y lo verá el siguiente contenedor que monte %s.", code("bolsillo run -v "+v.Name+":/data ..."), code("/data"), code("rm"), code(v.Name))
	md.item("Todavía no lo usa ningún contenedor; %s lo borra mientras siga así.", code("bolsillo volume rm "+v.Name))
	return md.String()
}

// VolumeList explains `volume ls`.
func VolumeList(vols []volume.Volume) string {
	var md doc
	if len(vols) == 0 {
		md.title("No hay volúmenes")
		md.item("Se crean con %s, o solos al usar %s o una imagen con %s.", code("bolsillo volume create NOMBRE"), code("-v NOMBRE:/ruta"), code("VOLUME"))
		return md.String()
	}
	anon := 0
	for _, v := range vols {
		if isAnonymous(v) {
			anon++
		}
	}
	md.title("%d %s", len(vols), plural(len(vols), "volumen", "volúmenes"))
	md.item("Cada uno es una carpeta de tu máquina fuera de las capas de los contenedores: sus datos sobreviven a %s del contenedor que los usó.", code("rm"))
	if anon > 0 {
		md.item("%d %s: los nombres de 64 caracteres hexadecimales. Los crearon %s o el %s de una imagen, sin nombre que les dieras tú.", anon, plural(anon, "es anónimo", "son anónimos"), code("-v /ruta"), code("VOLUME"))
	}
	md.item("%s muestra dónde vive cada uno (%s); %s, solo los que no usa ningún contenedor.", code("bolsillo volume inspect NOMBRE"), code("Mountpoint"), code("-f dangling=true"))
	return md.String()
}

// VolumeInspect explains `volume inspect`.
func VolumeInspect(v volume.Volume) string {
	var md doc
	md.title("Volumen %s", code(v.Name))
	md.item("Sus datos viven en tu máquina en %s (%s): puedes mirarlos ahí como root, aunque ningún contenedor corra.", code(v.Mountpoint), code("Mountpoint"))
	md.item("Driver %s y Scope %s: una carpeta local de este daemon.", code(v.Driver), code(v.Scope))
	if isAnonymous(v) {
		md.item("Es anónimo (la etiqueta %s): %s y %s lo borran cuando ningún contenedor lo usa.", code(anonymousLabel), code("bolsillo rm -v"), code("bolsillo volume prune"))
	}
	return md.String()
}

// VolumeRemove explains `volume rm` of one volume.
func VolumeRemove(name string) string {
	var md doc
	md.title("Volumen %s borrado", code(name))
	md.item("Se borró su carpeta con todos sus datos: esto no se puede deshacer.")
	return md.String()
}

// VolumeInUse explains why `volume rm` refused: containers, running or
// stopped, still use the volume. ids are the containers named in the error.
func VolumeInUse(name string, ids []string) string {
	short := make([]string, len(ids))
	for i, id := range ids {
		short[i] = shortID(id)
	}
	var md doc
	md.title("El volumen %s está en uso", code(name))
	md.item("Lo usa %s %s. Un contenedor detenido también cuenta: al arrancar volvería a montarlo.", plural(len(ids), "el contenedor", "los contenedores"), codeList(short))
	md.item("Borra antes %s con %s y después el volumen; o déjalo, sus datos siguen ahí.", plural(len(ids), "ese contenedor", "esos contenedores"), code("bolsillo rm"))
	md.item("%s no cambia esto: nunca se borra un volumen en uso.", code("-f"))
	return md.String()
}

// VolumePrune explains `volume prune`; all is -a.
func VolumePrune(deleted []string, reclaimed uint64, all bool) string {
	var md doc
	if len(deleted) == 0 {
		md.title("No había volúmenes que borrar")
	} else {
		md.title("%d %s", len(deleted), plural(len(deleted), "volumen borrado", "volúmenes borrados"))
		md.item("Se liberaron %s en tu máquina.", code(humanSize(int64(reclaimed))))
	}
	if all {
		md.item("Con %s se borran todos los volúmenes que no usa ningún contenedor, también los que tienen nombre.", code("-a"))
	} else {
		md.item("Sin %s solo se borran los anónimos que no usa ningún contenedor; los que tienen nombre (como los de %s) se quedan.", code("-a"), code("-v datos:/data"))
	}
	return md.String()
}

// Mounts explains a container's volumes and bind mounts; "" when it has
// none. It completes the explanation of run and create.
func Mounts(c container.InspectResponse) string {
	if len(c.Mounts) == 0 {
		return ""
	}
	var md doc
	md.title("Volúmenes y carpetas montadas en %s", code(containerName(c)))
	for _, m := range c.Mounts {
		ro := ""
		if !m.RW {
			ro = ", de solo lectura (`ro`)"
		}
		switch {
		case m.Type == mount.TypeBind && !m.RW:
			md.item("%s es la carpeta %s de tu máquina (bind mount), de solo lectura (`ro`): el contenedor la lee, pero no puede escribir en ella.", code(m.Destination), code(m.Source))
		case m.Type == mount.TypeBind:
			md.item("%s es la carpeta %s de tu máquina (bind mount): lo que cambie un lado lo ve el otro al momento.", code(m.Destination), code(m.Source))
		case len(m.Name) == 64: // the name Docker gives an anonymous volume
			md.item("%s es un volumen anónimo (%s) en %s%s.", code(m.Destination), code(shortID(m.Name)), code(m.Source), ro)
		default:
			md.item("%s es el volumen %s, en %s%s.", code(m.Destination), code(m.Name), code(m.Source), ro)
		}
	}
	md.item("Lo que se escribe ahí no va a la capa de lectura y escritura: sobrevive a %s, y %s no lo incluye en la imagen.", code("rm"), code("commit"))
	md.item("%s borra también los volúmenes anónimos; los que tienen nombre y las carpetas montadas nunca se borran con el contenedor.", code("rm -v"))
	return md.String()
}

// volumeInUse parses Docker's "remove NAME: volume is in use - [ID, ...]".
func volumeInUse(msg string) (name string, ids []string, ok bool) {
	_, rest, found := strings.Cut(msg, "remove ")
	if !found {
		return "", nil, false
	}
	name, rest, found = strings.Cut(rest, ": volume is in use - [")
	if !found {
		return "", nil, false
	}
	list, _, _ := strings.Cut(rest, "]")
	for _, id := range strings.Split(list, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return name, ids, true
}

// VolumeRemoveError explains a `volume rm` refused because containers use
// the volume. It returns "" for other errors, which Error explains (an
// unknown volume among them).
func VolumeRemoveError(err error) string {
	if name, ids, ok := volumeInUse(err.Error()); ok {
		return VolumeInUse(name, ids)
	}
	return ""
}
