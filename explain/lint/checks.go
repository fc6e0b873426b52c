package lint

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"
)

// longRun is the length from which a one-line RUN reads better split.
const longRun = 100

// checkLayers: BP001 consecutive RUNs, BP003 long one-line RUNs.
func (l *linter) checkLayers() {
	for _, s := range l.stages {
		var group []*instruction
		flush := func() {
			if len(group) >= 2 {
				first, last := group[0], group[len(group)-1]
				parts := []string{strings.TrimRight(first.source, " \t")}
				for _, in := range group[1:] {
					parts = append(parts, withoutKeyword(strings.TrimRight(in.source, " \t")))
				}
				l.add(ruleConsecutiveRun, nil, finding{
					line:    first.line,
					endLine: last.endLine,
					source:  l.source(first.line, last.endLine),
					message: fmt.Sprintf("%d `RUN` seguidos que pueden ser uno solo", len(group)),
					why:     "Cada `RUN` deja una capa de solo lectura más en la imagen. Los apuntes lo piden: pocas capas. Unidos con `&&` en un solo `RUN` hacen lo mismo en una capa, y lo que borres al final (cachés, temporales) no se queda guardado en una capa anterior.",
					fix:     "Únelos en un solo `RUN`: `&&` entre comandos (si uno falla, la construcción se para) y `\\` al final de cada línea para seguir en la siguiente.",
					example: strings.Join(parts, " \\\n    && "),
				})
			}
			group = nil
		}
		for _, in := range s.instrs {
			if in.kw == "RUN" && !in.json && len(in.flags) == 0 && len(in.node.Heredocs) == 0 {
				group = append(group, in)
				continue
			}
			flush()
		}
		flush()

		for _, in := range s.instrs {
			if in.kw != "RUN" || in.json || in.line != in.endLine || len(in.node.Heredocs) > 0 || utf8.RuneCountInString(in.source) <= longRun {
				continue
			}
			cmds := splitOutsideQuotes(in.text(), "&&")
			if len(cmds) < 2 {
				continue
			}
			l.add(ruleMultiline, in, finding{
				message: fmt.Sprintf("Un `RUN` de %d caracteres en una sola línea", utf8.RuneCountInString(in.source)),
				why:     "Una línea tan larga no se lee en la terminal ni en un diff, y es fácil perder un `&&`. Docker permite partir una instrucción en varias líneas terminando cada una con `\\`: sigue siendo un solo `RUN` y una sola capa.",
				fix:     "Escribe un comando por línea, cada línea terminada en `\\` y el `&&` al principio de la siguiente.",
				example: continued(in.keyword, cmds),
			})
		}
	}
}

// checkAdd: BP020 ADD of local files, BP021 ADD of a URL.
func (l *linter) checkAdd() {
	for _, in := range l.all {
		if in.kw != "ADD" || len(in.node.Heredocs) > 0 || len(in.args) < 2 {
			continue
		}
		srcs, dest := in.args[:len(in.args)-1], in.args[len(in.args)-1]
		_, checksum := in.flag("checksum")
		local := true
		for _, src := range srcs {
			switch {
			case isGitURL(src):
				local = false
			case isURL(src):
				local = false
				if checksum {
					continue
				}
				file := urlBase(src)
				target := dest
				if strings.HasSuffix(dest, "/") {
					target = dest + file
				}
				l.add(ruleAddURL, in, finding{
					message: fmt.Sprintf("`ADD` descarga %s sin comprobar su contenido", code(src)),
					why:     "Lo que `ADD` baja de internet puede cambiar sin que cambie tu Dockerfile: la construcción deja de ser repetible y nadie comprueba que el archivo sea el que esperabas. Además el archivo descargado se queda en su propia capa aunque luego lo borres.",
					fix:     "Descárgalo en un `RUN` con `wget` o `curl` (y bórralo en ese mismo `RUN` si solo lo necesitas para instalar algo). Con BuildKit también sirve `ADD --checksum=sha256:...`.",
					example: fmt.Sprintf("RUN wget -O %s %s", target, src),
				})
			case isArchive(src):
				local = false
			}
		}
		if !local {
			continue
		}
		l.add(ruleAddLocal, in, finding{
			message: "`ADD` de archivos locales: basta `COPY`",
			why:     "`ADD` hace más que copiar: descomprime los `.tar` y descarga URLs. Con archivos normales hace lo mismo que `COPY`, pero quien lee el Dockerfile no sabe qué esperar. Docker recomienda `COPY` (los apuntes también).",
			fix:     "Cambia `ADD` por `COPY`; guarda `ADD` para descomprimir un `.tar` en la imagen.",
			example: replaceKeyword(in.source, in.keyword, "COPY"),
		})
	}
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

func isGitURL(s string) bool {
	return strings.HasPrefix(s, "git@") || strings.HasPrefix(s, "git://") ||
		(isURL(s) && (strings.HasSuffix(s, ".git") || strings.Contains(s, ".git#")))
}

// isArchive reports whether ADD would extract a local source.
func isArchive(s string) bool {
	s = strings.ToLower(s)
	for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".tzst"} {
		if strings.HasSuffix(s, ext) {
			return true
		}
	}
	return false
}

// urlBase is the file name at the end of a URL's path.
func urlBase(s string) string {
	u, err := url.Parse(s)
	if err != nil || path.Base(u.Path) == "/" || path.Base(u.Path) == "." {
		return "archivo"
	}
	return path.Base(u.Path)
}

// checkMetadata: BP030 no LABEL, BP031 MAINTAINER.
func (l *linter) checkMetadata() {
	label := false
	for _, in := range l.all {
		switch in.kw {
		case "LABEL":
			label = true
		case "MAINTAINER":
			author := strings.TrimSpace(in.text())
			l.add(ruleMaintainer, in, finding{
				message: "`MAINTAINER` está obsoleto",
				why:     "Docker dejó de recomendar `MAINTAINER`: el autor es un metadato más, y los metadatos van en `LABEL`, donde `bolsillo inspect` y las herramientas los buscan.",
				fix:     "Cámbialo por un `LABEL` con la clave estándar `org.opencontainers.image.authors`.",
				example: "LABEL org.opencontainers.image.authors=" + jsonString(author),
			})
		}
	}
	if label {
		return
	}
	from := l.final().from
	l.add(ruleNoLabel, from, finding{
		message: "La imagen no lleva metadatos (`LABEL`)",
		why:     "`LABEL` guarda metadatos en la imagen: quién la mantiene, qué hace, qué versión es. Los ves con `bolsillo inspect` y sirven para filtrar (`bolsillo images -f label=...`). Sin ellos, dentro de un mes nadie sabrá de dónde salió.",
		fix:     "Añade un `LABEL` después del `FROM` de la etapa final (o usa `bolsillo build --label clave=valor`).",
		example: strings.TrimRight(from.source, " \t") + "\n" +
			"LABEL org.opencontainers.image.authors=\"tu@correo\" \\\n" +
			"      org.opencontainers.image.description=\"Qué hace esta imagen\" \\\n" +
			"      org.opencontainers.image.version=\"1.0\"",
	})
}

// isRoot reports whether a USER value is root.
func isRoot(user string) bool {
	name, _, _ := strings.Cut(user, ":")
	return name == "root" || name == "0"
}

// baseFamily guesses the distribution of a stage's base image: "alpine"
// (busybox tools), "debian" or "" when it cannot tell.
func (l *linter) baseFamily(s *stage) string {
	for cur := s; cur != nil; {
		parent := l.stageNamed(cur.image, cur.index)
		if parent == nil {
			img := strings.ToLower(cur.image)
			switch {
			case strings.Contains(img, "alpine") || strings.HasPrefix(img, "busybox"):
				return "alpine"
			case img == "scratch":
				return "scratch"
			case strings.Contains(img, "debian") || strings.Contains(img, "ubuntu") || strings.Contains(img, "slim") ||
				strings.HasPrefix(img, "python") || strings.HasPrefix(img, "node") || strings.HasPrefix(img, "golang") ||
				strings.HasPrefix(img, "nginx") || strings.HasPrefix(img, "httpd") || strings.HasPrefix(img, "ruby") ||
				strings.HasPrefix(img, "php") || strings.HasPrefix(img, "openjdk") || strings.HasPrefix(img, "eclipse-temurin"):
				return "debian"
			}
			return ""
		}
		cur = parent
	}
	return ""
}

// checkUser: BP040 the final stage runs as root.
func (l *linter) checkUser() {
	final := l.final()
	var last *instruction
	for cur := final; cur != nil && last == nil; cur = l.stageNamed(cur.image, cur.index) {
		for _, in := range cur.instrs {
			if in.kw == "USER" {
				last = in
			}
		}
	}
	if last != nil && (strings.Contains(last.text(), "$") || !isRoot(strings.TrimSpace(last.text()))) {
		return
	}
	var example string
	switch l.baseFamily(final) {
	case "alpine":
		example = "RUN adduser -D app\nUSER app"
	case "scratch":
		example = "USER 65534:65534"
	default:
		example = "RUN useradd --create-home app\nUSER app"
	}
	why := "Si no dices otra cosa, el proceso principal del contenedor corre como root. Si alguien lo ataca (o tu programa borra lo que no debe), lo hace con todos los permisos dentro del contenedor, y más cerca de tu máquina. Un usuario sin privilegios limita el daño."
	fix := "Crea un usuario sin privilegios y pon `USER` antes de `CMD`/`ENTRYPOINT` (lo que necesite root, como instalar paquetes, va antes del `USER`)."
	if last != nil {
		l.add(ruleRootUser, last, finding{
			message: fmt.Sprintf("%s deja la imagen corriendo como root", code("USER "+strings.TrimSpace(last.text()))),
			why:     why,
			fix:     fix,
			example: example,
		})
		return
	}
	l.add(ruleRootUser, final.from, finding{
		message: "La imagen final no tiene `USER`: su proceso correrá como root",
		why:     why,
		fix:     fix + " Con `bolsillo exec -u root` podrás seguir entrando como root cuando lo necesites.",
		example: example,
	})
}

// sshPackages and supervisorPackages are packages that start a second
// service inside the container.
var (
	sshPackages        = map[string]bool{"openssh-server": true, "openssh": true, "dropbear": true, "ssh": true}
	supervisorPackages = map[string]bool{"supervisor": true, "supervisord": true, "runit": true, "s6": true}
)

// checkServices: BP050 ssh, BP051 supervisord, BP052 several daemons.
func (l *linter) checkServices() {
	for _, in := range l.all {
		switch in.kw {
		case "RUN":
			for _, p := range runInstalls(in) {
				if !p.isInstall() {
					continue
				}
				for _, pkg := range p.pkgs {
					if sshPackages[pkg] {
						l.sshFinding(in, fmt.Sprintf("Se instala un servidor SSH (%s)", code(pkg)))
					}
					if supervisorPackages[pkg] {
						l.supervisorFinding(in, fmt.Sprintf("Se instala %s para llevar varios servicios", code(pkg)))
					}
				}
			}
		case "EXPOSE":
			for _, p := range in.args {
				if p == "22" || p == "22/tcp" {
					l.sshFinding(in, "Se expone el puerto 22, el de SSH")
				}
			}
		case "CMD", "ENTRYPOINT":
			cmds := in.commands()
			services := 0
			var background []string
			for _, c := range cmds {
				switch c.name() {
				case "sshd", "dropbear":
					l.sshFinding(in, fmt.Sprintf("%s arranca un servidor SSH", code(in.kw)))
				case "supervisord", "runsvdir", "s6-svscan":
					l.supervisorFinding(in, fmt.Sprintf("%s arranca %s", code(in.kw), code(c.name())))
				}
				if isServiceStart(c) {
					services++
				}
				if c.background() {
					background = append(background, strings.Join(c.words(), " "))
				}
			}
			if services == 0 && len(background) == 0 {
				continue
			}
			msg := fmt.Sprintf("%s arranca varios procesos", code(in.kw))
			if len(background) > 0 {
				msg = fmt.Sprintf("%s deja en segundo plano (con `&`) %s", code(in.kw), codeList(background))
			}
			fix := "Deja un solo proceso, en primer plano, en `CMD`. Cada servicio más va en su propio contenedor (por ejemplo, la base de datos con `bolsillo run -d --name db ...`), y se hablan por la red."
			if last := cmds[len(cmds)-1]; isKeepAlive(last) {
				fix += fmt.Sprintf(" El %s del final solo mantiene vivo el contenedor: quítalo y arranca el servicio en primer plano, como proceso principal.", code(strings.Join(last.words(), " ")))
			}
			l.add(ruleManyDaemons, in, finding{
				message: msg,
				why:     "Un contenedor gira alrededor de un proceso principal (PID 1): vive mientras ese proceso vive. Lo que arrancas con `service ... start` o con `&` queda fuera de su control: si se cae, el contenedor sigue «corriendo» como si nada, `bolsillo logs` no muestra su salida y `stop` no lo para con orden. Los apuntes lo dicen: un servicio por contenedor.",
				fix:     fix,
				example: foregroundExample(in, cmds),
			})
		}
	}
}

// foregroundCommands start common services in the foreground, as a
// container's main process must run.
var foregroundCommands = map[string][]string{
	"nginx":   {"nginx", "-g", "daemon off;"},
	"apache2": {"apache2ctl", "-D", "FOREGROUND"},
	"httpd":   {"httpd", "-D", "FOREGROUND"},
	"mysql":   {"mysqld"},
	"mariadb": {"mariadbd"},
	"cron":    {"cron", "-f"},
	"redis":   {"redis-server"},
}

// isKeepAlive reports whether c only keeps the container alive: tail -f,
// sleep infinity.
func isKeepAlive(c command) bool {
	w := c.words()
	switch c.name() {
	case "tail":
		return hasAny(w[1:], "-f", "-F")
	case "sleep":
		return len(w) > 1 && (w[1] == "infinity" || w[1] == "inf")
	}
	return false
}

// foregroundExample proposes the single foreground process of a CMD or
// ENTRYPOINT that starts several: its last command when that is a real
// program, or the foreground form of the one service it starts.
func foregroundExample(in *instruction, cmds []command) string {
	if len(cmds) == 0 {
		return ""
	}
	last := cmds[len(cmds)-1]
	if !isServiceStart(last) && !last.background() && !isKeepAlive(last) {
		return in.keyword + " " + jsonArray(last.words())
	}
	var started []string
	for _, c := range cmds {
		if isServiceStart(c) {
			w := c.words()
			name := w[0]
			if c.name() == "service" || c.name() == "rc-service" {
				name = w[1]
			} else if c.name() == "systemctl" && len(w) > 2 {
				name = w[2]
			}
			started = append(started, path.Base(name))
		}
	}
	if len(started) == 1 {
		if fg, ok := foregroundCommands[started[0]]; ok {
			return in.keyword + " " + jsonArray(fg)
		}
	}
	return ""
}

// isServiceStart reports whether c starts a daemon the init-system way.
func isServiceStart(c command) bool {
	w := c.words()
	if len(w) == 0 {
		return false
	}
	switch c.name() {
	case "service", "rc-service":
		return len(w) >= 3 && w[2] == "start"
	case "systemctl":
		return len(w) >= 2 && w[1] == "start"
	}
	return strings.HasPrefix(w[0], "/etc/init.d/") && len(w) >= 2 && w[1] == "start"
}

func (l *linter) sshFinding(in *instruction, message string) {
	l.add(ruleSSH, in, finding{
		message: message,
		why:     "Un contenedor no es una máquina virtual: no necesita SSH para entrar. Un servidor SSH es un segundo servicio que vigilar, con claves o contraseñas guardadas en la imagen, y rompe la regla de un servicio por contenedor.",
		fix:     "Quita el servidor SSH. Para entrar en un contenedor que corre, usa `bolsillo exec -it NOMBRE sh`; para copiar archivos, `bolsillo cp`.",
	})
}

func (l *linter) supervisorFinding(in *instruction, message string) {
	l.add(ruleSupervisor, in, finding{
		message: message,
		why:     "Un gestor de procesos dentro del contenedor sirve para llevar varios servicios en uno, y eso es justo lo que no se hace: el contenedor deja de depender de tu aplicación, sus logs se mezclan y no puedes escalar ni reiniciar un servicio sin los otros.",
		fix:     "Un servicio por contenedor: cada programa en su propia imagen (o la misma imagen con otro `CMD`), cada uno con su `bolsillo run -d`. Para reinicios automáticos, `bolsillo run --restart on-failure`.",
	})
}

// shellMeta are the characters that make a command line need a shell to
// mean the same.
const shellMeta = "$*?~`<>\\'\""

// checkCmd: BP060 shell form, BP061 repeated CMD/ENTRYPOINT.
func (l *linter) checkCmd() {
	for _, s := range l.stages {
		lastOf := map[string]*instruction{}
		for _, in := range s.instrs {
			if in.kw == "CMD" || in.kw == "ENTRYPOINT" {
				lastOf[in.kw] = in
			}
		}
		for _, in := range s.instrs {
			if in.kw != "CMD" && in.kw != "ENTRYPOINT" {
				continue
			}
			if last := lastOf[in.kw]; last != in {
				l.add(ruleRepeated, in, finding{
					message: fmt.Sprintf("Hay otro %s más abajo (línea %d): este no cuenta", code(in.kw), last.line),
					why:     fmt.Sprintf("Una imagen tiene un solo %s: cada %s reemplaza al anterior, y solo vale el último de la etapa. Este no se ejecutará nunca, y quien lea el Dockerfile puede creer que sí.", code(in.kw), code(in.kw)),
					fix:     fmt.Sprintf("Borra esta línea y deja solo el %s de la línea %d. Si necesitas varios comandos, júntalos en un script y ejecuta el script.", code(in.kw), last.line),
				})
			}
			if in.json || len(in.args) == 0 {
				continue
			}
			text := strings.TrimSpace(in.text())
			cmds := splitCommands(text)
			var example string
			switch {
			case len(cmds) == 1 && !strings.ContainsAny(text, shellMeta):
				example = in.keyword + " " + jsonArray(cmds[0].args)
			case len(cmds) == 1:
				example = in.keyword + " " + jsonArray([]string{"sh", "-c", "exec " + text})
			case foregroundExample(in, cmds) != "" && (len(cmds) > 1 && (isServiceStart(cmds[0]) || cmds[0].background())):
				example = foregroundExample(in, cmds)
			default:
				example = in.keyword + " " + jsonArray([]string{"sh", "-c", text})
			}
			l.add(ruleShellForm, in, finding{
				message: fmt.Sprintf("%s en forma shell", code(in.kw)),
				why:     fmt.Sprintf("Escrito así, Docker ejecuta %s: el proceso principal (PID 1) es el shell, no tu programa. `bolsillo stop` envía SIGTERM al shell, que no suele pasársela a tu programa; tras 10 segundos llega SIGKILL y tu programa muere sin cerrar bien. Además, en forma shell los argumentos de `bolsillo run IMAGEN ...` no se añaden a un `ENTRYPOINT`.", code("/bin/sh -c "+jsonString(text))),
				fix:     "Escríbelo en forma JSON (exec): una lista con el programa y cada argumento entre comillas dobles. Si de verdad necesitas el shell (variables, `&&`), usa `sh -c` con `exec` delante del último comando para que tu programa pase a ser el PID 1.",
				example: example,
			})
		}
	}
}

// exampleTags are tags to suggest for common base images. They are
// examples: the fix tells the student to pin the version they tested.
var exampleTags = map[string]string{
	"busybox": "1.37", "alpine": "3.22", "debian": "bookworm-slim", "ubuntu": "24.04",
	"python": "3.13-slim", "node": "22-alpine", "nginx": "1.29-alpine", "golang": "1.26",
	"httpd": "2.4", "postgres": "17", "redis": "8", "mysql": "8.4", "eclipse-temurin": "21-jre",
}

// checkFrom: BP070 unpinned base, BP071 stage name casing, BP072 FROM/AS casing.
func (l *linter) checkFrom() {
	for _, s := range l.stages {
		in := s.from
		img := s.image
		if img != "" && !strings.EqualFold(img, "scratch") && !strings.ContainsAny(img, "$@") && l.stageNamed(img, s.index) == nil {
			name, tag := splitTag(img)
			if tag == "" || tag == "latest" {
				short := path.Base(name)
				suggest, known := exampleTags[short]
				if !known {
					suggest = "VERSION"
				}
				msg := fmt.Sprintf("%s sin etiqueta, así que es %s", code(img), code(name+":latest"))
				if tag == "latest" {
					msg = fmt.Sprintf("%s usa la etiqueta `latest`", code(img))
				}
				fix := "Fija una etiqueta con la versión que probaste"
				if known {
					fix += fmt.Sprintf(" (%s es un ejemplo: mira las que hay en el registro)", code(suggest))
				}
				fix += "."
				if short == "busybox" {
					fix += " Sin internet, si solo tienes la `busybox:latest` de `bolsillo lab init`, dale tú un nombre fijo: `bolsillo tag busybox:latest busybox:curso` y usa `FROM busybox:curso`."
				}
				l.add(ruleFromTag, in, finding{
					message: msg,
					why:     "`latest` no es «la última versión»: es solo la etiqueta por defecto, y apunta a otra imagen cada vez que alguien publica una nueva. Tu Dockerfile construirá cosas distintas según el día y la máquina, y un cambio de versión de la base romperá tu imagen sin que tú cambies nada.",
					fix:     fix,
					example: strings.Replace(in.source, img, name+":"+suggest, 1),
				})
			}
		}
		if s.name != "" && s.name != strings.ToLower(s.name) {
			l.add(ruleStageCasing, in, finding{
				message: fmt.Sprintf("La etapa %s lleva mayúsculas", code(s.name)),
				why:     "Los nombres de etapa no distinguen mayúsculas: `COPY --from=Build` y `--from=build` son la misma. Escribirlos en minúsculas evita dudas, como los nombres de imagen, que siempre van en minúsculas.",
				fix:     "Escribe el nombre de la etapa en minúsculas (y así también en `COPY --from=` y `--target`).",
				example: replaceLastWord(in.source, s.name, strings.ToLower(s.name)),
			})
		}
		if len(in.args) >= 3 && strings.EqualFold(in.args[1], "AS") {
			kw, as := in.keyword, in.args[1]
			if isUpper(kw) != isUpper(as) {
				want := strings.ToUpper(as)
				if !isUpper(kw) {
					want = strings.ToLower(as)
				}
				l.add(ruleFromAsCasing, in, finding{
					message: fmt.Sprintf("%s y %s con distinta caja", code(kw), code(as)),
					why:     "Funciona igual, pero un Dockerfile se lee mejor con todas sus palabras clave en la misma caja; la costumbre es escribirlas en mayúsculas.",
					fix:     fmt.Sprintf("Escribe %s como %s.", code(as), code(want)),
					example: regexp.MustCompile(`(?i)(\s)as(\s)`).ReplaceAllString(in.source, "${1}"+want+"${2}"),
				})
			}
		}
	}
}

// splitTag splits "name:tag", ignoring a registry port.
func splitTag(ref string) (name, tag string) {
	slash := strings.LastIndexByte(ref, '/')
	if i := strings.LastIndexByte(ref, ':'); i > slash {
		return ref[:i], ref[i+1:]
	}
	return ref, ""
}

func isUpper(s string) bool {
	return s == strings.ToUpper(s)
}

// replaceLastWord replaces the last occurrence of old in s.
func replaceLastWord(s, old, repl string) string {
	i := strings.LastIndex(s, old)
	if i < 0 {
		return ""
	}
	return s[:i] + repl + s[i+len(old):]
}

var reLeadingCd = lazyRegexp(`^\s*cd\s+("[^"]*"|'[^']*'|\S+)\s*&&\s*`)

// checkWorkdir: BP080 cd in RUN, BP081 relative WORKDIR.
func (l *linter) checkWorkdir() {
	for _, s := range l.stages {
		workdir := l.inheritedWorkdir(s)
		for _, in := range s.instrs {
			switch in.kw {
			case "WORKDIR":
				dir := strings.TrimSpace(in.text())
				switch {
				case strings.HasPrefix(dir, "/") || strings.Contains(dir, "$") || (len(dir) > 1 && dir[1] == ':'):
					workdir = dir
				case workdir != "":
					workdir = path.Join(workdir, dir)
				default:
					l.add(ruleRelativeWorkdir, in, finding{
						message: fmt.Sprintf("`WORKDIR %s` es relativo", dir),
						why:     fmt.Sprintf("Una ruta relativa parte del `WORKDIR` de la imagen base, que tú no controlas: hoy puede ser `/` y mañana, con otra versión de la base, otra carpeta. Tus archivos acabarían en otro sitio sin que cambies nada."),
						fix:     "Usa una ruta absoluta, que empiece por `/`.",
						example: "WORKDIR /" + strings.TrimPrefix(dir, "./"),
					})
					workdir = "/" + dir
				}
			case "RUN":
				if in.json {
					continue
				}
				for _, c := range in.commands() {
					if c.name() != "cd" {
						continue
					}
					example := ""
					text := collapseSpaces(in.text())
					if m := reLeadingCd().FindStringSubmatch(text); m != nil {
						dir := strings.Trim(m[1], `"'`)
						if !strings.HasPrefix(dir, "/") && workdir != "" && !strings.Contains(workdir, "$") {
							dir = path.Join(workdir, dir)
						}
						example = "WORKDIR " + dir + "\n" + continued(in.keyword, splitOutsideQuotes(text[len(m[0]):], "&&"))
					}
					l.add(ruleRunCd, in, finding{
						message: "`cd` dentro de `RUN`",
						why:     "Cada `RUN` corre en un shell nuevo: el `cd` solo vale hasta el final de ese `RUN`, y las instrucciones siguientes (`COPY`, `CMD`, otro `RUN`) vuelven a la carpeta de antes. `WORKDIR` cambia la carpeta de trabajo para todo lo que sigue, también para el contenedor.",
						fix:     "Usa `WORKDIR` con la carpeta y quita el `cd` del `RUN`.",
						example: example,
					})
					break
				}
			}
		}
	}
}

// inheritedWorkdir is the WORKDIR a stage starts with when its base is an
// earlier stage.
func (l *linter) inheritedWorkdir(s *stage) string {
	parent := l.stageNamed(s.image, s.index)
	if parent == nil {
		return ""
	}
	dir := l.inheritedWorkdir(parent)
	for _, in := range parent.instrs {
		if in.kw == "WORKDIR" {
			d := strings.TrimSpace(in.text())
			if strings.HasPrefix(d, "/") || dir == "" {
				dir = d
			} else {
				dir = path.Join(dir, d)
			}
		}
	}
	return dir
}

// editors wait for a keyboard that a build does not have.
var editors = map[string]bool{"vi": true, "vim": true, "nano": true, "emacs": true, "pico": true, "joe": true, "mcedit": true, "ed": false}

// checkInteractive: BP090 commands that wait for the keyboard.
func (l *linter) checkInteractive() {
	for _, s := range l.stages {
		family := l.baseFamily(s)
		for _, in := range s.instrs {
			if in.kw != "RUN" {
				continue
			}
			cmds := in.commands()
			for i, c := range cmds {
				w := c.words()
				if len(w) == 0 {
					continue
				}
				piped := i > 0 && cmds[i-1].op == "|"
				var message, fix, example string
				switch name := c.name(); {
				case name == "read" && !piped && !strings.Contains(strings.ReplaceAll(in.text(), "<<", ""), "<"):
					message = "`read` espera una respuesta del teclado"
					fix = "Pasa el valor como `ARG` (con `bolsillo build --build-arg NOMBRE=valor`) o como `ENV`, en lugar de preguntarlo."
					example = "ARG NOMBRE=valor"
					if len(w) > 1 && !strings.HasPrefix(w[len(w)-1], "-") {
						example = "ARG " + w[len(w)-1] + "=valor"
					}
				case editors[name] && !hasAny(w[1:], "--version", "-es", "-E", "-s"):
					message = fmt.Sprintf("%s es un editor interactivo", code(name))
					fix = "Para crear o cambiar archivos en una construcción usa `COPY` (el archivo ya escrito en tu contexto), `echo ... > archivo` o `sed -i`."
					example = "COPY archivo.conf /ruta/archivo.conf"
				case name == "passwd" && !piped && !hasPrefixAny(w[1:], "-"):
					message = "`passwd` pide la contraseña por teclado"
					fix = "Usa `chpasswd`, que la lee de una tubería. Mejor aún: no guardes contraseñas en la imagen; cualquiera con la imagen puede leerlas en su historial."
					user := "usuario"
					if len(w) > 1 {
						user = w[1]
					}
					example = fmt.Sprintf("RUN echo '%s:CLAVE' | chpasswd", user)
				case name == "adduser" && !hasAny(w[1:], "-D", "--disabled-password", "--disabled-login", "-S", "--system"):
					message = "`adduser` va a pedir una contraseña por teclado"
					user := "app"
					if len(w) > 1 && !strings.HasPrefix(w[len(w)-1], "-") {
						user = w[len(w)-1]
					}
					if family == "alpine" {
						fix = "Añade `-D` (sin contraseña): en BusyBox y Alpine, `adduser` pregunta la contraseña si no se lo dices."
						example = "RUN adduser -D " + user
					} else {
						fix = "Usa `useradd`, que no pregunta nada (o `adduser --disabled-password --gecos \"\"` en Debian y Ubuntu)."
						example = "RUN useradd --create-home " + user
					}
				default:
					continue
				}
				l.add(ruleInteractive, in, finding{
					message: message,
					why:     "Durante una construcción no hay teclado ni entrada estándar (stdin): un comando que pregunta algo se queda esperando o recibe el final de la entrada y falla, y `build` falla con él. Los apuntes lo avisan: los comandos de un Dockerfile, lo menos interactivos posible.",
					fix:     fix,
					example: example,
				})
			}
		}
	}
}

func hasAny(words []string, opts ...string) bool {
	for _, w := range words {
		for _, o := range opts {
			if w == o {
				return true
			}
		}
	}
	return false
}

func hasPrefixAny(words []string, prefix string) bool {
	for _, w := range words {
		if strings.HasPrefix(w, prefix) {
			return true
		}
	}
	return false
}
