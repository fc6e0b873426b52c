package explain

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestError(t *testing.T) {
	const host = "unix:///run/bolsillo.sock"
	tests := []struct {
		name  string
		err   error
		title string   // the title line it must choose
		want  []string // names from the message that must reach the student
	}{
		{
			name:  "invalid_name",
			err:   errString("Error response from daemon: Invalid container name (mal nombre), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"),
			title: "# El nombre `mal nombre` no vale para un contenedor",
			want:  []string{"`--name mi_web`"},
		},
		{
			name:  "volume_name_path",
			err:   errString(`Error response from daemon: create web/html: "web/html" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`),
			title: "# `web/html` no es un nombre de volumen",
			want:  []string{"`-v \"$PWD\"/web/html:DESTINO`"},
		},
		{
			name:  "volume_name_spaces",
			err:   errString(`Error response from daemon: create mis datos: "mis datos" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`),
			title: "# `mis datos` no es un nombre de volumen",
			want:  []string{"`-v datos:/data`"},
		},
		{
			name:  "volume_name_short",
			err:   errString("Error response from daemon: create x: volume name is too short, names should be at least two alphanumeric characters"),
			title: "# `x` es un nombre de volumen demasiado corto",
			want:  []string{"`bolsillo volume create datos`"},
		},
		{
			name:  "commit_change",
			err:   errString("Error response from daemon: run is not a valid change command"),
			title: "# `RUN` no vale en `commit -c`",
			want:  []string{"`WORKDIR`", "`bolsillo exec`"},
		},
		{
			name:  "relative_workdir",
			err:   errString("Error response from daemon: the working directory 'app' is invalid, it needs to be an absolute path"),
			title: "# `app` no es una ruta absoluta",
			want:  []string{"`-w /app`"},
		},
		{
			name:  "user_not_found",
			err:   errString("Error response from daemon: unable to find user nadie: no matching entries in passwd file"),
			title: "# El usuario `nadie` no existe en la imagen",
			want:  []string{"`-u 1000`", "`RUN adduser -D nadie`"},
		},
		{
			name:  "group_not_found",
			err:   errString("Error response from daemon: unable to find group profes: no matching entries in group file"),
			title: "# El grupo `profes` no existe en la imagen",
			want:  []string{"`--group-add 10`", "`/etc/group`"},
		},
		{
			name:  "cpuset_not_available",
			err:   errString("Error response from daemon: Requested CPUs are not available - requested 9, available: 0-1"),
			title: "# Pediste CPU que esta máquina no tiene: `9`",
			want:  []string{"`0-1`", "`--cpuset-cpus 0`"},
		},
		{
			name:  "cpus_range",
			err:   errString("Error response from daemon: Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"),
			title: "# `--cpus` va de `0.01` a `2.00` en esta máquina",
			want:  []string{"`--cpus 0.5`", "aquí, 2."},
		},
		{
			name:  "memory_swap",
			err:   errString("Error response from daemon: Minimum memoryswap limit should be larger than memory limit, see usage"),
			title: "# `--memory-swap` tiene que ser mayor que `-m`",
			want:  []string{"`-m 64m --memory-swap 128m`", "`--memory-swap -1`"},
		},
		{
			name:  "port_not_published",
			err:   errString("no public port '80/tcp' published for web"),
			title: "# El puerto `80/tcp` de `web` no está publicado",
			want:  []string{"`bolsillo port web`", "`-p 8080:80`"},
		},
		{
			name:  "invalid_signal",
			err:   errString("Error response from daemon: Invalid signal: BOGUS"),
			title: "# `BOGUS` no es una señal",
			want:  []string{"`-s HUP`"},
		},
		{
			name:  "not_paused",
			err:   errString("Error response from daemon: Container 747d0115e630 is not paused"),
			title: "# El contenedor no está en pausa",
			want:  []string{"`bolsillo pause`"},
		},
		{
			name:  "volume_not_found",
			err:   errString("Error response from daemon: get datos: no such volume"),
			title: "# El volumen `datos` no existe",
			want:  []string{"`bolsillo volume create datos`"},
		},
		{
			name:  "volume_rm_not_found",
			err:   errString("Error response from daemon: remove nada: no such volume"),
			title: "# El volumen `nada` no existe",
			want:  []string{"`volume rm -f`"},
		},
		{
			name:  "push_no_local_image",
			err:   errString("Error response from daemon: An image does not exist locally with the tag: 127.0.0.1:5000/web"),
			title: "# No tienes ninguna imagen `127.0.0.1:5000/web`",
			want:  []string{"`bolsillo tag IMAGEN 127.0.0.1:5000/web`"},
		},
		{
			name:  "mount_path_relative",
			err:   errString(`Error response from daemon: invalid volume specification: '/tmp:data': invalid mount config for type "bind": invalid mount path: 'data' mount path must be absolute`),
			title: "# `data` no es una ruta absoluta",
			want:  []string{"`-v datos:/data`"},
		},
		{
			name:  "bind_source_missing",
			err:   errString(`Error response from daemon: invalid mount config for type "bind": bind source path does not exist: /srv/web`),
			title: "# `/srv/web` no existe en tu máquina",
			want:  []string{"`mkdir -p /srv/web`"},
		},
		{
			name:  "invalid_mode",
			err:   errString("Error response from daemon: invalid mode: zz"),
			title: "# `zz` no es un modo de montaje",
			want:  []string{"`-v datos:/data:ro`"},
		},
		{
			name:  "no_such_object",
			err:   errString("Error: No such object: fantasma"),
			title: "# No hay nada llamado `fantasma`",
			want:  []string{"`bolsillo volume ls`"},
		},
		{
			name:  "cp_output_dir_missing",
			err:   errString(`invalid output path: directory "/tmp/nada/dir" does not exist`),
			title: "# La carpeta `/tmp/nada/dir` no existe en tu máquina",
			want:  []string{"`mkdir -p /tmp/nada/dir`"},
		},
		{
			name:  "volume_driver",
			err:   errString(`Error response from daemon: error looking up volume plugin nfs: plugin "nfs" not found`),
			title: "# No hay ningún driver de volúmenes `nfs`",
			want:  []string{"`local`", "`-d nfs`"},
		},
		{
			name:  "mount_tmpfs",
			err:   errString(`Error response from daemon: mount type unknown: "tmpfs"`),
			title: "# bolsillo no monta `tmpfs`",
			want:  []string{"`type=bind`"},
		},
		{
			name:  "save_output_dir_missing",
			err:   errString(`failed to save image: invalid output path: directory "/tmp/nada" does not exist`),
			title: "# La carpeta `/tmp/nada` no existe en tu máquina",
			want:  []string{"`save -o`", "`mkdir -p /tmp/nada`"},
		},
		{
			name:  "cp_source_missing",
			err:   errString("lstat /tmp/noexiste: no such file or directory"),
			title: "# `/tmp/noexiste` no existe en tu máquina",
			want:  []string{"`ls`"},
		},
		{
			name:  "memory_too_small",
			err:   errString("Error response from daemon: Minimum memory limit allowed is 6MB"),
			title: "# Límite de memoria demasiado pequeño",
			want:  []string{"`6MB`", "`-m 64m`"},
		},
		{
			name:  "bad_cpuset",
			err:   errString("Error response from daemon: Invalid value 9-1 for cpuset cpus"),
			title: "# CPU no válidas: `9-1`",
			want:  []string{"`0-1`"},
		},
		{
			name:  "network_not_found",
			err:   errString("Error response from daemon: network mired not found"),
			title: "# La red `mired` no existe",
			want:  []string{"`bolsillo network ls`", "`none`"},
		},
		{
			name:  "bad_since",
			err:   errString(`failed to parse value as time or duration: "nonsense"`),
			title: "# `nonsense` no es una fecha ni una duración",
			want:  []string{"`10m`"},
		},
		{
			name:  "not_a_tty",
			err:   errString("the input device is not a TTY"),
			title: "# Tu entrada no es una terminal",
			want:  []string{"`-t`", "`echo hola | bolsillo run -i --rm busybox cat`"},
		},
		{
			name:  "ambiguous_prefix",
			err:   errString("Error response from daemon: multiple IDs found with provided prefix: 4"),
			title: "# El ID `4` es ambiguo",
			want:  []string{"`bolsillo ps -a`"},
		},
		{
			name:  "no_command",
			err:   errString("Error response from daemon: no command specified"),
			title: "# No hay ningún comando que ejecutar",
			want:  []string{"`CMD`"},
		},
		{
			name:  "no_such_container",
			err:   errString("Error response from daemon: No such container: web"),
			title: "# No existe el contenedor `web`",
			want:  []string{"`web`", "`bolsillo ps -a`"},
		},
		{
			name:  "no_such_image",
			err:   errString("Error response from daemon: No such image: busybox:latest"),
			title: "# No tienes la imagen `busybox:latest`",
			want:  []string{"`bolsillo pull busybox:latest`", "`bolsillo lab init`"},
		},
		{
			name:  "name_in_use",
			err:   errString(`Error response from daemon: Conflict. The container name "/web" is already in use by container "4b5e57f6eb2f42b9039b3d1e13929295f231749c510cbe341cd68036d9af97e2". You have to remove (or rename) that container to be able to reuse that name.`),
			title: "# El nombre `web` ya está en uso",
			want:  []string{"`4b5e57f6eb2f`", "`bolsillo rm web`", "`bolsillo rename web OTRO`"},
		},
		{
			name:  "remove_running",
			err:   errString(`Error response from daemon: cannot remove container "/web": container is running: stop the container before removing or force remove`),
			title: "# No se puede borrar un contenedor que está corriendo",
			want:  []string{"`bolsillo stop web`", "`bolsillo rm -f web`"},
		},
		{
			name:  "remove_running_docker",
			err:   errString("Error response from daemon: You cannot remove a running container fac7fbce92376d44eb1018330e1561fcfadcfc5648f58a53ccbfd35d6f7e17bd. Stop the container before attempting removal or force remove"),
			title: "# No se puede borrar un contenedor que está corriendo",
			want:  []string{"`bolsillo stop fac7fbce9237`", "`bolsillo rm -f fac7fbce9237`"},
		},
		{
			name:  "remove_running_short",
			err:   errString("container is running: stop the container before removing or force remove"),
			title: "# No se puede borrar un contenedor que está corriendo",
			want:  []string{"`bolsillo rm -f NOMBRE`"},
		},
		{
			name:  "not_running",
			err:   errString("Error response from daemon: container 4b5e57f6eb2f42b9039b3d1e13929295f231749c510cbe341cd68036d9af97e2 is not running"),
			title: "# El contenedor `4b5e57f6eb2f` no está corriendo",
			want:  []string{"`bolsillo start 4b5e57f6eb2f`"},
		},
		{
			name:  "executable_not_found",
			err:   errString(`Error response from daemon: failed to create task for container: OCI runtime create failed: runc create failed: unable to start container process: exec: "hola": executable file not found in $PATH: unknown`),
			title: "# No existe el comando `hola` en el contenedor",
			want:  []string{"127"},
		},
		{
			name:  "absolute_path_not_found",
			err:   errString(`unable to start container process: exec: "/bin/bash": stat /bin/bash: no such file or directory`),
			title: "# No existe el comando `/bin/bash` en el contenedor",
			want:  []string{"`/bin/bash`"},
		},
		{
			name:  "exec_permission_denied",
			err:   errString(`unable to start container process: exec: "/etc/passwd": permission denied`),
			title: "# `/etc/passwd` no se puede ejecutar",
			want:  []string{"126"},
		},
		{
			name:  "cannot_connect",
			err:   errString("Cannot connect to the Docker daemon at unix:///run/bolsillo.sock. Is the docker daemon running?"),
			title: "# No responde ningún daemon",
			want:  []string{"`unix:///run/bolsillo.sock`", "`sudo bolsillod`"},
		},
		{
			name:  "cannot_connect_socket_missing",
			err:   errString("failed to connect to the docker API at unix:///tmp/aula.sock; check if the path is correct and if the daemon is running: dial unix /tmp/aula.sock: connect: no such file or directory"),
			title: "# No responde ningún daemon",
			want:  []string{"`unix:///tmp/aula.sock`"},
		},
		{
			name:  "connection_refused_uses_host",
			err:   fmt.Errorf("pinging daemon: %w", errors.New("dial unix /run/bolsillo.sock: connect: connection refused")),
			title: "# No responde ningún daemon",
			want:  []string{"`" + host + "`"},
		},
		{
			name:  "socket_permission_denied",
			err:   errString("permission denied while trying to connect to the docker API at unix:///run/bolsillo.sock"),
			title: "# Sin permiso para hablar con el daemon",
			want:  []string{"`unix:///run/bolsillo.sock`", "`sudo`"},
		},
		{
			name:  "permission_denied",
			err:   errString("open /var/lib/bolsillo/image/index.json: permission denied"),
			title: "# Permiso denegado",
			want:  []string{"`sudo`"},
		},
		{
			name:  "invalid_reference",
			err:   errString("invalid reference format"),
			title: "# El nombre de la imagen no es válido",
			want:  []string{"`repositorio:tag`"},
		},
		{
			name:  "invalid_reference_uppercase",
			err:   errString("invalid reference format: repository name (library/BusyBox) must be lowercase"),
			title: "# El nombre de la imagen no es válido",
			want:  []string{"`library/BusyBox`"},
		},
		{
			name:  "image_in_use",
			err:   errString("Error response from daemon: conflict: unable to delete 75b28b301258 (must be forced) - image is being used by stopped container b221d9dbb083"),
			title: "# La imagen `75b28b301258` está en uso",
			want:  []string{"`b221d9dbb083`", "detenido", "`bolsillo rm -f b221d9dbb083`", "`bolsillo rmi 75b28b301258`"},
		},
		{
			name:  "file_not_in_container",
			err:   errString("Error response from daemon: Could not find the file /etc/nada in container web"),
			title: "# No existe `/etc/nada` en `web`",
			want:  []string{"corriendo y también parado"},
		},
		{
			name:  "pull_access_denied",
			err:   errString("Error response from daemon: pull access denied for noexiste, repository does not exist or may require 'docker login'"),
			title: "# El registro no tiene `noexiste`",
		},
		{
			name:  "offline",
			err:   errString(`Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host`),
			title: "# Sin conexión con el registro",
			want:  []string{"`bolsillo lab init`"},
		},
		{
			name:  "deadline",
			err:   errString("context deadline exceeded"),
			title: "# Se acabó el tiempo de espera",
		},
		{
			name:  "unknown",
			err:   errString("Error response from daemon: something entirely new\nwith two lines"),
			title: "# Algo falló",
			want:  []string{"`Error response from daemon: something entirely new with two lines`"},
		},
		{
			name:  "empty_message",
			err:   errString(""),
			title: "# Algo falló",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Error(tt.err, host)
			if title, _, _ := strings.Cut(got, "\n"); title != tt.title {
				t.Errorf("Error(%q) title = %q, want %q", tt.err, title, tt.title)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Error(%q) does not mention %q:\n%s", tt.err, w, got)
				}
			}
			if msg := oneLine(tt.err.Error()); !strings.Contains(got, msg) {
				t.Errorf("Error(%q) does not quote the original message:\n%s", tt.err, got)
			}
			assertGolden(t, got)
		})
	}
}

func TestErrorNil(t *testing.T) {
	if got := Error(nil, "unix:///run/bolsillo.sock"); got != "" {
		t.Errorf("Error(nil) = %q, want empty", got)
	}
}

func TestCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"web", "`web`"},
		{"", "``"},
		{"a`b", "`` a`b ``"},
		{"a``b`", "``` a``b` ```"},
	}
	for _, tt := range tests {
		if got := code(tt.in); got != tt.want {
			t.Errorf("code(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	tests := []struct {
		name        string
		command     string
		suggestions []string
	}{
		{"one_suggestion", "exce", []string{"exec"}},
		{"two_suggestions", "star", []string{"start", "stats"}},
		{"none", "ejecuta", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, UnknownCommand(tt.command, tt.suggestions)) })
	}
}

func TestUnknownSubcommand(t *testing.T) {
	tests := []struct {
		name        string
		group       string
		command     string
		suggestions []string
		available   []string
	}{
		{"suggestion", "volume", "lss", []string{"volume ls"}, []string{"create", "inspect", "ls", "prune", "rm"}},
		{"network_create", "network", "create", nil, []string{"inspect", "ls"}},
		{"none", "image", "borra", nil, []string{"ls", "rm"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertGolden(t, UnknownSubcommand(tt.group, tt.command, tt.suggestions, tt.available))
		})
	}
}
