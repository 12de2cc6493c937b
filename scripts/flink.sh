#!/usr/bin/env bash
# A real local Apache Flink 2.2 cluster (one JobManager, one TaskManager, the SQL Gateway) for tests and
# local runs. The distribution is the PyPI wheels apache-flink and apache-flink-libraries 2.2.0 (unpacked,
# not installed: their pyflink folder is a complete FLINK_HOME), plus the Kafka SQL connector in lib/ and
# the SQL Gateway in opt/ from Maven Central. No Docker, no tarball. Java 17, Maven and pip are needed.
#
#   scripts/flink.sh start [--fresh] [PORT]          start a cluster: REST on 127.0.0.1:PORT (default 18081), the
#                                                    SQL Gateway on PORT+1, RPC on PORT+2; --fresh wipes its state
#   scripts/flink.sh stop [PORT]                     stop it (checkpoints and logs stay)
#   scripts/flink.sh kill-taskmanager [PORT]         kill -9 its TaskManager, as a crash would
#   scripts/flink.sh start-taskmanager [PORT]        start a TaskManager again
#   scripts/flink.sh wipe [PORT]                     stop it and delete its folder
#   scripts/flink.sh dist                            only fetch and unpack the distribution
#   scripts/flink.sh home                            print FLINK_HOME
#
# LUTFLOW_FLINK_HOME (default .cache/flink) holds the distribution and each cluster's folder (configuration,
# logs, checkpoints). LUTFLOW_FLINK_MEMORY sizes the JobManager and the TaskManager processes (default 1024m).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
home=${LUTFLOW_FLINK_HOME:-$root/.cache/flink}
version=2.2.0
kafka_connector=org.apache.flink:flink-sql-connector-kafka:5.0.0-2.2
gateway=org.apache.flink:flink-sql-gateway:$version
dist=$home/dist-$version
flink_home=$dist/pyflink
memory=${LUTFLOW_FLINK_MEMORY:-1024m}

need() {
  command -v java >/dev/null 2>&1 || { echo "flink.sh: Java 17 or newer is required (Debian: apt-get install openjdk-17-jre-headless)" >&2; exit 1; }
  command -v mvn >/dev/null 2>&1 || { echo "flink.sh: Maven is required to fetch the Kafka connector and the SQL Gateway (Debian: apt-get install maven)" >&2; exit 1; }
  command -v python3 >/dev/null 2>&1 || { echo "flink.sh: python3 with pip is required to fetch the Flink wheels from PyPI" >&2; exit 1; }
}

fetch_dist() {
  [ -f "$dist/.complete" ] && return
  need
  echo "flink.sh: fetching Apache Flink $version (PyPI wheels, Maven Central jars) into $dist" >&2
  local tmp; tmp=$(mktemp -d "$home/.fetch.XXXXXX" 2>/dev/null || { mkdir -p "$home"; mktemp -d "$home/.fetch.XXXXXX"; })
  trap 'rm -rf "$tmp"' RETURN
  # The wheels are only unpacked: the platform is named so that any local Python version fetches the same files.
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.11 --platform manylinux2014_x86_64 --implementation cp \
    "apache-flink==$version" "apache-flink-libraries==$version" -d "$tmp/wheels" >&2
  mkdir -p "$tmp/dist"
  for w in "$tmp"/wheels/*.whl; do python3 -m zipfile -e "$w" "$tmp/dist"; done
  local d=$tmp/dist/pyflink
  chmod +x "$d"/bin/*
  mvn -q -B dependency:copy -Dartifact="$kafka_connector:jar" -DoutputDirectory="$d/lib" >&2
  mvn -q -B dependency:copy -Dartifact="$gateway:jar" -DoutputDirectory="$d/opt" >&2
  rm -rf "$dist"
  mv "$tmp/dist" "$dist"
  touch "$dist/.complete"
}

cluster_dir() { echo "$home/cluster-${1:-18081}"; }

# The environment every Flink script of this cluster runs with.
cluster_env() {
  local dir=$1
  export FLINK_HOME=$flink_home FLINK_CONF_DIR=$dir/conf FLINK_LOG_DIR=$dir/log FLINK_PID_DIR=$dir/pid
}

write_conf() {
  local dir=$1 port=$2
  mkdir -p "$dir/conf" "$dir/log" "$dir/pid" "$dir/checkpoints" "$dir/savepoints" "$dir/tmp"
  cp "$flink_home"/conf/log4j*.properties "$flink_home"/conf/logback*.xml "$dir/conf/"
  local java_opts; java_opts=$(sed -n 's/^ *all: //p' "$flink_home/conf/config.yaml" | head -1)
  cat > "$dir/conf/config.yaml" <<CONF
env.java.opts.all: $java_opts -XX:+UseSerialGC
jobmanager.bind-host: 127.0.0.1
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $((port + 2))
jobmanager.memory.process.size: $memory
jobmanager.execution.failover-strategy: region
taskmanager.bind-host: 127.0.0.1
taskmanager.host: 127.0.0.1
taskmanager.numberOfTaskSlots: 4
taskmanager.memory.process.size: $memory
taskmanager.memory.managed.size: 32m
taskmanager.memory.network.min: 32m
taskmanager.memory.network.max: 64m
taskmanager.memory.jvm-metaspace.size: 192m
parallelism.default: 1
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $port
blob.server.port: 0
io.tmp.dirs: $dir/tmp
state.backend.type: hashmap
execution.checkpointing.dir: file://$dir/checkpoints
execution.checkpointing.savepoint-dir: file://$dir/savepoints
execution.checkpointing.num-retained: 2
restart-strategy.type: exponential-delay
restart-strategy.exponential-delay.initial-backoff: 1 s
restart-strategy.exponential-delay.max-backoff: 10 s
restart-strategy.exponential-delay.attempts-before-reset-backoff: 1000000
sql-gateway.endpoint.rest.address: 127.0.0.1
sql-gateway.endpoint.rest.bind-address: 127.0.0.1
sql-gateway.endpoint.rest.port: $((port + 1))
sql-gateway.session.idle-timeout: 30 min
CONF
}

wait_port() {
  local port=$1 what=$2 log=$3
  for _ in $(seq 1 240); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return; fi
    sleep 0.5
  done
  echo "flink.sh: $what did not open 127.0.0.1:$port within 120 s; its log:" >&2
  tail -40 $log >&2 || true
  exit 1
}

start_taskmanager() {
  local port=${1:-18081} dir; dir=$(cluster_dir "$port")
  cluster_env "$dir"
  "$flink_home/bin/taskmanager.sh" start >/dev/null
}

# Waits until the JobManager has a TaskManager registered with free slots.
wait_slots() {
  local port=$1 dir=$2
  for _ in $(seq 1 240); do
    if curl -sf "http://127.0.0.1:$port/overview" 2>/dev/null | grep -q '"slots-total":[1-9]'; then return; fi
    sleep 0.5
  done
  echo "flink.sh: no TaskManager registered within 120 s; its log:" >&2
  tail -40 "$dir"/log/*taskexecutor*.log >&2 || true
  exit 1
}

start() {
  local fresh=0
  if [ "${1:-}" = "--fresh" ]; then fresh=1; shift; fi
  local port=${1:-18081} dir; dir=$(cluster_dir "$port")
  fetch_dist
  if [ -f "$dir/pid/flink-$(id -un)-standalonesession.pid" ] && curl -sf "http://127.0.0.1:$port/overview" >/dev/null 2>&1; then
    echo "flink.sh: cluster on $port already running" >&2; return
  fi
  [ $fresh = 1 ] && rm -rf "$dir"
  write_conf "$dir" "$port"
  cluster_env "$dir"
  "$flink_home/bin/jobmanager.sh" start >/dev/null
  "$flink_home/bin/taskmanager.sh" start >/dev/null
  wait_port "$port" "the JobManager" "$dir/log/*standalonesession*.log"
  JVM_ARGS="-Xms64m -Xmx384m" "$flink_home/bin/sql-gateway.sh" start >/dev/null
  wait_port $((port + 1)) "the SQL Gateway" "$dir/log/*sql-gateway*.log"
  wait_slots "$port" "$dir"
  echo "flink.sh: cluster up: REST http://127.0.0.1:$port, SQL Gateway http://127.0.0.1:$((port + 1))" >&2
}

# Stops one daemon kind by its pid files (flink-daemon.sh's stop would look at every cluster's).
stop_daemon() {
  local dir=$1 kind=$2 signal=${3:-TERM}
  for f in "$dir"/pid/*-"$kind".pid; do
    [ -f "$f" ] || continue
    while read -r pid; do
      [ -n "$pid" ] || continue
      kill "-$signal" "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
    done < "$f"
    rm -f "$f"
  done
}

stop() {
  local dir; dir=$(cluster_dir "${1:-18081}")
  [ -d "$dir" ] || return 0
  stop_daemon "$dir" sql-gateway
  stop_daemon "$dir" taskexecutor
  stop_daemon "$dir" standalonesession
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  kill-taskmanager) shift; stop_daemon "$(cluster_dir "${1:-18081}")" taskexecutor KILL ;;
  start-taskmanager) shift; start_taskmanager "$@"; wait_slots "${1:-18081}" "$(cluster_dir "${1:-18081}")" ;;
  wipe) shift; stop "$@"; rm -rf "$(cluster_dir "${1:-18081}")" ;;
  dist) fetch_dist ;;
  home) echo "$flink_home" ;;
  *) echo "usage: scripts/flink.sh start [--fresh] [PORT] | stop [PORT] | kill-taskmanager [PORT] | start-taskmanager [PORT] | wipe [PORT] | dist | home" >&2; exit 2 ;;
esac
