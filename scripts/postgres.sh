#!/usr/bin/env bash
# A real PostgreSQL server on loopback for tests and local runs, from the machine's own PostgreSQL
# (Debian: apt-get install postgresql); no Docker.
#
#   scripts/postgres.sh start [--fresh] [PORT]   initialise (first time) and start a server on 127.0.0.1:PORT (default 15432)
#   scripts/postgres.sh stop [PORT]              stop it (fast shutdown; its data stays)
#   scripts/postgres.sh kill [PORT]              kill -9 its postmaster, as a crash would (its data stays)
#   scripts/postgres.sh wipe [PORT]              stop it and delete its data
#   scripts/postgres.sh url [PORT]               print its connection URL
#
# LUTFLOW_PG_HOME (default /tmp/lutflow-pg) holds each server's data and log. PostgreSQL refuses to run
# as root, so as root the server runs as the `postgres` user.
set -euo pipefail
home=${LUTFLOW_PG_HOME:-/tmp/lutflow-pg}

bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  echo "postgres.sh: no PostgreSQL server found (Debian: apt-get install postgresql)" >&2
  exit 1
}

# A pid that exists and is not a zombie (a killed postmaster whose parent never reaps it still has a pid).
alive() {
  [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat")" != Z ]
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local fresh=0
  if [ "${1:-}" = "--fresh" ]; then fresh=1; shift; fi
  local port=${1:-15432} bin dir
  bin=$(bindir)
  dir=$home/$port
  [ $fresh = 1 ] && rm -rf "$dir"
  mkdir -p "$home"
  chmod 755 "$home"
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$bin/initdb" -D "$dir" -U postgres -A trust --no-sync -E UTF8 >/dev/null
  fi
  if [ -f "$dir/postmaster.pid" ] && ! alive "$(head -1 "$dir/postmaster.pid")"; then
    rm -f "$dir/postmaster.pid" "$dir/.s.PGSQL.$port.lock" "$dir/.s.PGSQL.$port"
  fi
  if as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then echo "postgres.sh: server on $port already running" >&2; return; fi
  as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=64MB" >/dev/null
  echo "postgres.sh: server up on 127.0.0.1:$port ($dir)" >&2
}

stop() {
  local port=${1:-15432} dir=$home/${1:-15432}
  [ -f "$dir/PG_VERSION" ] || return 0
  as_owner "$(bindir)/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

kill9() {
  local dir=$home/${1:-15432} pid i
  [ -f "$dir/postmaster.pid" ] || return 0
  pid=$(head -1 "$dir/postmaster.pid")
  kill -9 "$pid" 2>/dev/null || true
  for i in $(seq 50); do alive "$pid" || break; sleep 0.1; done
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  kill) shift; kill9 "$@" ;;
  wipe) shift; stop "$@"; rm -rf "$home/${1:-15432}" ;;
  url) echo "postgres://postgres@127.0.0.1:${2:-15432}/postgres" ;;
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
