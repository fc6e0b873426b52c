#!/usr/bin/env bash
# daemon.sh start|stop BIN HOST DATA_ROOT
# Starts bolsillod in the background (unless a daemon already answers on HOST)
# or stops the one it started, by the PID it recorded.
set -euo pipefail
action=$1 bin=$2 host=$3 root=$4
sock=${host#unix://}
pidfile=/run/bolsillod.pid
logfile=/var/log/bolsillod.log

answers() { "$bin/bolsillo" -H "$host" --explicar=false version >/dev/null 2>&1; }

case $action in
start)
	if answers; then
		echo "bolsillod ya responde en $host"
		exit 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "bolsillod necesita root: ejecuta 'sudo make demo'" >&2
		exit 1
	fi
	nohup "$bin/bolsillod" --data-root "$root" --host "$host" >>"$logfile" 2>&1 &
	echo $! >"$pidfile"
	for _ in $(seq 100); do
		answers && { echo "bolsillod escuchando en $host (PID $(cat "$pidfile"), registro en $logfile)"; exit 0; }
		sleep 0.1
	done
	echo "bolsillod no arrancó; mira $logfile" >&2
	exit 1
	;;
stop)
	if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
		kill -TERM "$(cat "$pidfile")"
		for _ in $(seq 150); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
		rm -f "$pidfile"
		echo "bolsillod detenido"
	else
		echo "no hay un bolsillod iniciado por 'make daemon'"
	fi
	;;
*)
	echo "uso: daemon.sh start|stop BIN HOST DATA_ROOT" >&2
	exit 2
	;;
esac
