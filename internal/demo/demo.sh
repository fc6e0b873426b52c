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

# Imágenes propias: un Dockerfile, capas, caché e historial.
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
printf 'hola desde el contexto\n' >"$ctx/hola.txt"
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM busybox
ENV SALUDO=hola
WORKDIR /app
COPY hola.txt .
RUN echo "construido" > /app/info.txt
CMD ["cat", "/app/info.txt"]
DOCKERFILE
b build -t demo/web:1 "$ctx"
b run --rm demo/web:1
b history demo/web:1

# Dentro de un contenedor: exec, cp, diff y commit.
b run -d --name caja demo/web:1 sleep 1000
b exec -u estudiante caja id
b cp "$ctx/hola.txt" caja:/tmp/copiado.txt
b diff caja
b commit -m "con copiado.txt" caja demo/web:2
b rm -f caja
b rmi demo/web:2 demo/web:1
# El curso entero, solo: cada lección en modo automático sobre un daemon nuevo,
# con su propio directorio raíz de datos, carpeta de trabajo y progreso.
course=$(mktemp -d /tmp/bolsillo-curso-XXXXXX)
course_host="unix://$course/api.sock"
"$bin/bolsillod" --data-root "$course/root" --host "$course_host" >"$course/bolsillod.log" 2>&1 &
course_pid=$!
# With set -e a failing command in the trap would turn the exit status into 1.
trap 'kill -TERM "$course_pid" 2>/dev/null || true; wait "$course_pid" 2>/dev/null || true; rm -rf "$ctx" "$course"' EXIT
for _ in $(seq 100); do
	"$bin/bolsillo" -H "$course_host" --explicar=false version >/dev/null 2>&1 && break
	sleep 0.1
done
printf '\n\033[1m$ bolsillo lab init && bolsillo leccion auto --todas   (daemon nuevo en %s)\033[0m\n' "$course/root"
"$bin/bolsillo" -H "$course_host" --explicar=false lab init >/dev/null
BOLSILLO_LECCIONES="$course/lecciones" XDG_CONFIG_HOME="$course/config" \
	"$bin/bolsillo" -H "$course_host" leccion auto --todas
kill -TERM "$course_pid"
wait "$course_pid" 2>/dev/null || true

printf '\nbolsillod sigue corriendo en %s: prueba tú mismo, por ejemplo\n  %s/bolsillo run -it busybox sh\n(para detenerlo: sudo make stop-daemon)\n' "$host" "$bin"
