# shellcheck shell=bash
# Helpers shared by the entrypoints of the kafka-lab local test images.
# Sourced (not executed); needs bash 4+.

log() { printf '===> %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Escape a value for a java.util.Properties file read as ISO-8859-1
# (Kafka and ZooKeeper both load their config with Properties.load(InputStream)):
# backslash, newline, CR, tab, form feed, a leading space, and every
# non-ASCII character (as \uXXXX, surrogate pairs above U+FFFF).
# Everything else ('=', ':', ';', '#', quotes, inner spaces) is legal verbatim
# in a value.
props_escape_value() {
  local v=$1 out c cp hi lo i
  local LC_ALL=C.UTF-8
  v=${v//\\/\\\\}
  v=${v//$'\n'/\\n}
  v=${v//$'\r'/\\r}
  v=${v//$'\t'/\\t}
  v=${v//$'\f'/\\f}
  [[ $v == ' '* ]] && v="\\$v"
  if [[ $v == *[![:ascii:]]* ]]; then
    out=
    for ((i = 0; i < ${#v}; i++)); do
      c=${v:i:1}
      printf -v cp '%d' "'$c"
      if ((cp < 128)); then
        out+=$c
      elif ((cp < 0x10000)); then
        printf -v c '\\u%04x' "$cp"; out+=$c
      else
        ((cp -= 0x10000, hi = 0xD800 + (cp >> 10), lo = 0xDC00 + (cp & 0x3FF)))
        printf -v c '\\u%04x\\u%04x' "$hi" "$lo"; out+=$c
      fi
    done
    v=$out
  fi
  printf '%s' "$v"
}

# Name rule shared by cp-kafka (confluent docker-utils env_to_props) and the
# ASF image (KafkaDockerWrapper): strip the prefix, lower-case, then
# '___' -> '-', '__' -> '_', '_' -> '.'.
env_name_to_prop() {
  local n=${1#"$2"}
  n=${n,,}
  n=${n//___/-}
  n=${n//__/$'\x01'}
  n=${n//_/.}
  n=${n//$'\x01'/_}
  printf '%s' "$n"
}

# in_list NAME LIST... : is NAME one of LIST?
in_list() {
  local x=$1; shift
  local y
  for y in "$@"; do [[ $x == "$y" ]] && return 0; done
  return 1
}

# write_env_props PREFIX OUTFILE EXCLUDED... : one "key=value" line per
# exported PREFIX* variable not in EXCLUDED, sorted by variable name.
write_env_props() {
  local prefix=$1 out=$2; shift 2
  local name
  : >"$out"
  while IFS= read -r name; do
    [[ $name == "$prefix"* ]] || continue
    in_list "$name" "$@" && continue
    printf '%s=%s\n' "$(env_name_to_prop "$name" "$prefix")" "$(props_escape_value "${!name}")" >>"$out"
  done < <(compgen -e | LC_ALL=C sort)
}

# wait_tcp HOSTPORTS TIMEOUT_S : wait until one host:port of a
# comma-separated list (an optional /chroot suffix is ignored) accepts a TCP
# connection. Returns 1 after TIMEOUT_S seconds.
wait_tcp() {
  local list=${1%%/*} timeout=$2 deadline hp host port
  local -a hps
  deadline=$((SECONDS + timeout))
  while :; do
    IFS=, read -ra hps <<<"$list"
    for hp in "${hps[@]}"; do
      host=${hp%:*}; port=${hp##*:}
      [[ $host == "$hp" ]] && port=2181
      if timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then
        return 0
      fi
    done
    ((SECONDS < deadline)) || return 1
    sleep 1
  done
}

# build_jvm_opts DEFAULT_HEAP LOG4J_FILE [log4j2] : fill the JVM_OPTS array the
# way Kafka's kafka-run-class does: KAFKA_HEAP_OPTS (default DEFAULT_HEAP),
# KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_JMX_OPTS (+ port from KAFKA_JMX_PORT,
# hostname from KAFKA_JMX_HOSTNAME), KAFKA_LOG4J_OPTS (default: the given
# file), then KAFKA_OPTS. The *_OPTS strings are word-split, as in the script.
build_jvm_opts() {
  local heap=${KAFKA_HEAP_OPTS:-$1} log4j_file=$2 flavour=${3:-log4j}
  local perf=${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}
  local jmx=${KAFKA_JMX_OPTS:--Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false}
  if [[ -n ${KAFKA_JMX_PORT-} ]]; then
    jmx+=" -Djava.rmi.server.hostname=${KAFKA_JMX_HOSTNAME:-$(hostname)}"
    jmx+=" -Dcom.sun.management.jmxremote.local.only=false"
    jmx+=" -Dcom.sun.management.jmxremote.port=$KAFKA_JMX_PORT -Dcom.sun.management.jmxremote.rmi.port=$KAFKA_JMX_PORT"
  fi
  local log4j
  if [[ $flavour == log4j2 ]]; then
    log4j=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$log4j_file}
  else
    log4j=${KAFKA_LOG4J_OPTS:--Dlog4j.configuration=file:$log4j_file}
  fi
  JVM_OPTS=()
  local -a w
  read -ra w <<<"$heap"; JVM_OPTS+=("${w[@]}")
  read -ra w <<<"$perf"; JVM_OPTS+=("${w[@]}")
  read -ra w <<<"$jmx"; JVM_OPTS+=("${w[@]}")
  JVM_OPTS+=(-Dkafka.logs.dir=/tmp)
  read -ra w <<<"$log4j"; JVM_OPTS+=("${w[@]}")
  read -ra w <<<"${KAFKA_OPTS-}"; JVM_OPTS+=("${w[@]}")
}
