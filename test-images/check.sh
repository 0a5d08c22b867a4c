#!/usr/bin/env bash
# End-to-end check of the local test images against real containers:
#   test-images/check.sh [3.9|4.x|all]     (default: all that are built)
# Starts ZooKeeper + Kafka 3.9 (and/or a KRaft 4.x node) on a throwaway
# network with the topology's exact healthcheck arrays (created through the
# Docker API, so they are CMD arrays, not CMD-SHELL), waits for "healthy" by
# polling docker inspect, then talks to the broker with kcat (host) and the
# image's own CLI wrappers. Everything it creates is removed on exit.
# Needs: docker, curl, jq, kcat.
set -euo pipefail
# shellcheck source=common/check-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/common/check-lib.sh"

WHICH=${1:-all}
RUN_ID=klcheck-$$
PREFIX=$RUN_ID
NET=$RUN_ID-net
HOST_PORT=${CHECK_HOST_PORT:-19092}
# The topology publishes 127.0.0.1:19092; if something else already listens
# there, use the next free port (the advertised OUTSIDE listener follows).
while port_busy "$HOST_PORT"; do HOST_PORT=$((HOST_PORT + 1)); done
DOCKER_SOCK=${DOCKER_SOCK:-/var/run/docker.sock}
API=http://localhost/v1.41
CREATED=()
FAILS=0
PASSES=0

ZK_IMAGE=kafka-lab-local/zookeeper:3.8.4
K39_IMAGE=kafka-lab-local/kafka:3.9.2
K4_IMAGE=kafka-lab-local/kafka:4.2.0
CLUSTER_ID=MkU3OEVBNTcwNTJENDM2Qg
KAFKA_HEAP="-Xmx256m -Xms256m"

mapfile -t HEALTHCHECKS < <(topology_healthchecks zookeeper broker)
HC_ZK=${HEALTHCHECKS[0]:?could not read the healthchecks from infra/ (run npm ci)}
HC_KAFKA=${HEALTHCHECKS[1]:?could not read the healthchecks from infra/}


cleanup() {
  local c
  for c in "${CREATED[@]}"; do docker rm -f -v "$c" >/dev/null 2>&1 || true; done
  docker network rm "$NET" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# Send a raw request (a printf format string, as in the healthcheck) to the
# INSIDE listener and show the first 16 bytes of the reply.
raw_reply() { # CONTAINER PRINTF_FORMAT
  docker exec "$1" bash -c "exec 3<>/dev/tcp/127.0.0.1/9093 && printf '$2' >&3 && timeout 3 head -c 16 <&3 | od -An -tx1"
}
# Does the healthcheck's own grep accept the reply to that request?
hc_grep_accepts() { # CONTAINER PRINTF_FORMAT
  local hc_cmd
  hc_cmd=$(jq -r '.[3]' <<<"$HC_KAFKA")
  hc_cmd=${hc_cmd/"$HC_REQUEST"/"$2"}
  docker exec "$1" bash -c "$hc_cmd"
}
HC_REQUEST='\0\0\0\x11\0\x03\0\x04\0\0\0\x01\0\x02hc\0\0\0\0\0'
# The same Metadata request as version 127 (unsupported): the broker closes the
# connection instead of answering.
UNSUPPORTED_REQUEST='\0\0\0\x11\0\x03\0\x7f\0\0\0\x01\0\x02hc\0\0\0\0\0'

kafka_roundtrip() { # CONTAINER LABEL
  local c=$1 label=$2 topic=kl-check-$RANDOM out
  LAST_TOPIC=$topic
  if out=$(kcat -b 127.0.0.1:$HOST_PORT -L -m 10 2>&1) && grep -q "broker 1 at localhost:$HOST_PORT" <<<"$out"; then
    ok "$label: kcat -L sees broker 1 at localhost:$HOST_PORT"
  else bad "$label: kcat -L: $out"; fi
  if docker exec "$c" ${TOOL_PREFIX}kafka-topics${SUFFIX} --bootstrap-server kafka:9093 --create --topic "$topic" --partitions 1 --replication-factor 1 >/dev/null; then
    ok "$label: kafka-topics --create $topic"
  else bad "$label: kafka-topics --create"; fi
  printf 'one\ntwo\nthree\nfour\nfive\n' | kcat -b 127.0.0.1:$HOST_PORT -P -t "$topic" -m 20
  out=$(kcat -b 127.0.0.1:$HOST_PORT -C -t "$topic" -o beginning -c 5 -e -m 20 -q 2>&1 || true)
  if [[ $out == $'one\ntwo\nthree\nfour\nfive' ]]; then
    ok "$label: produced and consumed 5 messages with kcat"
  else bad "$label: consumed '$out'"; fi
  out=$(docker exec "$c" ${TOOL_PREFIX}kafka-console-consumer${SUFFIX} --bootstrap-server kafka:9093 --topic "$topic" --from-beginning --max-messages 5 --timeout-ms 20000 2>/dev/null || true)
  if [[ $out == $'one\ntwo\nthree\nfour\nfive' ]]; then
    ok "$label: kafka-console-consumer read them back"
  else bad "$label: kafka-console-consumer got '$out'"; fi
  if echo six | docker exec -i "$c" ${TOOL_PREFIX}kafka-console-producer${SUFFIX} --bootstrap-server kafka:9093 --topic "$topic" \
     && kcat -b 127.0.0.1:$HOST_PORT -C -t "$topic" -o 5 -c 1 -e -q -m 20 | grep -qx six; then
    ok "$label: kafka-console-producer -> kcat"
  else bad "$label: kafka-console-producer"; fi
  out=$(docker exec "$c" ${TOOL_PREFIX}kafka-topics${SUFFIX} --bootstrap-server kafka:9093 --list 2>&1)
  if grep -qx "$topic" <<<"$out"; then ok "$label: kafka-topics --list shows $topic"; else bad "$label: kafka-topics --list: $out"; fi
  out=$(docker exec "$c" ${TOOL_PREFIX}kafka-broker-api-versions${SUFFIX} --bootstrap-server kafka:9093 2>&1 | head -n 1)
  if [[ $out == kafka:9093* ]]; then ok "$label: kafka-broker-api-versions: $out"; else bad "$label: kafka-broker-api-versions: $out"; fi
  out=$(docker exec "$c" ${TOOL_PREFIX}kafka-consumer-groups${SUFFIX} --bootstrap-server kafka:9093 --list 2>&1) \
    && ok "$label: kafka-consumer-groups --list ran" || bad "$label: kafka-consumer-groups: $out"
  say "$label: Metadata v4 reply, first 16 bytes:$(raw_reply "$c" "$HC_REQUEST")"
  say "$label: Metadata v127 reply, first 16 bytes:$(raw_reply "$c" "$UNSUPPORTED_REQUEST")"
  if hc_grep_accepts "$c" "$UNSUPPORTED_REQUEST"; then
    bad "$label: the healthcheck takes the reply to an unsupported request for health"
  else ok "$label: the healthcheck refuses what is not a Metadata answer"; fi
  if hc_grep_accepts "$c" "$HC_REQUEST"; then ok "$label: healthcheck command passes on the running broker"; else bad "$label: healthcheck command fails"; fi
}

stats() {
  docker stats --no-stream --format '{{.Name}} {{.MemUsage}} CPU {{.CPUPerc}}' "$@" | sed 's/^/check: rss  /'
  local c
  for c in "$@"; do
    say "rss  $c PID1 VmRSS: $(docker exec "$c" awk '/VmRSS/ {print $2 " " $3}' /proc/1/status)"
  done
}



# A second broker whose INSIDE address does not resolve: it registers and answers requests, but the controller
# (broker 1) can never send it the cluster's metadata, so it knows no live broker. ApiVersions would call it
# healthy; the topology's probe must not (the state a re-created broker was in while the controller's JVM had
# its name's failed lookup cached: README, Healthchecks).
check_broker_without_metadata() {
  local k=$RUN_ID-kafka-2 apiversions='\0\0\0\x0c\0\x12\0\0\0\0\0\x01\0\x02hc' i answered=no
  api_create "$k" "$K39_IMAGE" kafka-2 "$HC_KAFKA" "" \
    KAFKA_BROKER_ID=2 KAFKA_ZOOKEEPER_CONNECT=zookeeper:2181 \
    KAFKA_LISTENERS=INSIDE://0.0.0.0:9093 KAFKA_ADVERTISED_LISTENERS=INSIDE://nowhere.invalid:9093 \
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=INSIDE:PLAINTEXT KAFKA_INTER_BROKER_LISTENER_NAME=INSIDE \
    KAFKA_LOG_CLEANER_DEDUPE_BUFFER_SIZE=16777216 "KAFKA_HEAP_OPTS=-Xmx128m -Xms128m"
  # Until its request handlers run (at most 60 s), then 5 s more for the controller to try.
  for ((i = 0; i < 120; i++)); do
    if docker exec "$k" bash -c "exec 3<>/dev/tcp/127.0.0.1/9093 && printf '$apiversions' >&3 && timeout 3 head -c 10 <&3 | od -An -tx1 | tr -d ' \\n' | grep -q '^........000000010000'" 2>/dev/null; then
      answered=yes; break
    fi
    sleep 0.5
  done
  if [[ $answered != yes ]]; then bad "broker without metadata: it never answered ApiVersions"; docker rm -f -v "$k" >/dev/null; return; fi
  say "broker without metadata: answers ApiVersions; its Metadata reply:$(raw_reply "$k" "$HC_REQUEST")"
  for ((i = 0; i < 5; i++)); do
    if hc_grep_accepts "$k" "$HC_REQUEST"; then bad "broker without metadata: the healthcheck passes"; docker rm -f -v "$k" >/dev/null; return; fi
    sleep 1
  done
  ok "broker without metadata: answers ApiVersions, but the healthcheck refuses it for 5 s (no live broker known)"
  docker rm -f -v "$k" >/dev/null
}

check_39() {
  say "=== ZooKeeper 3.8.4 + Kafka 3.9.2 (ZooKeeper mode), broker published on 127.0.0.1:$HOST_PORT"
  TOOL_PREFIX='' SUFFIX=''
  expect_fail "zookeeper without ZOOKEEPER_CLIENT_PORT" "ZOOKEEPER_CLIENT_PORT is required" "$ZK_IMAGE"
  expect_fail "kafka without KAFKA_ZOOKEEPER_CONNECT" "KAFKA_ZOOKEEPER_CONNECT is required" \
    -e KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://kafka:9092 "$K39_IMAGE"
  expect_fail "kafka without KAFKA_ADVERTISED_LISTENERS" "KAFKA_ADVERTISED_LISTENERS is required" \
    -e KAFKA_ZOOKEEPER_CONNECT=zookeeper:2181 "$K39_IMAGE"
  expect_fail "kafka 3.9 with KAFKA_PROCESS_ROLES" "KRaft mode is not supported by this image, use the 4.x image" \
    -e KAFKA_PROCESS_ROLES=broker,controller "$K39_IMAGE"

  # Rendering of awkward values (the start script stops at the ZooKeeper
  # wait; the rendered file is printed afterwards).
  local out
  out=$(docker run --rm -e KAFKA_ZOOKEEPER_CONNECT=nowhere:2181 -e KAFKA_CUB_ZK_TIMEOUT=1 \
      -e KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://kafka:9092 \
      -e 'KAFKA_LISTENER_NAME_OUTSIDE_SCRAM___SHA___256_SASL_JAAS_CONFIG=org.apache.kafka.common.security.scram.ScramLoginModule required username="a=b" password="p;q\r";' \
      -e KAFKA_CONFLUENT__X=1 -e KAFKA_HEAP_OPTS=-Xmx64m \
      "$K39_IMAGE" bash -c '/etc/confluent/docker/run >/dev/null 2>&1; cat /etc/kafka/kafka.properties')
  if grep -qxF 'listener.name.outside.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="a=b" password="p;q\\r";' <<<"$out" \
     && grep -qx 'listeners=PLAINTEXT://0.0.0.0:9092' <<<"$out" \
     && grep -qx 'log.dirs=/var/lib/kafka/data' <<<"$out" \
     && grep -qx 'confluent_x=1' <<<"$out" && ! grep -q heap <<<"$out"; then
    ok "kafka.properties rendering (___ -> -, __ -> _, backslash escaped, derived listeners, default log.dirs, exclusions)"
  else bad "kafka.properties rendering:"; sed 's/^/    /' <<<"$out"; fi

  out=$(docker run --rm -e ZOOKEEPER_CLIENT_PORT=2181 -e ZOOKEEPER_SERVER_ID=2 \
      -e 'ZOOKEEPER_SERVERS=zk1:2888:3888;zk2:2888:3888;zk3:2888:3888' -e ZOOKEEPER_AUTOPURGE_SNAP_RETAIN_COUNT=3 \
      -e ZOOKEEPER_MAX_CLIENT_CNXNS=60 "$ZK_IMAGE" \
      bash -c 'timeout 3 /etc/confluent/docker/run >/dev/null 2>&1; cat /etc/kafka/zookeeper.properties; echo "myid=$(cat /var/lib/zookeeper/data/myid)"')
  if grep -qx 'server.1=zk1:2888:3888' <<<"$out" && grep -qx 'server.3=zk3:2888:3888' <<<"$out" \
     && grep -qx 'initLimit=10' <<<"$out" && grep -qx 'syncLimit=5' <<<"$out" && grep -qx 'myid=2' <<<"$out" \
     && grep -qx 'autopurge.snapRetainCount=3' <<<"$out" && grep -qx 'maxClientCnxns=60' <<<"$out" \
     && grep -qx 'dataDir=/var/lib/zookeeper/data' <<<"$out"; then
    ok "zoo.cfg rendering (ZOOKEEPER_SERVERS -> server.N, myid, cp's name table, ensemble defaults)"
  else bad "zoo.cfg rendering:"; sed 's/^/    /' <<<"$out"; fi

  docker network create "$NET" >/dev/null
  start_zk_kafka "$RUN_ID-zookeeper" "$RUN_ID-kafka" "$HOST_PORT"
  say "healthchecks: $(docker inspect -f '{{json .Config.Healthcheck.Test}}' "$RUN_ID-zookeeper")"
  say "              $(docker inspect -f '{{json .Config.Healthcheck.Test}}' "$RUN_ID-kafka")"
  wait_healthy "$RUN_ID-zookeeper" 60 || return 0
  wait_healthy "$RUN_ID-kafka" 120 || return 0
  say "PID 1 in each: $(docker exec "$RUN_ID-zookeeper" ps -o user=,comm= -p 1) / $(docker exec "$RUN_ID-kafka" ps -o user=,comm= -p 1)"
  kafka_roundtrip "$RUN_ID-kafka" "kafka 3.9.2"
  stats "$RUN_ID-zookeeper" "$RUN_ID-kafka"
  check_broker_without_metadata
  stop_check "$RUN_ID-kafka" 'shut down completed' "kafka 3.9.2"
  # QuorumPeerMain logs nothing on SIGTERM: time and exit code only.
  stop_check "$RUN_ID-zookeeper" '' "zookeeper 3.8.4"
  docker rm -f -v "$RUN_ID-kafka" "$RUN_ID-zookeeper" >/dev/null
  docker network rm "$NET" >/dev/null
}

check_4x() {
  say "=== Kafka 4.2.0 (KRaft, single combined node), broker published on 127.0.0.1:$HOST_PORT"
  TOOL_PREFIX=/opt/kafka/bin/ SUFFIX=.sh
  expect_fail "kafka 4.2 without CLUSTER_ID" "CLUSTER_ID is required" \
    -e KAFKA_NODE_ID=1 -e KAFKA_PROCESS_ROLES=broker,controller "$K4_IMAGE"
  expect_fail "kafka 4.2 controller-only with advertised listeners" "KAFKA_ADVERTISED_LISTENERS is not supported on a KRaft controller" \
    -e CLUSTER_ID=$CLUSTER_ID -e KAFKA_PROCESS_ROLES=controller -e KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://x:9092 "$K4_IMAGE"

  docker network create "$NET" >/dev/null
  local k=$RUN_ID-kafka4
  start_kraft "$k" "$HOST_PORT"
  say "healthcheck: $(docker inspect -f '{{json .Config.Healthcheck.Test}}' "$k")"
  wait_healthy "$k" 120 || return 0
  say "PID 1: $(docker exec "$k" ps -o user=,comm= -p 1)"
  local logs
  logs=$(docker logs "$k" 2>&1)
  if grep -q 'Formatting metadata directory /var/lib/kafka/data' <<<"$logs"; then
    ok "kafka 4.2.0: storage formatted at first start"
  else bad "kafka 4.2.0: no 'Formatting metadata directory' in the log"; fi
  kafka_roundtrip "$k" "kafka 4.2.0"
  stats "$k"
  # A restart on the same (anonymous) volume must not re-format and must keep the data.
  docker restart -t 30 "$k" >/dev/null
  wait_healthy "$k" 120 || return 0
  local out
  out=$(kcat -b 127.0.0.1:$HOST_PORT -C -t "$LAST_TOPIC" -o beginning -c 6 -e -q -m 20 2>&1 | tr '\n' ' ' || true)
  logs=$(docker logs "$k" 2>&1)
  say "kafka 4.2.0: start script on restart: $(grep -iE 'already formatted|Formatting metadata' <<<"$logs" | tail -n 1 | cut -c1-200)"
  if [[ $out == 'one two three four five six ' ]]; then
    ok "kafka 4.2.0: after docker restart the storage is reused and the 6 messages are still there"
  else bad "kafka 4.2.0: after restart read '$out'"; fi
  stop_check "$k" 'shut down completed' "kafka 4.2.0"
  docker rm -f -v "$k" >/dev/null
  docker network rm "$NET" >/dev/null
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

for tool in docker curl jq kcat; do command -v "$tool" >/dev/null || { echo "check: $tool not found" >&2; exit 1; }; done
if [[ $WHICH == 3.9 || $WHICH == all ]]; then
  if image_exists "$ZK_IMAGE" && image_exists "$K39_IMAGE"; then check_39
  elif [[ $WHICH == 3.9 ]]; then bad "images missing: run test-images/build.sh --only 3.9"; fi
fi
if [[ $WHICH == 4.x || $WHICH == all ]]; then
  if image_exists "$K4_IMAGE"; then check_4x
  elif [[ $WHICH == 4.x ]]; then bad "image missing: run test-images/build.sh --only 4.x"; fi
fi
echo "check: $PASSES passed, $FAILS failed"
((FAILS == 0))
