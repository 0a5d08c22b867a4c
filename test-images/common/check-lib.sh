# Helpers that the check scripts share (sourced; PASSES and FAILS are the caller's counters; the
# caller also sets PREFIX (its containers' name prefix), NET, DOCKER_SOCK and API).

say() { printf 'check: %s\n' "$*"; }
ok() { PASSES=$((PASSES + 1)); printf 'check: ok   - %s\n' "$*"; }
bad() { FAILS=$((FAILS + 1)); printf 'check: FAIL - %s\n' "$*"; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The first port from PREFERRED on, wrapping within LOW-HIGH, that nothing on 127.0.0.1 listens on. (Called in
# $(...), so it cannot remember what it gave out: callers prefer ports apart.)
pick_port() { # PREFERRED LOW HIGH
  local p=$1 low=$2 high=$3 tries=0
  while port_busy "$p"; do
    p=$((p + 1))
    ((p <= high)) || p=$low
    ((++tries <= high - low)) || { printf 'check: no free port in %s-%s\n' "$low" "$high" >&2; return 1; }
  done
  echo "$p"
}

wait_healthy() { # NAME TIMEOUT_S
  local name=$1 timeout=$2 start=$SECONDS st
  while :; do
    st=$(docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$name")
    case $st in
      */healthy) ok "$name healthy after $((SECONDS - start))s"; return 0 ;;
      exited/*|dead/*) bad "$name exited before becoming healthy"; docker logs --tail 40 "$name" 2>&1 | sed 's/^/    /'; return 1 ;;
    esac
    if ((SECONDS - start > timeout)); then
      bad "$name not healthy after ${timeout}s (state $st)"
      docker inspect -f '{{json .State.Health}}' "$name" | jq . | tail -20 | sed 's/^/    /'
      docker logs --tail 40 "$name" 2>&1 | sed 's/^/    /'
      return 1
    fi
    sleep 0.5
  done
}

stop_check() { # CONTAINER PATTERN LABEL
  local c=$1 pat=$2 label=$3 t0 t1
  t0=$(date +%s.%N)
  docker stop -t 30 "$c" >/dev/null
  t1=$(date +%s.%N)
  local took; took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  local code; code=$(docker inspect -f '{{.State.ExitCode}}' "$c")
  local line=
  [[ -n $pat ]] && line=$(docker logs "$c" 2>&1 | grep -E "$pat" | tail -n 1 || true)
  if [[ -n $line || -z $pat ]] && awk -v t="$took" 'BEGIN { exit !(t < 30) }'; then
    ok "$label: docker stop took ${took}s, exit code $code${line:+, log: ${line:0:160}}"
  else
    bad "$label: docker stop took ${took}s, exit code $code, no '$pat' in the log"
    docker logs --tail 20 "$c" 2>&1 | sed 's/^/    /'
  fi
}

# The healthcheck arrays (JSON) exactly as the topology declares them for each ROLE (zookeeper, broker, connect,
# schema-registry), one per line: read from infra/model/, the one source (needs the project's node_modules: npm ci).
topology_healthchecks() { # ROLE...
  (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && node --import tsx --input-type=module -e '
    const { buildTopology } = await import("./infra/model/topology.ts");
    const { parseLabConfig } = await import("./infra/model/checks.ts");
    const config = parseLabConfig({ connect: "true", schemaRegistry: "true" });
    const { containers } = buildTopology(config, { project: "check", stack: "images" });
    for (const role of process.argv.slice(1)) {
      const spec = containers.find((c) => c.role === role);
      if (!spec) throw new Error(`the topology has no ${role} container`);
      console.log(JSON.stringify(spec.healthcheck.test));
    }' "$@")
}

# Creates and starts a container through the Docker API (so the healthcheck stays a CMD array, as the topology
# passes it), on $NET with HOSTNAME as its alias. PORTS: "" or "CONTAINER_PORT=HOST_PORT[,...]" on 127.0.0.1.
# CHECK_LABELS (a JSON object, default {}) become the container's labels.
api_create() { # NAME IMAGE HOSTNAME HEALTHCHECK_JSON PORTS ENV...
  local name=$1 image=$2 host=$3 hc=$4 ports=$5; shift 5
  local body
  body=$(jq -n --arg image "$image" --arg host "$host" --argjson hc "$hc" --arg net "$NET" --arg ports "$ports" \
    --argjson labels "${CHECK_LABELS:-{\}}" '{
      Image: $image, Hostname: $host, Env: $ARGS.positional, Labels: $labels,
      Healthcheck: {Test: $hc, Interval: 1000000000, Timeout: 6000000000, Retries: 3},
      ExposedPorts: ($ports | if . == "" then {} else (split(",") | map({key: ((split("=")[0]) + "/tcp"), value: {}}) | from_entries) end),
      HostConfig: {NetworkMode: $net,
        PortBindings: ($ports | if . == "" then {} else (split(",") | map({key: ((split("=")[0]) + "/tcp"),
          value: [{HostIp: "127.0.0.1", HostPort: (split("=")[1])}]}) | from_entries) end)},
      NetworkingConfig: {EndpointsConfig: {($net): {Aliases: [$host]}}}
    }' --args "$@")
  curl -sS --fail-with-body --unix-socket "$DOCKER_SOCK" -H 'Content-Type: application/json' \
    -d "$body" "$API/containers/create?name=$name" >/dev/null
  CREATED+=("$name")
  docker start "$name" >/dev/null
}

# The image must refuse to start: exit code 1 and EXPECTED_TEXT in its output.
expect_fail() { # LABEL EXPECTED_TEXT docker-run-args...
  local label=$1 want=$2; shift 2
  local out rc=0
  out=$(docker run --rm --name "$PREFIX-run-$RANDOM" "$@" 2>&1) || rc=$?
  if ((rc == 1)) && grep -qF -- "$want" <<<"$out"; then
    ok "$label: exits $rc with '$want'"
  else
    bad "$label: rc=$rc output: $(tail -n 3 <<<"$out")"
  fi
}

hc_cmd() { jq -r '.[3]' <<<"$1"; } # HEALTHCHECK_JSON -> its bash -c string

# One Kafka 4 node in KRaft mode, or ZooKeeper + Kafka 3.9, configured as the lab configures them. The caller
# sets K4_IMAGE, ZK_IMAGE, K39_IMAGE, CLUSTER_ID, KAFKA_HEAP, HC_ZK and HC_KAFKA; ENV... is added to Kafka's.
start_kraft() { # NAME HOST_PORT ENV...
  local name=$1 port=$2
  shift 2
  api_create "$name" "$K4_IMAGE" kafka "$HC_KAFKA" "9092=$port" \
    KAFKA_NODE_ID=1 KAFKA_PROCESS_ROLES=broker,controller KAFKA_CONTROLLER_QUORUM_VOTERS=1@kafka:9094 \
    KAFKA_LISTENERS=INSIDE://0.0.0.0:9093,OUTSIDE://0.0.0.0:9092,CONTROLLER://0.0.0.0:9094 \
    KAFKA_ADVERTISED_LISTENERS=INSIDE://kafka:9093,OUTSIDE://localhost:$port \
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=INSIDE:PLAINTEXT,OUTSIDE:PLAINTEXT,CONTROLLER:PLAINTEXT \
    KAFKA_INTER_BROKER_LISTENER_NAME=INSIDE KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER \
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1 KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1 \
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1 CLUSTER_ID=$CLUSTER_ID \
    KAFKA_LOG_DIRS=/var/lib/kafka/data "KAFKA_HEAP_OPTS=$KAFKA_HEAP" "$@"
}

start_zk_kafka() { # ZK_NAME KAFKA_NAME HOST_PORT ENV...
  local zk=$1 kafka=$2 port=$3
  shift 3
  api_create "$zk" "$ZK_IMAGE" zookeeper "$HC_ZK" "" \
    ZOOKEEPER_CLIENT_PORT=2181 ZOOKEEPER_TICK_TIME=2000 "KAFKA_HEAP_OPTS=-Xmx128m -Xms128m"
  api_create "$kafka" "$K39_IMAGE" kafka "$HC_KAFKA" "9092=$port" \
    KAFKA_BROKER_ID=1 KAFKA_ZOOKEEPER_CONNECT=zookeeper:2181 \
    KAFKA_LISTENERS=INSIDE://0.0.0.0:9093,OUTSIDE://0.0.0.0:9092 \
    KAFKA_ADVERTISED_LISTENERS=INSIDE://kafka:9093,OUTSIDE://localhost:$port \
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=INSIDE:PLAINTEXT,OUTSIDE:PLAINTEXT \
    KAFKA_INTER_BROKER_LISTENER_NAME=INSIDE KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1 \
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1 KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1 \
    "KAFKA_HEAP_OPTS=$KAFKA_HEAP" "$@"
}
