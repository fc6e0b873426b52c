#!/usr/bin/env bash
# demo.sh BIN HOST DATA_ROOT — a short annotated tour of bolsillo on the real engine:
# the Spanish explanations appear on stderr after each command.
set -euo pipefail
bin=$1 host=$2 root=$3
here=$(cd "$(dirname "$0")" && pwd)
"$here/daemon.sh" start "$bin" "$host" "$root"

b() {
	printf '\n\033[1m$ bolsillo %s\033[0m\n' "$*"
	"$bin/bolsillo" -H "$host" "$@"
}

b version
b lab init
b images
b run --rm busybox echo hola
b run -d --name reloj -e TZ=UTC busybox sh -c 'while true; do date; sleep 1; done'
sleep 2
b ps
b logs --tail 2 reloj
b stop -t 1 reloj
b ps -a
b start reloj
b restart -t 1 reloj
b inspect --format '{{.State.Status}} {{.GraphDriver.Data.UpperDir}}' reloj
b rm -f reloj
b info --format '{{.DockerRootDir}}'
printf '\nbolsillod sigue corriendo en %s: prueba tú mismo, por ejemplo\n  %s/bolsillo run -it busybox sh\n(para detenerlo: sudo make stop-daemon)\n' "$host" "$bin"
