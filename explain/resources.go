package explain

import (
	"fmt"
	"strings"

	"github.com/moby/moby/api/types/container"
)

// CgroupFile is one file of a container's cgroup as read on the host: the
// kernel enforces what it holds.
type CgroupFile struct {
	Path  string // e.g. /sys/fs/cgroup/memory/bolsillo-1a2b/<id>/memory.limit_in_bytes
	Value string // its contents, trimmed
}

// cpuCount counts the CPUs of a cpuset such as "0-2,4"; 0 if it is not one.
func cpuCount(set string) int {
	n := 0
	for part := range strings.SplitSeq(set, ",") {
		var lo, hi int
		if _, err := fmt.Sscanf(part, "%d-%d", &lo, &hi); err == nil && hi >= lo {
			n += hi - lo + 1
			continue
		}
		if _, err := fmt.Sscanf(part, "%d", &lo); err != nil {
			return 0
		}
		n++
	}
	return n
}

// limitItems explains the container's resource limits with its values.
func limitItems(md *doc, r container.Resources) {
	if r.Memory > 0 {
		md.item("Memoria (`-m`/`--memory`): %s como máximo. Si sus procesos piden más, el kernel mata al que más usa (OOM) y el contenedor termina con código 137.", humanSize(r.Memory))
	} else {
		md.item("Memoria: sin límite (`-m`): puede usar toda la de tu máquina.")
	}
	if r.MemorySwap > 0 {
		md.item("Memoria más swap (`--memory-swap`): %s en total.", humanSize(r.MemorySwap))
	}
	if r.CpusetCpus != "" {
		n := cpuCount(r.CpusetCpus)
		md.item("CPU permitidas (`--cpuset-cpus %s`): %d CPU. Las CPU se cuentan desde 0: `0` es la primera y `0-2` son tres CPU (0, 1 y 2).", r.CpusetCpus, n)
	}
	if r.NanoCPUs > 0 {
		md.item("Tiempo de CPU (`--cpus`): %s CPU como mucho: cada 100 ms puede usar %d ms de CPU, repartidos entre las que tenga.", strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", float64(r.NanoCPUs)/1e9), "0"), "."), r.NanoCPUs/1e7)
	}
	if r.CPUShares > 0 {
		md.item("Peso de CPU (`--cpu-shares`): %d (1024 es lo normal); solo cuenta cuando varios contenedores compiten por la CPU.", r.CPUShares)
	}
	if r.PidsLimit != nil && *r.PidsLimit > 0 {
		md.item("Procesos (`--pids-limit`): %d como máximo; un `fork` más falla.", *r.PidsLimit)
	}
}

// fileItems lists the cgroup files that hold the limits.
func fileItems(md *doc, files []CgroupFile) {
	if len(files) == 0 {
		return
	}
	var lines []string
	for _, f := range files {
		lines = append(lines, fmt.Sprintf("%s = %s", code(f.Path), code(f.Value)))
	}
	md.item("Los límites viven en archivos del grupo de control (cgroup) del contenedor, que el kernel hace cumplir: %s.", strings.Join(lines, "; "))
}

// Update explains `update`: the new limits, applied "en caliente" to a
// running container (nothing restarts), or kept for the next start of a
// stopped one.
func Update(c container.InspectResponse, files []CgroupFile) string {
	var md doc
	md.title("Límites nuevos de %s", code(containerName(c)))
	if c.State != nil && c.State.Running {
		md.item("Cambiaron en caliente: el contenedor sigue corriendo, con el mismo PID %d; nada se reinició.", c.State.Pid)
	} else {
		md.item("El contenedor no está corriendo: los límites quedan guardados y se aplican en su próximo `start`.")
	}
	if c.HostConfig != nil {
		limitItems(&md, c.HostConfig.Resources)
	}
	fileItems(&md, files)
	md.item("Compruébalo con %s o con %s.", code("bolsillo inspect "+containerRef(c)), code("bolsillo stats --no-stream "+containerRef(c)))
	return md.String()
}

// Limits explains the resource limits a container was created with, for
// run and inspect; empty when it has none.
func Limits(c container.InspectResponse, files []CgroupFile) string {
	if c.HostConfig == nil {
		return ""
	}
	r := c.HostConfig.Resources
	if r.Memory == 0 && r.CpusetCpus == "" && r.NanoCPUs == 0 && r.CPUShares == 0 && (r.PidsLimit == nil || *r.PidsLimit <= 0) {
		return ""
	}
	var md doc
	md.title("Recursos de %s", code(containerName(c)))
	limitItems(&md, r)
	fileItems(&md, files)
	return md.String()
}

// OOM explains an exit by the OOM killer, with the container's limit.
func OOM(c container.InspectResponse) string {
	if c.State == nil || !c.State.OOMKilled {
		return ""
	}
	limit := "su límite de memoria"
	if c.HostConfig != nil && c.HostConfig.Memory > 0 {
		limit = "su límite de memoria de " + humanSize(c.HostConfig.Memory)
	}
	return fmt.Sprintf("el kernel lo mató porque pasó %s: código %d", limit, c.State.ExitCode)
}

// StatsRow is one container's line of `stats`, with the numbers behind it.
type StatsRow struct {
	Name                  string
	Running               bool
	CPUPercent            float64
	OnlineCPUs            uint32
	MemUsed, MemLimit     uint64
	MemPercent            float64
	NetRx, NetTx          uint64
	BlockRead, BlockWrite uint64
	Pids                  uint64
}

// Stats explains the columns of `stats` with the first container's numbers.
func Stats(rows []StatsRow) string {
	var md doc
	if len(rows) == 0 {
		md.title("Uso de recursos")
		md.item("No hay contenedores corriendo: `stats` mide solo los que corren (arranca uno con %s).", code("bolsillo run -d busybox sleep 1000"))
		return md.String()
	}
	r := rows[0]
	md.title("Uso de recursos de %s", code(r.Name))
	if !r.Running {
		md.item("No está corriendo: no hay procesos que medir, por eso sus columnas salen a cero o con `--`.")
		return md.String()
	}
	md.item("CPU %%: %.2f%%. Es el tiempo de CPU que usó en el último segundo respecto al de toda tu máquina, multiplicado por sus %d CPU: 100%% es una CPU entera ocupada.", r.CPUPercent, r.OnlineCPUs)
	md.item("MEM USAGE / LIMIT: usa %s de %s. El límite es el de `-m`; sin `-m`, es toda la memoria de tu máquina. No cuenta la caché de archivos que el kernel puede liberar.", humanSize(int64(r.MemUsed)), humanSize(int64(r.MemLimit)))
	md.item("MEM %%: %.2f%% de ese límite. Al llegar al 100%% el kernel mata un proceso (OOM, código 137).", r.MemPercent)
	md.item("NET I/O: recibió %s y envió %s por su red (sus interfaces, sin contar `lo`).", humanSize(int64(r.NetRx)), humanSize(int64(r.NetTx)))
	md.item("BLOCK I/O: leyó %s y escribió %s en disco.", humanSize(int64(r.BlockRead)), humanSize(int64(r.BlockWrite)))
	md.item("PIDS: %d procesos (e hilos) dentro del contenedor.", r.Pids)
	md.item("Estos números salen de su grupo de control (cgroup), el mismo mecanismo que aplica `-m` y `--cpuset-cpus`.")
	return md.String()
}

// Top explains `top`: the container's processes seen from the host.
func Top(c container.InspectResponse, procs int) string {
	var md doc
	md.title("Procesos de %s", code(containerName(c)))
	md.item("Tiene %d %s. Los PID de la lista son los de tu máquina (el anfitrión); dentro del contenedor el proceso principal se ve como PID 1.", procs, plural(procs, "proceso", "procesos"))
	if c.State != nil && c.State.Pid > 0 {
		md.item("Su proceso principal es el PID %d en tu máquina.", c.State.Pid)
	}
	return md.String()
}

// Pause explains `pause` and `unpause`.
func Pause(c container.InspectResponse, paused bool) string {
	var md doc
	if paused {
		md.title("%s está en pausa", code(containerName(c)))
		md.item("Sus procesos siguen en memoria pero congelados: el freezer del cgroup no les da CPU. No terminaron ni perdieron nada.")
		md.item("Continúa con %s.", code("bolsillo unpause "+containerRef(c)))
	} else {
		md.title("%s sigue corriendo", code(containerName(c)))
		md.item("Sus procesos vuelven a recibir CPU y siguen justo donde se quedaron.")
	}
	return md.String()
}
