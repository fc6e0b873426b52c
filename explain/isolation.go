package explain

import (
	"regexp"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/container"
)

// The kernel's refusals as programs print them (strerror of EROFS, EPERM,
// EACCES), and busybox's own wording of EACCES.
const (
	msgReadOnly   = "read-only file system"
	msgNotPermit  = "operation not permitted"
	msgPermission = "permission denied"
	msgAreYouRoot = "are you root?" // busybox's hint after an EPERM
)

// isolationItems adds to md, for a container whose program ended with an
// error (exit codes 1 to 124), which isolation may have stopped it. With
// logs (the last lines it wrote) it names the refusal the kernel gave;
// without them it lists what its HostConfig took away, so the student can
// match it with the error they saw.
func isolationItems(md *doc, c container.InspectResponse, exitCode int, logs []string) {
	if exitCode < 1 || exitCode > 124 || c.HostConfig == nil {
		return
	}
	hc := c.HostConfig
	text := strings.ToLower(strings.Join(logs, "\n"))
	user := ""
	if c.Config != nil {
		user = c.Config.User
	}
	seen := len(logs) > 0
	switch {
	case strings.Contains(text, msgReadOnly) && hc.ReadonlyRootfs:
		md.item("%s", readOnlyRootfsSentence(true))
	case strings.Contains(text, msgReadOnly):
		md.item("«Read-only file system» sin `--read-only`: intentó escribir en %s o %s, que Docker monta de solo lectura para que un contenedor no cambie la configuración del kernel del anfitrión.", code("/proc/sys"), code("/sys"))
	case !seen && hc.ReadonlyRootfs:
		md.item("%s", readOnlyRootfsSentence(false))
	}
	switch {
	case strings.Contains(text, msgPermission) && len(hc.CapDrop) > 0:
		md.item("«Permission denied» con %s: %s", code("--cap-drop "+strings.Join(capNames(hc.CapDrop), ",")), capDropMeaning(hc.CapDrop))
	case strings.Contains(text, msgNotPermit) || strings.Contains(text, msgAreYouRoot):
		md.item("%s", notPermittedSentence(hc, true))
	case strings.Contains(text, msgPermission) && user != "" && user != "root" && user != "0":
		md.item("«Permission denied»: corre como el usuario %s (`--user`), no como root, y ese usuario no tiene permiso sobre el archivo.", code(user))
	case !seen && (len(hc.CapDrop) > 0 || hasSecurityOpt(hc, "seccomp") || hc.Privileged):
		md.item("%s", notPermittedSentence(hc, false))
	}
	if !seen && noNewPrivileges(hc) {
		md.item("Con %s, un programa setuid (como `su` o `sudo`) no gana privilegios: si tu comando los necesitaba, falla con «Operation not permitted» o «Permission denied».", code("--security-opt no-new-privileges"))
	}
}

// readOnlyRootfsSentence explains --read-only; seen tells whether the
// container's own output shows the refusal.
func readOnlyRootfsSentence(seen bool) string {
	lead := "Si el error dice «Read-only file system», es `--read-only`"
	if seen {
		lead = "«Read-only file system» es `--read-only`"
	}
	return lead + ": el sistema de archivos raíz del contenedor, capa de escritura incluida, se monta de solo lectura. Escribe en un volumen (" + code("-v datos:/ruta") + "), o quita `--read-only`."
}

// notPermittedSentence explains EPERM: root inside a container lacks most of
// root's capabilities, and the seccomp profile blocks some calls outright.
func notPermittedSentence(hc *container.HostConfig, seen bool) string {
	lead := "Si el error dice «Operation not permitted» (o «Permission denied» siendo root), el kernel se negó"
	if seen {
		lead = "El kernel se negó («Operation not permitted»)"
	}
	var b strings.Builder
	b.WriteString(lead)
	if hc.Privileged {
		b.WriteString(", y eso que con `--privileged` el contenedor tiene todas las capabilities y ningún filtro seccomp: lo que falló no depende del aislamiento de Docker.")
		return b.String()
	}
	b.WriteString(": dentro del contenedor eres root, pero sin la mayoría de las capabilities de root")
	if len(hc.CapDrop) > 0 {
		b.WriteString(" (y tú quitaste " + codeList(capNames(hc.CapDrop)) + " con `--cap-drop`)")
	}
	switch seccomp := securityOptValue(hc, "seccomp"); {
	case seccomp == "unconfined":
		b.WriteString("; el filtro seccomp está quitado (`seccomp=unconfined`), así que fue una capability.")
	case seccomp != "":
		b.WriteString(", y tu perfil seccomp bloquea las llamadas al sistema que no permite.")
	default:
		b.WriteString(", y el perfil seccomp de Docker bloquea llamadas al sistema como `mount`, cargar módulos del kernel o cambiar la hora.")
	}
	b.WriteString(" Si de verdad lo necesitas, añade solo esa capability con " + code("--cap-add") + " (por ejemplo " + code("--cap-add SYS_ADMIN") + " para montar); `--privileged` quita todo el aislamiento.")
	return b.String()
}

// capDropMeaning says what the dropped capabilities stop.
func capDropMeaning(drops []string) string {
	names := capNames(drops)
	switch {
	case slices.Contains(names, "ALL"):
		return "le quitaste todas las capabilities, así que ni siendo root puede cambiar dueños, abrir sockets crudos ni saltarse permisos de archivos."
	case slices.Contains(names, "NET_RAW"):
		return "sin `NET_RAW` no puede abrir sockets crudos, los que usa `ping`."
	}
	return "root dentro del contenedor ya no tiene " + codeList(names) + "."
}

// capNames returns capabilities without the CAP_ prefix, as students type
// them.
func capNames(caps []string) []string {
	out := make([]string, 0, len(caps))
	for _, c := range caps {
		out = append(out, strings.TrimPrefix(strings.ToUpper(c), "CAP_"))
	}
	return out
}

// securityOptValue returns the value of --security-opt key (key=value or
// key:value), or "".
func securityOptValue(hc *container.HostConfig, key string) string {
	for _, o := range hc.SecurityOpt {
		for _, sep := range []string{"=", ":"} {
			if v, ok := strings.CutPrefix(o, key+sep); ok {
				return v
			}
		}
	}
	return ""
}

func hasSecurityOpt(hc *container.HostConfig, key string) bool {
	return securityOptValue(hc, key) != ""
}

func noNewPrivileges(hc *container.HostConfig) bool {
	if slices.Contains(hc.SecurityOpt, "no-new-privileges") {
		return true
	}
	v := securityOptValue(hc, "no-new-privileges")
	return v == "true" || v == "1"
}

// isolationErrorRules explain the daemon's refusals of isolation flags.
func isolationErrorRules() []errorRule {
	return []errorRule{
		{
			re: regexp.MustCompile(`(?i)unknown capability: "?([^"\s]+)"?`),
			explain: func(m []string, _ string) (string, []string) {
				return "No existe la capability " + code(m[1]), []string{
					"El kernel no tiene ninguna capability llamada " + code(m[1]) + ".",
					"Escribe su nombre con o sin `CAP_` (" + code("NET_ADMIN") + " o " + code("CAP_NET_ADMIN") + "), o `ALL` para todas; `man 7 capabilities` las lista.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)seccomp is not enabled in (?:your kernel|this daemon)`),
			explain: func(_ []string, _ string) (string, []string) {
				return "Este daemon no aplica perfiles seccomp", []string{
					"El daemon se compiló sin seccomp, así que no puede usar tu perfil.",
					"Compílalo con `make build` (usa `-tags seccomp`), o quita `--security-opt seccomp=...`.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)invalid seccomp profile: (.+)`),
			explain: func(m []string, _ string) (string, []string) {
				return "El perfil seccomp no es válido", []string{
					"El daemon no entiende tu perfil: " + code(oneLine(m[1])) + ".",
					"Un perfil necesita al menos " + code(`"defaultAction"`) + "; parte del de Docker (`profiles/seccomp/default.json` en moby) o usa `--security-opt seccomp=unconfined` para quitar el filtro.",
				}
			},
		},
		{
			re: regexp.MustCompile(`(?i)invalid --security-opt \d: "([^"]*)"`),
			explain: func(m []string, _ string) (string, []string) {
				return "Opción de seguridad desconocida: " + code(m[1]), []string{
					"El daemon no entiende " + code("--security-opt "+m[1]) + ".",
					"Las que entiende: " + codeList([]string{"no-new-privileges", "seccomp=unconfined", "seccomp=perfil.json"}) + ".",
				}
			},
		},
	}
}
