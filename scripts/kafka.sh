#!/usr/bin/env bash
# A real single-node Apache Kafka 4.x broker (KRaft, loopback) for tests and local runs, from Maven
# Central jars (scripts/kafka/pom.xml); no Docker, no tarball.
#
#   scripts/kafka.sh start [--fresh] [PORT]   start a broker on 127.0.0.1:PORT (default 19092); --fresh wipes its data
#   scripts/kafka.sh stop [PORT]              stop it (its data stays for the next start)
#   scripts/kafka.sh kill [PORT]              kill -9 it, as a crash would (its data stays)
#   scripts/kafka.sh wipe [PORT]              stop it and delete its data
#   scripts/kafka.sh libs                     only resolve the jars
#
# LUTFLOW_KAFKA_HOME (default .cache/kafka) holds the jars, each broker's data and its log.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
home=${LUTFLOW_KAFKA_HOME:-$root/.cache/kafka}
lib=$home/lib
pom=$root/scripts/kafka/pom.xml

need() {
  command -v java >/dev/null 2>&1 || { echo "kafka.sh: Java 17 or newer is required for the test broker (Debian: apt-get install openjdk-17-jre-headless)" >&2; exit 1; }
  command -v mvn >/dev/null 2>&1 || { echo "kafka.sh: Maven is required to fetch the Kafka broker jars (Debian: apt-get install maven)" >&2; exit 1; }
}

libs() {
  need
  local want; want=$(sha256sum "$pom" | cut -d' ' -f1)
  if [ -f "$lib/.pom.sha256" ] && [ "$(cat "$lib/.pom.sha256")" = "$want" ]; then return; fi
  echo "kafka.sh: resolving Kafka jars from Maven Central into $lib" >&2
  rm -rf "$lib"; mkdir -p "$lib"
  mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$lib" -DincludeScope=runtime >&2
  echo "$want" > "$lib/.pom.sha256"
}

start() {
  local fresh=0
  if [ "${1:-}" = "--fresh" ]; then fresh=1; shift; fi
  local port=${1:-19092}
  local cport=$((port + 1))
  local dir=$home/broker-$port
  libs
  if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then echo "kafka.sh: broker on $port already running" >&2; return; fi
  [ $fresh = 1 ] && rm -rf "$dir"
  mkdir -p "$dir/data"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  local java=(java -Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dlog4j2.level=warn -cp "$lib/*")
  if [ ! -f "$dir/data/meta.properties" ]; then
    local id; id=$("${java[@]}" kafka.tools.StorageTool random-uuid)
    "${java[@]}" kafka.tools.StorageTool format -t "$id" -c "$dir/server.properties" >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; exit 1; }
  fi
  nohup "${java[@]}" kafka.Kafka "$dir/server.properties" >"$dir/broker.log" 2>&1 &
  echo $! > "$dir/pid"
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "kafka.sh: broker up on 127.0.0.1:$port (pid $(cat "$dir/pid"))" >&2; return; fi
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || { echo "kafka.sh: broker exited; its log:" >&2; tail -30 "$dir/broker.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "kafka.sh: broker did not open 127.0.0.1:$port within 60 s; see $dir/broker.log" >&2
  exit 1
}

stop() {
  local port=${1:-19092}
  local pidfile=$home/broker-$port/pid
  [ -f "$pidfile" ] || return 0
  local pid; pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

crash() {
  local port=${1:-19092}
  local pidfile=$home/broker-$port/pid
  [ -f "$pidfile" ] || return 0
  kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
}

wipe() {
  local port=${1:-19092}
  stop "$port"
  rm -rf "$home/broker-$port"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  kill) shift; crash "$@" ;;
  wipe) shift; wipe "$@" ;;
  libs) libs ;;
  *) echo "usage: scripts/kafka.sh start [--fresh] [PORT] | stop [PORT] | kill [PORT] | wipe [PORT] | libs" >&2; exit 2 ;;
esac
