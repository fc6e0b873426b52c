package explain

import (
	"fmt"
	"strings"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/system"
)

// VersionData is what `version` learned about both ends of the API.
type VersionData struct {
	ClientVersion, ClientAPIVersion string // bolsillo's version and the API version it negotiated
	Host                            string // e.g. unix:///run/bolsillo.sock

	ServerName, ServerVersion, ServerAPIVersion, ServerMinAPIVersion, Os, Arch, KernelVersion string
}

// Version explains the course's architecture with real data: client, REST
// API, daemon and host.
func Version(v VersionData) string {
	var md doc
	md.title("Cliente → API REST → daemon → anfitrión")
	md.item("El cliente es %s: lo que escribes en la terminal. No ejecuta nada por sí mismo.", code(joinSep(" ", "bolsillo", v.ClientVersion)))
	api := "la API REST (Docker Engine API)"
	if v.ClientAPIVersion != "" {
		api = fmt.Sprintf("la API REST (Docker Engine API %s)", code(v.ClientAPIVersion))
	}
	if v.Host != "" {
		md.item("Envía peticiones HTTP a %s por %s.", api, code(v.Host))
	} else {
		md.item("Envía peticiones HTTP a %s.", api)
	}
	server := "Las atiende el daemon (servidor)"
	if s := joinSep(" ", v.ServerName, v.ServerVersion); s != "" {
		server += ", " + code(s) + ","
	}
	switch {
	case v.ServerAPIVersion != "" && v.ServerMinAPIVersion != "":
		md.item("%s que habla la API %s y acepta desde la %s.", server, code(v.ServerAPIVersion), code(v.ServerMinAPIVersion))
	case v.ServerAPIVersion != "":
		md.item("%s que habla la API %s.", server, code(v.ServerAPIVersion))
	default:
		md.item("%s.", strings.TrimSuffix(server, ","))
	}
	if v.ClientAPIVersion != "" && v.ServerAPIVersion != "" && v.ClientAPIVersion != v.ServerAPIVersion {
		md.item("Los dos acordaron usar la API %s, la más alta que entienden ambos.", code(v.ClientAPIVersion))
	}
	if host := joinSep(", ", platform(v.Os, v.Arch), kernel(v.KernelVersion)); host != "" {
		md.item("El daemon crea imágenes y contenedores en el anfitrión (Docker host): %s.", host)
	} else {
		md.item("El daemon crea imágenes y contenedores en el anfitrión (Docker host).")
	}
	return md.String()
}

// Info explains what the daemon reported about itself and its host.
func Info(info system.Info, host string) string {
	var md doc
	if info.Name != "" {
		md.title("El daemon en el anfitrión %s", code(info.Name))
	} else {
		md.title("El daemon y su anfitrión")
	}
	route := "API REST"
	if host != "" {
		route = "API REST en " + code(host)
	}
	daemon := "daemon"
	if info.ServerVersion != "" {
		daemon = "daemon " + code(info.ServerVersion)
	}
	md.item("Tu cliente preguntó y el daemon respondió: cliente → %s → %s → anfitrión.", route, daemon)
	if info.DockerRootDir != "" {
		md.item("Directorio raíz de datos (data root): %s. Ahí guarda imágenes, capas y contenedores; se cambia con `--data-root` en su servicio de systemd y `systemctl daemon-reload`.", code(info.DockerRootDir))
	}
	md.item("Contenedores: %d (%d corriendo, %d en pausa, %d detenidos). Imágenes: %d.",
		info.Containers, info.ContainersRunning, info.ContainersPaused, info.ContainersStopped, info.Images)
	if info.Driver != "" {
		md.item("Storage driver %s: apila las capas de solo lectura y, encima, la de escritura de cada contenedor.", code(info.Driver))
	}
	if info.CgroupVersion != "" || info.CgroupDriver != "" {
		md.item("Grupos de control (cgroups) %s: limitan y miden la memoria y la CPU de cada contenedor.", cgroupLabel(info))
	}
	if line := hostSentence(info); line != "" {
		md.item("%s", line)
	}
	return md.String()
}

// cgroupLabel formats the cgroup version and driver.
func cgroupLabel(info system.Info) string {
	switch {
	case info.CgroupVersion != "" && info.CgroupDriver != "":
		return fmt.Sprintf("v%s (driver %s)", info.CgroupVersion, code(info.CgroupDriver))
	case info.CgroupVersion != "":
		return "v" + info.CgroupVersion
	}
	return fmt.Sprintf("(driver %s)", code(info.CgroupDriver))
}

// hostSentence describes the host machine: system, kernel, CPUs and memory.
func hostSentence(info system.Info) string {
	var parts []string
	if info.OperatingSystem != "" {
		parts = append(parts, code(info.OperatingSystem))
	}
	if info.KernelVersion != "" {
		parts = append(parts, "kernel "+code(info.KernelVersion))
	}
	if info.NCPU > 0 {
		parts = append(parts, fmt.Sprintf("%d CPU", info.NCPU))
	}
	if info.MemTotal > 0 {
		parts = append(parts, units.BytesSize(float64(info.MemTotal))+" de memoria")
	}
	if len(parts) == 0 {
		return ""
	}
	return "Anfitrión: " + joinSpanish(parts) + "."
}

// platform formats "os/arch" as a code span.
func platform(os, arch string) string {
	switch {
	case os != "" && arch != "":
		return code(os + "/" + arch)
	case os != "":
		return code(os)
	case arch != "":
		return code(arch)
	}
	return ""
}

// kernel formats a kernel version.
func kernel(v string) string {
	if v == "" {
		return ""
	}
	return "kernel " + code(v)
}

// joinSep joins the non-empty parts with sep.
func joinSep(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// The rows of docker system df.
const (
	DiskUsageImages     = "images"
	DiskUsageContainers = "containers"
	DiskUsageVolumes    = "volumes"
	DiskUsageBuildCache = "build-cache"
)

// DiskUsageRow is one row of docker system df: how many objects of a type,
// how many are in use, what they take and what removing the unused ones
// would give back, in bytes.
type DiskUsageRow struct {
	Type              string // DiskUsageImages...
	Total, Active     int
	Size, Reclaimable int64
}

// DiskUsage explains system df: what each figure counts, and which prune
// command gives back each reclaimable amount. The images' RECLAIMABLE is
// Docker's sum, which counts as reclaimable the layers an image in use
// shares with another: the explanation says so.
func DiskUsage(rows []DiskUsageRow) string {
	var md doc
	md.title("Lo que ocupa bolsillod en disco")
	size := func(n int64) string { return code(units.HumanSize(float64(n))) }
	for _, r := range rows {
		switch r.Type {
		case DiskUsageImages:
			md.item("Imágenes: %d, %d %s por algún contenedor. Ocupan %s: cada capa cuenta una vez, aunque la compartan varias imágenes.",
				r.Total, r.Active, plural(r.Active, "usada", "usadas"), size(r.Size))
			md.item("Su RECLAIMABLE (recuperable: %s) es la cuenta de Docker: todo menos lo que es solo de las imágenes en uso. Una capa que una imagen en uso comparte con otra cuenta como recuperable, pero no se va mientras alguien la use: %s borra las imágenes sin contenedor y, de sus capas, las que ninguna otra imagen tiene.",
				size(r.Reclaimable), code("bolsillo image prune -a"))
		case DiskUsageContainers:
			md.item("Contenedores: %d, %d en marcha. Sus capas de escritura suman %s; las de los detenidos (%s) se van con %s, y con ellas lo que escribieron.",
				r.Total, r.Active, size(r.Size), size(r.Reclaimable), code("bolsillo container prune"))
		case DiskUsageVolumes:
			md.item("Volúmenes: %d, %d %s en algún contenedor. Guardan %s; los que nadie monta (%s) se borran con %s, y sus datos no vuelven.",
				r.Total, r.Active, plural(r.Active, "montado", "montados"), size(r.Size), size(r.Reclaimable), code("bolsillo volume prune -a"))
		case DiskUsageBuildCache:
			md.item("La caché de `build` de bolsillo son las imágenes intermedias de cada paso: cuentan arriba, como imágenes, y esta fila queda a 0.")
		}
	}
	md.item("Un contenedor detenido mantiene su imagen en uso: para recuperar el espacio de los dos, primero el contenedor, después la imagen.")
	return md.String()
}

// SystemPruneData is what system prune removed, kind by kind.
type SystemPruneData struct {
	All, Volumes   bool     // the -a and --volumes flags
	Containers     []string // IDs
	VolumesDeleted []string // names
	ImagesUntagged []string // names
	ImagesDeleted  []string // IDs
	Reclaimed      uint64   // bytes
}

// SystemPrune explains system prune: what went, kind by kind, and what
// stays without the flags that would take it.
func SystemPrune(d SystemPruneData) string {
	var md doc
	gone := len(d.Containers) + len(d.VolumesDeleted) + len(d.ImagesDeleted)
	if gone == 0 && len(d.ImagesUntagged) == 0 {
		md.title("No había nada que borrar")
	} else {
		md.title("`system prune` liberó %s", humanSize(int64(d.Reclaimed)))
	}
	if n := len(d.Containers); n > 0 {
		md.item("Borró %d %s, y %s.", n, plural(n, "contenedor detenido", "contenedores detenidos"), plural(n, "con él su capa de lectura y escritura", "con cada uno su capa de lectura y escritura"))
	} else {
		md.item("Ningún contenedor detenido: los que corren no se tocan.")
	}
	switch n := len(d.ImagesDeleted); {
	case n > 0 && d.All:
		md.item("Borró %d %s que ningún contenedor usaba (con `-a`, tengan etiqueta o no).", n, plural(n, "imagen", "imágenes"))
	case n > 0:
		md.item("Borró %d %s (%s): %s su etiqueta cuando otra imagen tomó su nombre. Con `-a` se irían también las que tienen etiqueta y ningún contenedor usa.", n, plural(n, "imagen colgada", "imágenes colgadas"), code(danglingTag), plural(n, "había perdido", "habían perdido"))
	case d.All:
		md.item("Ninguna imagen sin contenedor.")
	default:
		md.item("Ninguna imagen colgada (%s). Con `-a` se irían las que tienen etiqueta y ningún contenedor usa.", code(danglingTag))
	}
	switch n := len(d.VolumesDeleted); {
	case !d.Volumes:
		md.item("Los volúmenes no se tocan sin %s: guardan datos que no están en ninguna imagen.", code("--volumes"))
	case n > 0:
		md.item("Borró %d %s que ningún contenedor montaba, y %s; los que tienen nombre se quedan.", n, plural(n, "volumen anónimo", "volúmenes anónimos"), plural(n, "sus datos con él", "sus datos con ellos"))
	default:
		md.item("Ningún volumen anónimo sin usar; los que tienen nombre se quedan siempre.")
	}
	md.item("Mira lo que queda con %s.", code("bolsillo system df"))
	return md.String()
}
