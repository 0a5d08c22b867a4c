#!/usr/bin/env bash
# End-to-end check of kafka-lab-local/apicurio-registry:3.0.9 (Apicurio Registry, KafkaSQL storage)
# against real brokers from the local images:
#   test-images/check-apicurio.sh [kraft|zk|all]     (default: all)
# kraft: a single-node KRaft broker (kafka-lab-local/kafka:4.4.0, or CHECK_KAFKA4_VERSION=4.2.0), the
#        registry with the global BACKWARD rule the lab would set: the Confluent-compatible API
#        (/apis/ccompat/v7): register, read back by subject and by id, an incompatible change refused,
#        config, soft and permanent delete; the KafkaSQL topics it creates and their config (and the
#        replication setting that breaks the start); its time to ready; a restart (the schemas come
#        back from the topic); idle memory at a 128 MB heap; docker stop.
# zk:    ZooKeeper 3.8.4 + Kafka 3.9.2 (ZooKeeper mode) and the registry with Apicurio's defaults (no
#        compatibility rule: an incompatible change is accepted) at a 256 MB heap, and a restart.
# The brokers get the lab's KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0 (Apicurio's journal consumer
# joins a group: with Kafka's default 3 s the registry is ready about 3 s later).
# Also, without a broker: the start script's JVM options and a failed start. The registry's healthcheck
# is APICURIO_HC below, the same probe as the topology's for the apicurio flavour (/health/ready on
# 8080, infra/services/schema-registry.ts); the brokers' come from infra/ (npm ci). Everything is
# named kafka-lab-apicheck-*, labelled org.kafka-lab.check=apicurio, host ports on 127.0.0.1 in
# 33000-33999, and all of it is removed on exit (also on failure). Needs: docker, curl, jq, node.
set -euo pipefail
# shellcheck source=common/check-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/common/check-lib.sh"

WHICH=${1:-all}
case $WHICH in kraft|zk|all) ;; *) echo "usage: $0 [kraft|zk|all]" >&2; exit 2 ;; esac
P=kafka-lab-apicheck
PREFIX=$P
NET=$P-net
LABEL=org.kafka-lab.check=apicurio
CHECK_LABELS='{"org.kafka-lab.check":"apicurio"}'
DOCKER_SOCK=${DOCKER_SOCK:-/var/run/docker.sock}
API=http://localhost/v1.41
FAILS=0
PASSES=0
CREATED=()

K4_IMAGE=kafka-lab-local/kafka:${CHECK_KAFKA4_VERSION:-4.4.0}
ZK_IMAGE=kafka-lab-local/zookeeper:3.8.4
K39_IMAGE=kafka-lab-local/kafka:3.9.2
APICURIO_IMAGE=kafka-lab-local/apicurio-registry:3.0.9
CLUSTER_ID=MkU3OEVBNTcwNTJENDM2Qg
KAFKA_HEAP="-Xmx256m -Xms256m"
APICURIO_HEAP=${CHECK_APICURIO_HEAP:-"-Xms128m -Xmx128m"}

# The registry's healthcheck, in the form of the topology's HTTP probes (bash only, HTTP/1.0 over
# /dev/tcp, healthy only on a 200 status line): /health/ready, which Apicurio answers 503 until its
# storage is ready (for KafkaSQL: the journal topic read to its end), 200 after.
APICURIO_HC='["CMD","bash","-c","exec 3<>/dev/tcp/127.0.0.1/8080 && printf '"'"'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n'"'"' >&3 && timeout 5 head -n 1 <&3 | grep -q '"'"'^HTTP/1\\.[01] 200 '"'"'"]'
jq -e 'length == 4' <<<"$APICURIO_HC" >/dev/null
mapfile -t HEALTHCHECKS < <(topology_healthchecks zookeeper broker)
HC_ZK=${HEALTHCHECKS[0]:?could not read the healthchecks from infra/ (run npm ci)}
HC_KAFKA=${HEALTHCHECKS[1]:?could not read the healthchecks from infra/}

cleanup() {
  local ids
  ids=$(docker ps -aq --filter "label=$LABEL" 2>/dev/null || true)
  [[ -n $ids ]] && docker rm -f -v $ids >/dev/null 2>&1
  docker network ls -q --filter "label=$LABEL" | xargs -r docker network rm >/dev/null 2>&1 || true
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Host ports: 127.0.0.1 only, 33000-33999, skipping busy ones.
PORTS="33000 33999"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ccompat METHOD PATH [JSON_BODY] -> "HTTP_CODE BODY" against $CC (the ccompat base URL)
cc() {
  local args=(-sS -X "$1" -H 'Content-Type: application/vnd.schemaregistry.v1+json' -w '\n%{http_code}')
  [[ -n ${3-} ]] && args+=(-d "$3")
  local out
  out=$(curl "${args[@]}" "$CC$2")
  printf '%s %s\n' "$(tail -n 1 <<<"$out")" "$(sed '$d' <<<"$out")"
}
expect() { # LABEL WANT GOT
  if [[ $3 == "$2" ]]; then ok "$1 -> $3"; else bad "$1: want '$2', got '$3'"; fi
}

avro() { # FIELDS_JSON -> a ccompat registration body for record kl.User
  jq -cn --arg f "$1" '{schema: ({type: "record", name: "User", namespace: "kl", fields: ($f | fromjson)} | tojson)}'
}
V1=$(avro '[{"name":"name","type":"string"}]')
V2=$(avro '[{"name":"name","type":"string"},{"name":"age","type":"int","default":0}]')
BAD=$(avro '[{"name":"name","type":"string"},{"name":"email","type":"string"}]')
V1_SCHEMA=$(jq -r .schema <<<"$V1")

APICURIO_ENV_BASE=(
  APICURIO_STORAGE_KIND=kafkasql
  APICURIO_KAFKASQL_BOOTSTRAP_SERVERS=kafka:9093
  "JAVA_OPTS_APPEND=$APICURIO_HEAP"
)

# start_apicurio NAME HOST_PORT [ENV...]; sets STARTED (epoch) for ready_time
start_apicurio() {
  local name=$1 port=$2; shift 2
  STARTED=$(now)
  api_create "$name" "$APICURIO_IMAGE" apicurio "$APICURIO_HC" "8080=$port" "${APICURIO_ENV_BASE[@]}" "$@"
}
# ready_time PORT TIMEOUT_S: polls /health/ready every 0.1 s, says how long after STARTED it answered 200,
# and whether GET /subjects answered 200 before that (it does: it is no readiness signal).
ready_time() {
  local port=$1 timeout=$2 code subj early=
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready" || true)
    [[ $code == 200 ]] && break
    subj=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/apis/ccompat/v7/subjects" || true)
    [[ $subj == 200 && -z $early ]] && early=$(since "$STARTED")
    if awk -v t="$(since "$STARTED")" -v m="$timeout" 'BEGIN { exit !(t > m) }'; then
      bad "registry on $port: /health/ready not 200 after ${timeout}s (last $code)"; return 1
    fi
    sleep 0.1
  done
  ok "registry on $port: /health/ready 200 $(since "$STARTED")s after the container started${early:+ (GET /subjects already answered 200 at ${early}s, while /health/ready did not)}"
}

apicurio_rss() { # CONTAINER LABEL
  sleep "${IDLE_S:-20}"
  say "rss  $2: $(docker stats --no-stream --format '{{.MemUsage}}' "$1"), PID 1 VmRSS $(docker exec "$1" awk '/VmRSS/ {print $2 " " $3}' /proc/1/status)"
}

topics_of() { # KAFKA_CONTAINER -> "name partitions rf" lines for the KafkaSQL topics
  docker exec "$1" bash -c 'kt=$(command -v kafka-topics || echo /opt/kafka/bin/kafka-topics.sh)
    $kt --bootstrap-server kafka:9093 --describe 2>/dev/null' \
    | awk '$1 == "Topic:" && $3 == "TopicId:" { print $2, $6, $8 }' | grep -E '^(kafkasql-|registry-events)' | sort
}

# ---------------------------------------------------------------- without a broker

static_checks() {
  say "=== apicurio image: labels, user, start script"
  local labels user
  labels=$(docker image inspect -f '{{ index .Config.Labels "org.kafka-lab.test-image" }} {{ if index .Config.Labels "org.kafka-lab.inputs-hash" }}hash{{ end }}' "$APICURIO_IMAGE")
  expect "image labels" "true hash" "$labels"
  user=$(docker run --rm --label "$LABEL" --entrypoint bash "$APICURIO_IMAGE" -c 'echo "$(id -u):$(id -g) $PWD $JAVA_APP_DIR"')
  expect "user, working directory, JAVA_APP_DIR" "1001:0 /deployments /deployments" "$user"
  # A broker name that does not resolve: Apicurio stops at once (exit 1); the log shows the JVM options.
  expect_fail "registry with an unresolvable Kafka" "No resolvable bootstrap urls given in bootstrap.servers" \
    --label "$LABEL" -e APICURIO_STORAGE_KIND=kafkasql -e APICURIO_KAFKASQL_BOOTSTRAP_SERVERS=nowhere.invalid:9093 \
    -e "JAVA_OPTS_APPEND=-Xmx64m -Dkl.check=1" "$APICURIO_IMAGE"
  local out
  out=$(docker run --rm --label "$LABEL" -e APICURIO_STORAGE_KIND=kafkasql -e APICURIO_KAFKASQL_BOOTSTRAP_SERVERS=nowhere.invalid:9093 \
    -e "JAVA_OPTS_APPEND=-Xmx64m" -e JAVA_MAX_MEM_RATIO=0 "$APICURIO_IMAGE" 2>&1 | grep -m1 'exec java' || true)
  if [[ $out == *"exec java -XX:+UseParallelGC "*" -XX:+ExitOnOutOfMemoryError -Xmx64m -jar /deployments/quarkus-run.jar"* && $out != *MaxRAMPercentage* ]]; then
    ok "JAVA_OPTS_APPEND follows the defaults, JAVA_MAX_MEM_RATIO=0 drops MaxRAMPercentage: ${out#*exec }"
  else bad "default JVM options: $out"; fi
  out=$(docker run --rm --label "$LABEL" -e APICURIO_STORAGE_KIND=kafkasql -e APICURIO_KAFKASQL_BOOTSTRAP_SERVERS=nowhere.invalid:9093 \
    -e "JAVA_OPTS=-Xmx48m" -e "JAVA_OPTS_APPEND=-Dnot.used=1" "$APICURIO_IMAGE" 2>&1 | grep -m1 'exec java' || true)
  [[ $out == *"exec java -Xmx48m -jar /deployments/quarkus-run.jar"* ]] \
    && ok "JAVA_OPTS replaces the defaults and JAVA_OPTS_APPEND (as run-java.sh): ${out#*exec }" || bad "JAVA_OPTS: $out"
  # The smallest heap: 24 MB starts (in memory, sql storage), 16 MB does not.
  out=$(docker run --rm --label "$LABEL" -e "JAVA_OPTS_APPEND=-Xms16m -Xmx16m" "$APICURIO_IMAGE" 2>&1 | grep -m1 -o 'Terminating due to java.lang.OutOfMemoryError: Java heap space' || true)
  [[ -n $out ]] && ok "-Xmx16m: '$out' (exit 3)" || bad "-Xmx16m did not run out of heap"
}

# ---------------------------------------------------------------- flows

kraft_flow() {
  say "=== KRaft: $K4_IMAGE + $APICURIO_IMAGE (kafkasql, global rule BACKWARD, topics kept forever)"
  docker network create --label "$LABEL" "$NET" >/dev/null
  local kport rport k=$P-kafka r=$P-apicurio out
  kport=$(pick_port 33092 $PORTS); rport=$(pick_port 33080 $PORTS)
  start_kraft "$k" "$kport" KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0
  wait_healthy "$k" 90 || return 1
  start_apicurio "$r" "$rport" APICURIO_RULES_GLOBAL_COMPATIBILITY=BACKWARD APICURIO_KAFKASQL_TOPIC_RETENTION_MS=-1
  ready_time "$rport" 120 || { docker logs --tail 30 "$r" 2>&1 | sed 's/^/    /'; return 1; }
  wait_healthy "$r" 30 || return 1
  say "registry: PID 1: $(docker exec "$r" ps -o user=,comm= -p 1)"
  # The probe with another path must fail: /nope answers 404.
  if docker exec "$r" bash -c "$(hc_cmd "$APICURIO_HC" | sed 's#/health/ready#/nope#')"; then
    bad "healthcheck with /nope passed"; else ok "healthcheck command with /nope (404) fails"; fi
  out=$(curl -sS "http://127.0.0.1:$rport/health/ready" | jq -c '[.status, (.checks | map(.name + "=" + .status))]')
  say "registry: GET /health/ready: $out"

  CC=http://127.0.0.1:$rport/apis/ccompat/v7
  expect "GET /subjects on an empty store" '200 []' "$(cc GET /subjects)"
  expect "GET /config (the env rule is not shown here)" '200 {"compatibilityLevel":"NONE"}' "$(cc GET /config)"
  expect "the env rule is Apicurio's global rule" '{"config":"BACKWARD","ruleType":"COMPATIBILITY"}' \
    "$(curl -sS "http://127.0.0.1:$rport/apis/registry/v3/admin/rules/COMPATIBILITY")"
  expect "POST /subjects/kl-user-value/versions (v1)" '200 {"id":1}' "$(cc POST /subjects/kl-user-value/versions "$V1")"
  expect "registering v1 again returns its id" '200 {"id":1}' "$(cc POST /subjects/kl-user-value/versions "$V1")"
  out=$(cc GET /subjects/kl-user-value/versions/latest)
  expect "GET /subjects/kl-user-value/versions/latest" \
    "200 $(jq -cn --arg s "$V1_SCHEMA" '{subject: "kl-user-value", version: 1, id: 1, schema: $s, schemaType: "AVRO", references: []}')" "$out"
  expect "GET /schemas/ids/1" "200 $(jq -cn --arg s "$V1_SCHEMA" '{schema: $s, schemaType: "AVRO", references: []}')" "$(cc GET /schemas/ids/1)"
  expect "compatibility of a new field without default (BACKWARD)" '200 {"is_compatible":false}' \
    "$(cc POST /compatibility/subjects/kl-user-value/versions/latest "$BAD")"
  expect "registering it is refused" \
    '409 {"message":"io.apicurio.registry.rules.RuleViolationException: Incompatible artifact: kl-user-value [AVRO], num of incompatible diffs: {1}, list of diff types: [email at /fields/1]","error_code":409}' \
    "$(cc POST /subjects/kl-user-value/versions "$BAD")"
  expect "register v2 (a new field with a default)" '200 {"id":2}' "$(cc POST /subjects/kl-user-value/versions "$V2")"
  expect "GET /subjects/kl-user-value/versions" '200 [1,2]' "$(cc GET /subjects/kl-user-value/versions)"
  expect "v1 under another subject keeps its id" '200 {"id":1}' "$(cc POST /subjects/kl-other-value/versions "$V1")"
  expect "PUT /config BACKWARD" '200 {"compatibilityLevel":"BACKWARD"}' "$(cc PUT /config '{"compatibility":"BACKWARD"}')"
  expect "GET /config now" '200 {"compatibilityLevel":"BACKWARD"}' "$(cc GET /config)"
  expect "GET /config/kl-user-value (no subject rule: not the global one)" '200 {"compatibilityLevel":"NONE"}' "$(cc GET /config/kl-user-value)"
  expect "PUT /config/kl-user-value FULL" '200 {"compatibilityLevel":"FULL"}' "$(cc PUT /config/kl-user-value '{"compatibility":"FULL"}')"
  expect "permanent delete before a soft one" '409 {"message":"Subject kl-other-value must be soft deleted first","error_code":40405}' \
    "$(cc DELETE '/subjects/kl-other-value?permanent=true')"
  expect "DELETE /subjects/kl-other-value (soft)" '200 [1]' "$(cc DELETE /subjects/kl-other-value)"
  expect "GET /subjects hides it" '200 ["kl-user-value"]' "$(cc GET /subjects)"
  expect "GET /subjects?deleted=true lists it" '200 ["kl-user-value","kl-other-value"]' "$(cc GET '/subjects?deleted=true')"
  expect "its latest version is gone" "404 {\"message\":\"No artifact with ID 'kl-other-value' in group 'null' was found.\",\"error_code\":40401}" \
    "$(cc GET /subjects/kl-other-value/versions/latest)"
  expect "DELETE ...?permanent=true" '200 [1]' "$(cc DELETE '/subjects/kl-other-value?permanent=true')"
  expect "GET /subjects?deleted=true after it" '200 ["kl-user-value"]' "$(cc GET '/subjects?deleted=true')"
  expect "id 1 is still served (kl-user-value v1 has it)" "200 $(jq -cn --arg s "$V1_SCHEMA" '{schema: $s, schemaType: "AVRO", references: []}')" "$(cc GET /schemas/ids/1)"
  expect "an unknown id" "404 {\"message\":\"No content with ID '99' was found.\",\"error_code\":40403}" "$(cc GET /schemas/ids/99)"

  out=$(topics_of "$k" | tr '\n' ';')
  expect "topics Apicurio created (name partitions replication)" "kafkasql-journal 1 1;kafkasql-snapshots 1 1;registry-events 1 1;" "$out"
  out=$(docker exec "$k" /opt/kafka/bin/kafka-configs.sh --bootstrap-server kafka:9093 --describe --entity-type topics \
    --entity-name kafkasql-journal 2>/dev/null | grep -oE '^ *(retention.ms|min.insync.replicas|cleanup.policy)=[^ ]*' | tr -d ' ' | sort | tr '\n' ' ')
  expect "kafkasql-journal's own config (APICURIO_KAFKASQL_TOPIC_RETENTION_MS=-1)" "min.insync.replicas=1 retention.ms=-1 " "$out"
  # APICURIO_KAFKASQL_TOPIC_* become topic configs, and replication.factor is not one: Apicurio 3.0.9
  # uses it as the replication and passes it on to Kafka as well, which refuses the topic.
  expect_fail "APICURIO_KAFKASQL_TOPIC_REPLICATION_FACTOR" "InvalidConfigurationException: Unknown topic config name: replication.factor" \
    --label "$LABEL" --network "$NET" -e APICURIO_STORAGE_KIND=kafkasql -e APICURIO_KAFKASQL_BOOTSTRAP_SERVERS=kafka:9093 \
    -e APICURIO_KAFKASQL_TOPIC=rf-journal -e APICURIO_KAFKASQL_SNAPSHOTS_TOPIC=rf-snapshots -e APICURIO_EVENTS_KAFKA_TOPIC=rf-events \
    -e APICURIO_KAFKASQL_TOPIC_REPLICATION_FACTOR=1 -e "JAVA_OPTS_APPEND=-Xmx64m" "$APICURIO_IMAGE"

  apicurio_rss "$r" "apicurio ($APICURIO_HEAP, 2 subjects)"

  say "--- restart: the schemas come back from kafkasql-journal"
  local t0; t0=$(now)
  docker stop -t 30 "$r" >/dev/null
  say "registry: docker stop took $(since "$t0")s, exit code $(docker inspect -f '{{.State.ExitCode}}' "$r")"
  STARTED=$(now)
  docker start "$r" >/dev/null
  ready_time "$rport" 120 || return 1
  wait_healthy "$r" 30 || return 1
  expect "after the restart: GET /subjects" '200 ["kl-user-value"]' "$(cc GET /subjects)"
  expect "after the restart: versions" '200 [1,2]' "$(cc GET /subjects/kl-user-value/versions)"
  expect "after the restart: GET /schemas/ids/2" "200 $(jq -cn --arg s "$(jq -r .schema <<<"$V2")" '{schema: $s, schemaType: "AVRO", references: []}')" "$(cc GET /schemas/ids/2)"
  expect "after the restart: GET /config" '200 {"compatibilityLevel":"BACKWARD"}' "$(cc GET /config)"
  expect "after the restart: GET /config/kl-user-value" '200 {"compatibilityLevel":"FULL"}' "$(cc GET /config/kl-user-value)"
  stop_check "$r" '' "registry"
  docker rm -f -v "$r" "$k" >/dev/null
  docker network rm "$NET" >/dev/null
}

zk_flow() {
  say "=== ZooKeeper mode: $ZK_IMAGE + $K39_IMAGE + $APICURIO_IMAGE (kafkasql, Apicurio's defaults)"
  docker network create --label "$LABEL" "$NET" >/dev/null
  local kport rport z=$P-zookeeper k=$P-kafka39 r=$P-apicurio39
  kport=$(pick_port 33192 $PORTS); rport=$(pick_port 33180 $PORTS)
  start_zk_kafka "$z" "$k" "$kport" KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0
  wait_healthy "$z" 60 || return 1
  wait_healthy "$k" 90 || return 1
  local APICURIO_ENV_BASE=(APICURIO_STORAGE_KIND=kafkasql APICURIO_KAFKASQL_BOOTSTRAP_SERVERS=kafka:9093
    "JAVA_OPTS_APPEND=-Xms256m -Xmx256m")
  start_apicurio "$r" "$rport"
  ready_time "$rport" 120 || { docker logs --tail 30 "$r" 2>&1 | sed 's/^/    /'; return 1; }
  wait_healthy "$r" 30 || return 1
  CC=http://127.0.0.1:$rport/apis/ccompat/v7
  expect "GET /config (Apicurio's default: no rule)" '200 {"compatibilityLevel":"NONE"}' "$(cc GET /config)"
  expect "register v1" '200 {"id":1}' "$(cc POST /subjects/kl-user-value/versions "$V1")"
  expect "without a rule a new field without default is accepted" '200 {"id":2}' "$(cc POST /subjects/kl-user-value/versions "$BAD")"
  out=$(topics_of "$k" | tr '\n' ';')
  expect "topics on Kafka 3.9.2" "kafkasql-journal 1 1;kafkasql-snapshots 1 1;registry-events 1 1;" "$out"
  apicurio_rss "$r" "apicurio (-Xms256m -Xmx256m, 1 subject)"
  docker stop -t 30 "$r" >/dev/null
  STARTED=$(now)
  docker start "$r" >/dev/null
  ready_time "$rport" 120 || return 1
  expect "after a restart" '200 [1,2]' "$(cc GET /subjects/kl-user-value/versions)"
  docker rm -f -v "$r" "$k" "$z" >/dev/null
  docker network rm "$NET" >/dev/null
}

cleanup
static_checks
case $WHICH in
  kraft) kraft_flow || true ;;
  zk) zk_flow || true ;;
  all) kraft_flow || true; zk_flow || true ;;
esac
say "image size: $(docker image inspect -f '{{.Size}}' "$APICURIO_IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
printf '%d passed, %d failed\n' "$PASSES" "$FAILS"
((FAILS == 0))
