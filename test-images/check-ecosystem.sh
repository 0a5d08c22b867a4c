#!/usr/bin/env bash
# End-to-end check of the Kafka 4.4 / Connect test images against real
# containers:
#   test-images/check-ecosystem.sh [kraft|zk|all]     (default: all)
# kraft: a single-node KRaft broker (kafka-lab-local/kafka:4.4.0, or
#        CHECK_KAFKA4_VERSION=4.2.0) and a Connect worker (FileStreamSource from
#        a file inside the worker into a topic, consumed with kcat).
# zk:    ZooKeeper 3.8.4 + Kafka 3.9.2 (ZooKeeper mode) + the Connect worker.
# No schema registry here: the registry image is Apicurio Registry, checked on
# its own (against both brokers) by test-images/check-apicurio.sh.
# Containers are created through the Docker API with the healthcheck arrays of
# test-images/README.md (CMD arrays, as the topology passes them) and must turn
# "healthy". Everything is named kafka-lab-imgcheck-*, host ports are on
# 127.0.0.1 in 32000-32999, and all of it is removed on exit (also on failure).
# At most three containers run at a time. Needs: docker, curl, jq, kcat.
set -euo pipefail
# shellcheck source=common/check-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/common/check-lib.sh"

WHICH=${1:-all}
case $WHICH in kraft|zk|all) ;; *) echo "usage: $0 [kraft|zk|all]" >&2; exit 2 ;; esac
P=kafka-lab-imgcheck
PREFIX=$P
NET=$P-net
DOCKER_SOCK=${DOCKER_SOCK:-/var/run/docker.sock}
API=http://localhost/v1.41
FAILS=0
PASSES=0

K4_VERSION=${CHECK_KAFKA4_VERSION:-4.4.0}
K4_IMAGE=kafka-lab-local/kafka:$K4_VERSION
ZK_IMAGE=kafka-lab-local/zookeeper:3.8.4
K39_IMAGE=kafka-lab-local/kafka:3.9.2
CONNECT_IMAGE=kafka-lab-local/kafka-connect:3.9.2
CLUSTER_ID=MkU3OEVBNTcwNTJENDM2Qg

# Heaps for the check (small: the machine is shared).
KAFKA_HEAP="-Xmx256m -Xms256m"
CONNECT_HEAP="-Xms64m -Xmx256m"

# The healthcheck arrays exactly as the topology declares them (test-images/README.md): Connect's is an
# HTTP/1.0 GET over bash's /dev/tcp (no curl in the images), healthy only on a "200" status line.
mapfile -t HEALTHCHECKS < <(topology_healthchecks zookeeper broker connect)
HC_ZK=${HEALTHCHECKS[0]:?could not read the healthchecks from infra/ (run npm ci)}
HC_KAFKA=${HEALTHCHECKS[1]:?could not read the healthchecks from infra/}
HC_CONNECT=${HEALTHCHECKS[2]:?could not read the healthchecks from infra/}
for hc in "$HC_ZK" "$HC_KAFKA" "$HC_CONNECT"; do jq -e 'length == 4' <<<"$hc" >/dev/null; done


ours() { docker ps -aq --filter "name=^/$P-" 2>/dev/null || true; }
cleanup() {
  local ids
  ids=$(ours)
  [[ -n $ids ]] && docker rm -f -v $ids >/dev/null 2>&1
  docker network rm "$NET" >/dev/null 2>&1 || true
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Host ports: 127.0.0.1 only, 32000-32999, skipping busy ones.
PORTS="32000 32999"


# Run the container's own healthcheck command (the array's bash -c string)
# with one substitution, to see that it refuses a bad answer.

stats() {
  local c
  sleep "${IDLE_S:-20}"
  docker stats --no-stream --format '{{.Name}} {{.MemUsage}} CPU {{.CPUPerc}}' "$@" | sed 's/^/check: rss  /'
  for c in "$@"; do
    say "rss  $c PID 1 VmRSS: $(docker exec "$c" awk '/VmRSS/ {print $2 " " $3}' /proc/1/status)"
  done
}

# ---------------------------------------------------------------- Connect

CONNECT_ENV=(
  CONNECT_BOOTSTRAP_SERVERS=kafka:9093
  CONNECT_GROUP_ID=kafka-lab-connect
  CONNECT_CONFIG_STORAGE_TOPIC=_connect-configs
  CONNECT_OFFSET_STORAGE_TOPIC=_connect-offsets
  CONNECT_STATUS_STORAGE_TOPIC=_connect-status
  CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR=1
  CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR=1
  CONNECT_STATUS_STORAGE_REPLICATION_FACTOR=1
  CONNECT_KEY_CONVERTER=org.apache.kafka.connect.storage.StringConverter
  CONNECT_VALUE_CONVERTER=org.apache.kafka.connect.storage.StringConverter
  CONNECT_REST_ADVERTISED_HOST_NAME=connect
  # As the lab sets it: cp's plugin path plus the folder that holds the FileStream connectors.
  CONNECT_PLUGIN_PATH=/usr/share/java,/usr/share/confluent-hub-components,/usr/share/filestream-connectors
  CONNECT_LOG4J_ROOT_LOGLEVEL=INFO
  'CONNECT_LOG4J_LOGGERS=org.reflections=ERROR,org.apache.kafka.clients=WARN'
  CONNECT_OFFSET_FLUSH_INTERVAL_MS=1000
  "KAFKA_HEAP_OPTS=$CONNECT_HEAP"
)

connect_static_checks() {
  say "=== Connect image: required variables and rendering"
  expect_fail "connect without env" "CONNECT_BOOTSTRAP_SERVERS is required." "$CONNECT_IMAGE"
  local -a env=()
  local e
  for e in "${CONNECT_ENV[@]}"; do [[ $e == CONNECT_REST_ADVERTISED_HOST_NAME=* ]] || env+=(-e "$e"); done
  expect_fail "connect without CONNECT_REST_ADVERTISED_HOST_NAME" "CONNECT_REST_ADVERTISED_HOST_NAME is required." \
    "${env[@]}" "$CONNECT_IMAGE"
  env=()
  for e in "${CONNECT_ENV[@]}"; do [[ $e == CONNECT_VALUE_CONVERTER=* ]] || env+=(-e "$e"); done
  expect_fail "connect without CONNECT_VALUE_CONVERTER" "CONNECT_VALUE_CONVERTER is required." "${env[@]}" "$CONNECT_IMAGE"

  env=() # without CONNECT_PLUGIN_PATH: the image's default (cp's) must render
  for e in "${CONNECT_ENV[@]}"; do [[ $e == CONNECT_PLUGIN_PATH=* ]] || env+=(-e "$e"); done
  local out
  out=$(docker run --rm --name "$P-render" "${env[@]}" -e CONNECT_BOOTSTRAP_SERVERS=nowhere:9092 \
      -e CONNECT_PRODUCER_CLIENT___ID=kl-x -e CONNECT_KL__UNDER__SCORE=1 "$CONNECT_IMAGE" \
      bash -c 'timeout 3 /etc/confluent/docker/run >/dev/null 2>&1; cat /etc/kafka-connect/kafka-connect.properties; echo ---; cat /etc/kafka/connect-log4j.properties')
  if grep -qx 'rest.port=8083' <<<"$out" && grep -qx 'bootstrap.servers=nowhere:9092' <<<"$out" \
     && grep -qx 'plugin.path=/usr/share/java/,/usr/share/confluent-hub-components/' <<<"$out" \
     && grep -qx 'producer.client-id=kl-x' <<<"$out" && grep -qx 'kl_under_score=1' <<<"$out" \
     && grep -qx 'rest.advertised.host.name=connect' <<<"$out" \
     && grep -qx 'log4j.logger.org.apache.kafka.clients=WARN' <<<"$out" \
     && grep -qx 'log4j.rootLogger=INFO, stdout' <<<"$out"; then
    ok "kafka-connect.properties rendering (CONNECT_* -> properties, ___ -> -, __ -> _, rest.port 8083, cp's plugin.path) and connect-log4j.properties"
  else bad "kafka-connect.properties rendering:"; sed 's/^/    /' <<<"$out"; fi
}

# consume_until PORT TOPIC OFFSET COUNT WANT : kcat from OFFSET, COUNT records,
# until they read WANT (the connector writes asynchronously: the file is polled
# about once a second), up to 20 s; prints what was read last.
consume_until() {
  local port=$1 topic=$2 offset=$3 count=$4 want=$5 out= start=$SECONDS
  while ((SECONDS - start < 20)); do
    out=$(kcat -b 127.0.0.1:$port -C -t "$topic" -o "$offset" -c "$count" -e -q -m 10 2>&1 || true)
    [[ $out == "$want" ]] && break
    sleep 1
  done
  printf '%s' "$out"
}

# connect_flow CONTAINER LABEL HOST_PORT BROKER_HOST_PORT
connect_flow() {
  local c=$1 label=$2 port=$3 kport=$4 out topic=kl-connect-file-$RANDOM name=kl-file-source
  local base=http://127.0.0.1:$port
  say "healthcheck: $(docker inspect -f '{{json .Config.Healthcheck.Test}}' "$c")"
  wait_healthy "$c" 180 || return 0
  say "$label: PID 1: $(docker exec "$c" ps -o user=,comm= -p 1)"
  out=$(curl -sS -o /dev/null -w '%{http_code}' "$base/")
  [[ $out == 200 ]] && ok "$label: GET / -> 200 ($(curl -sS "$base/" | jq -c '{version}'))" || bad "$label: GET / -> $out"
  out=$(curl -sS "$base/health")
  [[ $(jq -r .status <<<"$out") == healthy ]] && ok "$label: GET /health -> $out" || bad "$label: GET /health -> $out"
  out=$(curl -sS "$base/connector-plugins" | jq -r '.[].class')
  if grep -qx org.apache.kafka.connect.file.FileStreamSourceConnector <<<"$out"; then
    ok "$label: connector-plugins lists FileStreamSourceConnector ($(wc -l <<<"$out") plugins)"
  else bad "$label: connector-plugins: $out"; fi
  # The healthcheck command refuses a non-200 answer (a path that is 404).
  if docker exec "$c" bash -c "$(hc_cmd "$HC_CONNECT" | sed 's#GET /health #GET /nope #')"; then
    bad "$label: the healthcheck accepted a 404"
  else ok "$label: the healthcheck command refuses a 404 status line"; fi

  docker exec "$c" bash -c 'printf "alpha\nbeta\ngamma\n" > /tmp/kl-input.txt'
  out=$(curl -sS -X POST -H 'Content-Type: application/json' "$base/connectors" -d "$(jq -n --arg t "$topic" --arg n "$name" \
    '{name: $n, config: {"connector.class": "FileStreamSource", "tasks.max": "1", file: "/tmp/kl-input.txt", topic: $t}}')")
  [[ $(jq -r .name <<<"$out" 2>/dev/null) == "$name" ]] && ok "$label: POST /connectors created $name" || bad "$label: POST /connectors: $out"
  local start=$SECONDS st=
  while ((SECONDS - start < 60)); do
    st=$(curl -sS "$base/connectors/$name/status" 2>/dev/null || true)
    [[ $(jq -r '.connector.state + "/" + (.tasks[0].state // "none")' <<<"$st" 2>/dev/null) == RUNNING/RUNNING ]] && break
    sleep 1
  done
  if [[ $(jq -r '.connector.state + "/" + (.tasks[0].state // "none")' <<<"$st" 2>/dev/null) == RUNNING/RUNNING ]]; then
    ok "$label: GET /connectors/$name/status: connector RUNNING, task 0 RUNNING on $(jq -r .connector.worker_id <<<"$st")"
  else bad "$label: status: $st"; fi
  out=$(consume_until "$kport" "$topic" beginning 3 $'alpha\nbeta\ngamma')
  [[ $out == $'alpha\nbeta\ngamma' ]] && ok "$label: kcat consumed the file's 3 lines from $topic" || bad "$label: kcat got '$out'"
  docker exec "$c" bash -c 'echo delta >> /tmp/kl-input.txt'
  out=$(consume_until "$kport" "$topic" 3 1 delta)
  [[ $out == delta ]] && ok "$label: a line appended to the file arrived too" || bad "$label: appended line: '$out'"
  out=$(docker logs "$c" 2>&1)
  if grep -q 'Kafka Connect started' <<<"$out"; then
    ok "$label: logs on stdout ('Kafka Connect started')"
  else bad "$label: no 'Kafka Connect started' in docker logs"; fi
}

# ---------------------------------------------------------------- phases

check_kraft() {
  local kport cport
  kport=$(pick_port 32092 $PORTS); cport=$(pick_port 32083 $PORTS)
  say "=== Kafka $K4_VERSION (KRaft) on 127.0.0.1:$kport + Connect 3.9.2 on 127.0.0.1:$cport"
  docker network create "$NET" >/dev/null
  local k=$P-kafka c=$P-connect out
  start_kraft "$k" "$kport"
  wait_healthy "$k" 120 || return 0
  out=$(kcat -b 127.0.0.1:$kport -L -m 10 2>&1)
  grep -q "broker 1 at localhost:$kport" <<<"$out" && ok "kafka $K4_VERSION: kcat -L sees broker 1" || bad "kafka $K4_VERSION: kcat -L: $out"
  say "kafka $K4_VERSION: ApiVersions v0 reply, first 10 bytes:$(docker exec "$k" bash -c "exec 3<>/dev/tcp/127.0.0.1/9093 && printf '\\0\\0\\0\\x0c\\0\\x12\\0\\0\\0\\0\\0\\x01\\0\\x02hc' >&3 && timeout 3 head -c 10 <&3 | od -An -tx1")"
  out=$(docker exec "$k" /opt/kafka/bin/kafka-configs.sh --bootstrap-server kafka:9093 --describe --entity-type brokers --entity-name 1 2>&1 | head -n 1)
  [[ $out == *"configs for broker 1"* ]] && ok "kafka $K4_VERSION: kafka-configs.sh (its class moved in 4.4) runs: $out" || bad "kafka $K4_VERSION: kafka-configs.sh: $out"
  out=$(docker exec "$k" /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server kafka:9093 2>&1 | head -n 1)
  [[ $out == kafka:9093* ]] && ok "kafka $K4_VERSION: kafka-broker-api-versions.sh: ${out:0:80}" || bad "kafka $K4_VERSION: api versions: $out"

  local -a env=() e
  for e in "${CONNECT_ENV[@]}"; do env+=("$e"); done
  api_create "$c" "$CONNECT_IMAGE" connect "$HC_CONNECT" "8083=$cport" "${env[@]}"
  connect_flow "$c" "connect on kafka $K4_VERSION" "$cport" "$kport"
  stats "$k" "$c"
  stop_check "$c" 'Kafka Connect stopped' "connect"
  docker rm -f -v "$c" "$k" >/dev/null
  docker network rm "$NET" >/dev/null
}

check_zk() {
  local kport cport
  kport=$(pick_port 32192 $PORTS); cport=$(pick_port 32183 $PORTS)
  say "=== ZooKeeper 3.8.4 + Kafka 3.9.2 (ZooKeeper mode) on 127.0.0.1:$kport + Connect 3.9.2 on 127.0.0.1:$cport"
  docker network create "$NET" >/dev/null
  local z=$P-zookeeper k=$P-kafka39 c=$P-connect39
  start_zk_kafka "$z" "$k" "$kport"
  wait_healthy "$z" 60 || return 0
  wait_healthy "$k" 120 || return 0
  api_create "$c" "$CONNECT_IMAGE" connect "$HC_CONNECT" "8083=$cport" "${CONNECT_ENV[@]}"
  connect_flow "$c" "connect on kafka 3.9.2 (ZooKeeper mode)" "$cport" "$kport"
  IDLE_S=5 stats "$c"
  docker rm -f -v "$c" "$k" "$z" >/dev/null
  docker network rm "$NET" >/dev/null
}

for tool in docker curl jq kcat; do command -v "$tool" >/dev/null || { echo "check: $tool not found" >&2; exit 1; }; done
for img in "$CONNECT_IMAGE" "$K4_IMAGE" "$ZK_IMAGE" "$K39_IMAGE"; do
  docker image inspect "$img" >/dev/null 2>&1 || { echo "check: image $img missing: run test-images/build.sh" >&2; exit 1; }
done
cleanup # leftovers of an interrupted run of this script (same names)
connect_static_checks
[[ $WHICH == zk ]] || check_kraft
[[ $WHICH == kraft ]] || check_zk
echo "check: $PASSES passed, $FAILS failed"
((FAILS == 0))
