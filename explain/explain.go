// Package explain turns Docker Engine API data into short Spanish explanations.
//
// Every function takes the values the bolsillo CLI already received from the
// API (inspect results, lists, errors) and returns Markdown that tells the
// student what just happened, using their own names, IDs, sizes and paths.
// Nothing here talks to a daemon: the same explanations work against bolsillod
// and against a real Docker Engine.
//
// The vocabulary follows the course glossary: Docker terms stay in English as
// the student sees them in the terminal, with the Spanish word beside them the
// first time.
package explain

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"bolsillo/explain/md"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
)

// The Markdown and wording helpers every explanation uses, shared with
// explain/lint.
var (
	code        = md.Code
	codeList    = md.CodeList
	joinSpanish = md.JoinSpanish
	plural      = md.Plural
)

// lazyRegexp returns a function that compiles expr on its first call, so
// that the CLI does not compile every pattern of the package at each start.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// shortIDLen is the length of the IDs docker prints in its tables.
const shortIDLen = 12

// doc accumulates one explanation: a title and a few lines.
type doc struct {
	b strings.Builder
}

// title writes the heading of the explanation.
func (d *doc) title(format string, a ...any) {
	fmt.Fprintf(&d.b, "# "+format+"\n\n", a...)
}

// item writes one bullet line.
func (d *doc) item(format string, a ...any) {
	fmt.Fprintf(&d.b, "- "+format+"\n", a...)
}

// String returns the Markdown written so far.
func (d *doc) String() string {
	return d.b.String()
}

// codeListLimit is codeList for at most n items, counting the rest.
func codeListLimit(items []string, n int) string {
	if len(items) <= n {
		return codeList(items)
	}
	quoted := make([]string, 0, n+1)
	for _, s := range items[:n] {
		quoted = append(quoted, code(s))
	}
	quoted = append(quoted, fmt.Sprintf("%d más", len(items)-n))
	return joinSpanish(quoted)
}

// humanSize formats a byte count the way `docker images` does.
func humanSize(n int64) string {
	return units.HumanSizeWithPrecision(float64(n), 3)
}

// shortID returns the 12-character form of an ID, without its algorithm.
func shortID(id string) string {
	if i := strings.IndexByte(id, ':'); i >= 0 {
		id = id[i+1:]
	}
	if len(id) > shortIDLen {
		return id[:shortIDLen]
	}
	return id
}

// commandLine joins a command and its arguments the way `docker ps` shows them.
func commandLine(argv []string) string {
	return strings.Join(argv, " ")
}

// containerName returns the name of c without the leading slash, or its short
// ID when it has no name.
func containerName(c container.InspectResponse) string {
	if name := strings.TrimPrefix(c.Name, "/"); name != "" {
		return name
	}
	if id := shortID(c.ID); id != "" {
		return id
	}
	return "sin nombre"
}

// containerRef is what the student types to refer to c in a command.
func containerRef(c container.InspectResponse) string {
	if name := strings.TrimPrefix(c.Name, "/"); name != "" {
		return name
	}
	if id := shortID(c.ID); id != "" {
		return id
	}
	return "NOMBRE"
}

// upperDir returns where the container's writable layer lives, if the storage
// driver reported it.
func upperDir(c container.InspectResponse) string {
	if c.GraphDriver == nil {
		return ""
	}
	return c.GraphDriver.Data["UpperDir"]
}

// mainProcess returns the command line of the container's main process.
func mainProcess(c container.InspectResponse) string {
	if c.Path == "" {
		return ""
	}
	return commandLine(append([]string{c.Path}, c.Args...))
}

// state returns c.State, or an empty state when the API did not send one.
func state(c container.InspectResponse) container.State {
	if c.State == nil {
		return container.State{}
	}
	return *c.State
}

// writableLayerLine says where the writable layer lives, or that the driver
// did not say.
func writableLayerLine(c container.InspectResponse) string {
	if dir := upperDir(c); dir != "" {
		return "en " + code(dir)
	}
	return "en el directorio raíz de datos del daemon (el driver no informó la ruta)"
}

// signalNames names the signals whose exit codes (128+n) students meet.
var signalNames = map[int]string{
	1:  "SIGHUP",
	2:  "SIGINT",
	3:  "SIGQUIT",
	6:  "SIGABRT",
	9:  "SIGKILL",
	15: "SIGTERM",
}

// exitMeaning explains an exit code in one sentence. oomKilled reports the
// kernel's out-of-memory kill, which also surfaces as 137.
func exitMeaning(exitCode int, oomKilled bool) string {
	switch {
	case exitCode == 0:
		return "todo fue bien"
	case oomKilled:
		return "el kernel lo mató por superar su límite de memoria (OOM)"
	case exitCode == 125:
		return "falló el propio arranque del contenedor, no tu programa"
	case exitCode == 126:
		return "el comando existe pero no se puede ejecutar (permisos o no es un ejecutable)"
	case exitCode == 127:
		return "el comando no se encontró dentro del contenedor"
	case exitCode == 137:
		return "lo mataron con SIGKILL (128 + 9): `kill`, un `stop` que agotó su espera o falta de memoria"
	case exitCode == 143:
		return "lo paró SIGTERM (128 + 15), la señal que envía `stop`"
	case exitCode == 130:
		return "lo interrumpieron con SIGINT (128 + 2), como al pulsar Ctrl+C"
	case exitCode > 128 && exitCode < 160:
		sig := exitCode - 128
		if name, ok := signalNames[sig]; ok {
			return fmt.Sprintf("lo paró la señal %s (128 + %d)", name, sig)
		}
		return fmt.Sprintf("lo paró la señal %d (128 + %d)", sig, sig)
	default:
		return "el programa devolvió un error; lo que escribió lo explica (`logs`)"
	}
}
