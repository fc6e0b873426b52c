package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/spf13/pflag"
)

// memBytes is a memory size flag ("512m", "1g") parsed with go-units like
// docker's -m. Its Set error keeps docker's wording; flagHint explains it.
type memBytes int64

func (m *memBytes) Set(s string) error {
	n, err := units.RAMInBytes(s)
	if err != nil {
		return err
	}
	*m = memBytes(n)
	return nil
}

func (m *memBytes) String() string {
	if *m == 0 {
		return "0"
	}
	return units.BytesSize(float64(*m))
}

func (m *memBytes) Type() string { return "bytes" }

// containerFlags are the flags shared by run and create.
type containerFlags struct {
	detach      bool
	autoRemove  bool
	interactive bool
	tty         bool
	name        string
	env         []string
	envFiles    []string
	workdir     string
	user        string
	groupAdd    []string
	entrypoint  string
	hostname    string
	memory      memBytes
	cpusetCPUs  string
	network     string
	labels      []string
	resources   resourceFlags // --memory-swap, --cpus, --pids-limit (update.go)
	privileged  bool
	capAdd      []string
	capDrop     []string
	securityOpt []string
	readOnly    bool
}

// addContainerFlags registers the flags of run and create on fl.
func addContainerFlags(fl *pflag.FlagSet, o *containerFlags) {
	fl.SetInterspersed(false)
	fl.BoolVar(&o.autoRemove, "rm", false, "Borra el contenedor cuando termine")
	fl.StringVar(&o.name, "name", "", "Nombre del contenedor")
	fl.StringArrayVarP(&o.env, "env", "e", nil, "Variable de entorno (NOMBRE=valor)")
	fl.StringArrayVar(&o.envFiles, "env-file", nil, "Lee variables de entorno de un archivo")
	fl.BoolVarP(&o.interactive, "interactive", "i", false, "Mantiene abierta la entrada estándar (STDIN)")
	fl.BoolVarP(&o.tty, "tty", "t", false, "Asigna una terminal (TTY)")
	fl.StringVarP(&o.workdir, "workdir", "w", "", "Directorio de trabajo dentro del contenedor")
	fl.StringVarP(&o.user, "user", "u", "", "Usuario (nombre|uid[:grupo|gid])")
	fl.StringArrayVar(&o.groupAdd, "group-add", nil, "Grupo más para el proceso (nombre o GID)")
	fl.StringVar(&o.entrypoint, "entrypoint", "", "Reemplaza el ENTRYPOINT de la imagen")
	fl.StringVarP(&o.hostname, "hostname", "h", "", "Nombre de host del contenedor")
	fl.VarP(&o.memory, "memory", "m", "Límite de memoria (por ejemplo 512m)")
	fl.StringVar(&o.cpusetCPUs, "cpuset-cpus", "", "CPU permitidas (0-3, 0,1)")
	fl.StringVar(&o.network, "network", "", "Red del contenedor (none, host o bridge)")
	fl.StringArrayVarP(&o.labels, "label", "l", nil, "Etiqueta de metadatos (clave=valor)")
	addRunResourceFlags(fl, &o.resources)
	fl.BoolVar(&o.privileged, "privileged", false, "Quita el aislamiento: todas las capabilities y dispositivos, sin seccomp")
	fl.StringArrayVar(&o.capAdd, "cap-add", nil, "Añade una capability del kernel (NET_ADMIN, SYS_TIME, ALL...)")
	fl.StringArrayVar(&o.capDrop, "cap-drop", nil, "Quita una capability del kernel (NET_RAW, CHOWN, ALL...)")
	fl.StringArrayVar(&o.securityOpt, "security-opt", nil, "Opción de seguridad (no-new-privileges, seccomp=unconfined, seccomp=perfil.json)")
	fl.BoolVar(&o.readOnly, "read-only", false, "Monta el sistema de archivos raíz del contenedor como solo lectura")
}

// containerSpec is what create sends: the parsed flags as API types.
type containerSpec struct {
	Name       string
	Config     *container.Config
	HostConfig *container.HostConfig
}

// parseContainerFlags turns the flags and positional arguments
// (IMAGE [COMMAND] [ARG...]) into a create request, like docker's parse.
// entrypointSet tells whether --entrypoint was given (even empty); lookupEnv
// resolves -e NAME without a value from the client's environment.
func parseContainerFlags(o *containerFlags, args []string, entrypointSet bool, lookupEnv func(string) (string, bool), readFile func(string) ([]byte, error)) (*containerSpec, error) {
	if len(args) == 0 {
		return nil, invalidFlag("Falta la imagen. Uso: `bolsillo run [OPCIONES] IMAGEN [COMANDO] [ARG...]`.",
			fmt.Errorf("requires at least 1 argument"))
	}
	env, err := readEnv(o.envFiles, o.env, lookupEnv, readFile)
	if err != nil {
		return nil, err
	}
	labels := map[string]string{}
	for _, l := range o.labels {
		k, v, _ := strings.Cut(l, "=")
		if k == "" {
			return nil, invalidFlag(fmt.Sprintf("La etiqueta %q no tiene nombre: usa `-l clave=valor`.", l),
				fmt.Errorf("invalid label format: %q", l))
		}
		labels[k] = v
	}
	if o.memory < 0 {
		return nil, invalidFlag("El límite de memoria no puede ser negativo.", fmt.Errorf("invalid memory %d", o.memory))
	}
	if err := validateCpuset(o.cpusetCPUs); err != nil {
		return nil, err
	}
	securityOpt, err := parseSecurityOpts(o.securityOpt, readFile)
	if err != nil {
		return nil, err
	}

	cfg := &container.Config{
		Hostname:     o.hostname,
		User:         o.user,
		Tty:          o.tty,
		OpenStdin:    o.interactive,
		AttachStdin:  o.interactive,
		AttachStdout: true,
		AttachStderr: true,
		Env:          env,
		Image:        args[0],
		WorkingDir:   o.workdir,
		Labels:       labels,
	}
	if len(args) > 1 {
		cfg.Cmd = append([]string(nil), args[1:]...)
	}
	if o.entrypoint != "" {
		cfg.Entrypoint = []string{o.entrypoint}
	} else if entrypointSet {
		cfg.Entrypoint = []string{""}
	}
	if cfg.OpenStdin && cfg.AttachStdin {
		cfg.StdinOnce = true
	}
	network := o.network
	if network == "" {
		network = "default"
	}
	hc := &container.HostConfig{
		AutoRemove:     o.autoRemove,
		NetworkMode:    container.NetworkMode(network),
		Privileged:     o.privileged,
		CapAdd:         o.capAdd,
		CapDrop:        o.capDrop,
		SecurityOpt:    securityOpt,
		ReadonlyRootfs: o.readOnly,
		GroupAdd:       o.groupAdd,
		Resources: container.Resources{
			Memory:     int64(o.memory),
			CpusetCpus: o.cpusetCPUs,
		},
	}
	o.resources.apply(hc)
	return &containerSpec{Name: o.name, Config: cfg, HostConfig: hc}, nil
}

// parseSecurityOpts prepares --security-opt values as docker does: the
// daemon cannot read the client's files, so seccomp=FILE is sent as
// seccomp=<the file's JSON>. Everything else goes as typed; the daemon
// validates it.
func parseSecurityOpts(opts []string, readFile func(string) ([]byte, error)) ([]string, error) {
	var out []string
	for _, opt := range opts {
		key, value, ok := strings.Cut(opt, "=")
		if !ok {
			key, value, ok = strings.Cut(opt, ":")
		}
		if !ok || key != "seccomp" || value == "unconfined" {
			out = append(out, opt)
			continue
		}
		data, err := readFile(value)
		if err != nil {
			return nil, invalidFlag(fmt.Sprintf("No pude leer el perfil de seccomp `%s`. Revisa la ruta, o usa `--security-opt seccomp=unconfined` para quitar el filtro.", value),
				fmt.Errorf("opening seccomp profile (%s) failed: %w", value, err))
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			return nil, invalidFlag(fmt.Sprintf("El perfil de seccomp `%s` no es JSON válido: %v.", value, err),
				fmt.Errorf("compacting json for seccomp profile (%s) failed: %w", value, err))
		}
		out = append(out, "seccomp="+compact.String())
	}
	return out, nil
}

// validateCpuset checks the "0-3,5" syntax of --cpuset-cpus.
func validateCpuset(s string) error {
	if s == "" {
		return nil
	}
	bad := invalidFlag(fmt.Sprintf("`--cpuset-cpus %s` no es válido: escribe números de CPU desde 0, separados por comas o en rangos (por ejemplo `0`, `0,1` o `0-2`).", s),
		fmt.Errorf("invalid value %s for cpuset cpus", s))
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		if !isDigits(lo) || (isRange && !isDigits(hi)) {
			return bad
		}
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// readEnv merges --env-file files and then -e values, like docker: a name
// without "=" takes its value from the client's environment when set there.
func readEnv(files, values []string, lookupEnv func(string) (string, bool), readFile func(string) ([]byte, error)) ([]string, error) {
	var env []string
	for _, name := range files {
		data, err := readFile(name)
		if err != nil {
			return nil, invalidFlag(fmt.Sprintf("No pude leer el archivo de variables `%s`. Revisa la ruta.", name), err)
		}
		lines, err := parseEnvFile(name, data, lookupEnv)
		if err != nil {
			return nil, err
		}
		env = append(env, lines...)
	}
	for _, v := range values {
		e, err := expandEnv(v, lookupEnv)
		if err != nil {
			return nil, err
		}
		env = append(env, e)
	}
	return env, nil
}

// expandEnv validates one -e value.
func expandEnv(v string, lookupEnv func(string) (string, bool)) (string, error) {
	k, _, hasValue := strings.Cut(v, "=")
	if k == "" {
		return "", invalidFlag(fmt.Sprintf("La variable de entorno %q no tiene nombre: usa `-e NOMBRE=valor`.", v),
			fmt.Errorf("invalid environment variable: %s", v))
	}
	if hasValue {
		return v, nil
	}
	if val, ok := lookupEnv(k); ok {
		return k + "=" + val, nil
	}
	return v, nil
}

// parseEnvFile reads NAME=value lines; empty lines and # comments are skipped.
func parseEnvFile(name string, data []byte, lookupEnv func(string) (string, bool)) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimLeftFunc(sc.Text(), unicode.IsSpace)
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, _, _ := strings.Cut(line, "=")
		if strings.ContainsFunc(k, unicode.IsSpace) || k == "" {
			return nil, invalidFlag(fmt.Sprintf("La línea %d de `%s` no es una variable válida: usa `NOMBRE=valor` sin espacios en el nombre.", n, name),
				fmt.Errorf("variable '%s' contains whitespaces", k))
		}
		e, err := expandEnv(line, lookupEnv)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading env file %s: %w", name, err)
	}
	return out, nil
}

// osEnv adapts the process environment for parseContainerFlags.
var osEnv = os.LookupEnv
