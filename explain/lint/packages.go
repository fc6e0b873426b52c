package lint

import (
	"fmt"
	"strings"
)

// install is one package-manager command of a RUN.
type install struct {
	manager string // apt-get, apk, yum, dnf
	sub     string // install, add, update, upgrade...
	opts    []string
	pkgs    []string
	piped   bool // something is piped into it ("yes | apt-get install")
}

// optionsWithValue are the options of each manager that take the next word.
var optionsWithValue = map[string]map[string]bool{
	"apt-get":  {"-o": true, "-t": true, "-c": true, "--option": true, "--target-release": true, "--config-file": true},
	"apk":      {"-X": true, "--repository": true, "-t": true, "--virtual": true, "-p": true, "--root": true},
	"yum":      {"-c": true, "--config": true, "--enablerepo": true, "--disablerepo": true, "--exclude": true, "-x": true, "--releasever": true},
	"dnf":      {"-c": true, "--config": true, "--enablerepo": true, "--disablerepo": true, "--exclude": true, "-x": true, "--releasever": true},
	"microdnf": {"--enablerepo": true, "--disablerepo": true},
}

// managerOf normalizes a program name to its package manager.
func managerOf(name string) string {
	switch name {
	case "apt-get", "apt":
		return "apt-get"
	case "apk", "yum", "dnf", "microdnf":
		return name
	}
	return ""
}

// parseInstall reads a package-manager command; ok is false for any other
// command.
func parseInstall(cmds []command, i int) (install, bool) {
	c := cmds[i]
	m := managerOf(c.name())
	if m == "" {
		return install{}, false
	}
	in := install{manager: m, piped: i > 0 && cmds[i-1].op == "|"}
	w := c.words()[1:]
	withValue := optionsWithValue[m]
	for j := 0; j < len(w); j++ {
		a := w[j]
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			in.opts = append(in.opts, a)
			if withValue[a] && j+1 < len(w) {
				j++
				in.opts = append(in.opts, w[j])
			}
			continue
		}
		if in.sub == "" {
			in.sub = a
			continue
		}
		in.pkgs = append(in.pkgs, a)
	}
	return in, true
}

// isInstall reports whether the command installs packages.
func (p install) isInstall() bool {
	if p.manager == "apk" {
		return p.sub == "add"
	}
	return p.sub == "install"
}

// asks reports whether the command asks for confirmation unless told -y.
func (p install) asks() bool {
	if p.manager == "apk" {
		return false
	}
	switch p.sub {
	case "install", "upgrade", "dist-upgrade", "full-upgrade", "remove", "purge", "autoremove", "reinstall", "update":
		// update asks on yum/dnf (it upgrades); apt-get update never asks.
		return p.manager != "apt-get" || p.sub != "update"
	}
	return false
}

// assumesYes reports whether the command answers its own questions.
func (p install) assumesYes() bool {
	if p.piped {
		return true
	}
	for i, o := range p.opts {
		switch {
		case o == "--yes" || o == "--assume-yes" || o == "--assumeyes" || o == "--force-yes":
			return true
		case strings.HasPrefix(o, "-") && !strings.HasPrefix(o, "--") && strings.ContainsRune(o, 'y'):
			return true
		case strings.HasPrefix(o, "-o") && strings.Contains(strings.ToLower(o+optAt(p.opts, i+1)), "assume-yes=true"):
			return true
		}
	}
	return false
}

func optAt(opts []string, i int) string {
	if i < len(opts) {
		return opts[i]
	}
	return ""
}

// noRecommends reports whether apt-get was told not to install the
// recommended packages.
func (p install) noRecommends() bool {
	for i, o := range p.opts {
		if o == "--no-install-recommends" {
			return true
		}
		if strings.HasPrefix(o, "-o") {
			v := strings.ToLower(o + optAt(p.opts, i+1))
			if strings.Contains(v, "install-recommends=false") || strings.Contains(v, "install-recommends=0") {
				return true
			}
		}
	}
	return false
}

func (p install) hasOpt(name string) bool {
	for _, o := range p.opts {
		if o == name {
			return true
		}
	}
	return false
}

// runInstalls returns the package-manager commands of a RUN.
func runInstalls(in *instruction) []install {
	cmds := in.commands()
	var out []install
	for i := range cmds {
		if p, ok := parseInstall(cmds, i); ok {
			out = append(out, p)
		}
	}
	return out
}

// removes reports whether a RUN deletes a path under dir.
func removes(in *instruction, dir string) bool {
	for _, c := range in.commands() {
		if c.name() != "rm" {
			continue
		}
		for _, a := range c.words()[1:] {
			if strings.HasPrefix(a, dir) {
				return true
			}
		}
	}
	return false
}

// cacheMount reports whether a RUN mounts a cache on a path under dir
// (RUN --mount=type=cache,target=/var/cache/apt): then nothing is left in
// the layer.
func cacheMount(in *instruction, dir string) bool {
	for _, f := range in.flags {
		if strings.HasPrefix(f, "--mount=") && strings.Contains(f, "type=cache") && strings.Contains(f, "target="+dir) {
			return true
		}
	}
	return false
}

var (
	reAskingCommand = lazyRegexp(`\b(apt-get|apt|yum|dnf|microdnf)\s+(install|upgrade|dist-upgrade|full-upgrade|remove|purge|autoremove|reinstall)\b`)
	reAptInstall    = lazyRegexp(`\bapt(-get)?\s+install\b`)
	reApkAdd        = lazyRegexp(`\bapk\s+add\b`)
	reYesFlag       = lazyRegexp(`(^|\s)(-[a-zA-Z]*y[a-zA-Z]*|--yes|--assume-yes|--assumeyes)(\s|$)`)
)

// checkPackages: BP002, BP010, BP011, BP012, BP013, BP014.
func (l *linter) checkPackages() {
	for _, s := range l.stages {
		image := l.inImage(s)
		seen := map[string][]*instruction{} // manager -> RUNs with an install
		pkgs := map[string][]string{}
		for idx, in := range s.instrs {
			if in.kw != "RUN" {
				continue
			}
			ps := runInstalls(in)
			var asks, update, aptInstall, recommends, apkCache bool
			for _, p := range ps {
				if p.asks() && !p.assumesYes() {
					asks = true
				}
				if p.isInstall() {
					seen[p.manager] = append(seen[p.manager], in)
					pkgs[p.manager] = append(pkgs[p.manager], p.pkgs...)
				}
				switch {
				case p.manager == "apt-get" && p.sub == "update":
					update = true
				case p.manager == "apt-get" && (p.isInstall() || strings.HasSuffix(p.sub, "upgrade")):
					aptInstall = true
					if p.isInstall() && !p.noRecommends() {
						recommends = true
					}
				case p.manager == "apk" && p.isInstall() && !p.hasOpt("--no-cache"):
					apkCache = true
				}
			}
			if asks {
				l.add(ruleInstallYes, in, finding{
					message: "El gestor de paquetes va a preguntar «¿Quieres continuar? [Y/n]»",
					why:     "Sin `-y`, `apt-get install` (y `apt`, `yum`, `dnf`) pide confirmación antes de instalar. Durante una construcción no hay teclado ni entrada estándar (stdin): nadie responde, el comando aborta y `build` falla en este paso.",
					fix:     "Añade `-y` para que responda que sí él solo.",
					example: insertEach(in.source, reAskingCommand(), " -y", reYesFlag().MatchString),
				})
			}
			if image && recommends {
				l.add(ruleAptRecommends, in, finding{
					message: "`apt-get install` sin `--no-install-recommends`",
					why:     "Por defecto `apt-get` instala también los paquetes «recomendados», que tu aplicación no pidió: más megas en la capa, más tiempo de construcción y más software que mantener. Es lo que los apuntes llaman no instalar paquetes innecesarios.",
					fix:     "Añade `--no-install-recommends` y nombra tú los paquetes que sí necesitas.",
					example: insertEach(in.source, reAptInstall(), " --no-install-recommends", func(rest string) bool { return strings.Contains(rest, "install-recommends") }),
				})
			}
			if update && !aptInstall {
				example := continued("RUN", []string{"apt-get update", "apt-get install -y --no-install-recommends PAQUETE", "rm -rf /var/lib/apt/lists/*"})
				if idx+1 < len(s.instrs) && s.instrs[idx+1].kw == "RUN" && !s.instrs[idx+1].json {
					next := s.instrs[idx+1]
					if hasAptInstall(next) {
						example = continued("RUN", append([]string{"apt-get update"}, splitOutsideQuotes(collapseSpaces(next.text()), "&&")...))
					}
				}
				l.add(ruleAptUpdateAlone, in, finding{
					message: "`apt-get update` va solo, sin el `apt-get install` que lo necesita",
					why:     "Cada instrucción es una capa con caché. La próxima vez que construyas, este `RUN` sale de la caché con la lista de paquetes de aquel día, y si cambias solo el `RUN` del `install`, instalará versiones viejas o fallará con «Unable to locate package». Además, la lista (decenas de MB) se queda guardada en esta capa.",
					fix:     "Pon `apt-get update` y `apt-get install` en el mismo `RUN`, unidos con `&&`, y borra la lista al final.",
					example: example,
				})
			}
			if image && aptInstall && !removes(in, "/var/lib/apt/lists") && !cacheMount(in, "/var/lib/apt") {
				l.add(ruleAptLists, in, finding{
					message: "La lista de paquetes de `apt-get` se queda en la capa",
					why:     "`apt-get update` descarga la lista de paquetes a `/var/lib/apt/lists/` (decenas de MB). Si no la borras en el mismo `RUN`, se guarda en esta capa de solo lectura para siempre: borrarla en un `RUN` posterior no la quita de la imagen, solo la esconde.",
					fix:     "Termina el mismo `RUN` con `rm -rf /var/lib/apt/lists/*`.",
					example: strings.TrimRight(in.source, " \t") + " \\\n    && rm -rf /var/lib/apt/lists/*",
				})
			}
			if image && apkCache && !removes(in, "/var/cache/apk") && !cacheMount(in, "/var/cache/apk") {
				l.add(ruleApkCache, in, finding{
					message: "`apk add` sin `--no-cache`",
					why:     "Sin `--no-cache`, `apk` guarda el índice de paquetes en `/var/cache/apk/` y se queda en la capa: peso que tu aplicación no usa.",
					fix:     "Usa `apk add --no-cache`: descarga el índice, instala y no deja nada.",
					example: insertEach(in.source, reApkAdd(), " --no-cache", func(rest string) bool { return strings.Contains(rest, "--no-cache") }),
				})
			}
		}
		for _, m := range []string{"apt-get", "apk", "yum", "dnf", "microdnf"} {
			runs := seen[m]
			if len(runs) < 2 {
				continue
			}
			var lines []int
			for _, in := range runs {
				lines = append(lines, in.line)
			}
			l.add(ruleOneInstall, runs[1], finding{
				message: fmt.Sprintf("`%s` instala paquetes %d veces en esta etapa (líneas %s)", m, len(runs), lineList(lines)),
				why:     "Cada instalación por separado repite el trabajo del gestor de paquetes (y, en `RUN` distintos, deja una capa más con su caché). Un solo comando con varios argumentos instala todo de una vez, en una sola capa, y se lee mejor.",
				fix:     "Instala todos los paquetes en un único comando, uno por argumento.",
				example: oneInstall(m, dedupe(pkgs[m])),
			})
		}
	}
}

// hasAptInstall reports whether a RUN installs with apt.
func hasAptInstall(in *instruction) bool {
	for _, p := range runInstalls(in) {
		if p.manager == "apt-get" && p.isInstall() {
			return true
		}
	}
	return false
}

// oneInstall writes the single install command for pkgs.
func oneInstall(manager string, pkgs []string) string {
	list := strings.Join(pkgs, " ")
	switch manager {
	case "apt-get":
		return continued("RUN", []string{"apt-get update", "apt-get install -y --no-install-recommends " + list, "rm -rf /var/lib/apt/lists/*"})
	case "apk":
		return "RUN apk add --no-cache " + list
	}
	return continued("RUN", []string{manager + " install -y " + list, manager + " clean all"})
}

func dedupe(items []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range items {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
