# Helpers that check.sh and check-ecosystem.sh share (sourced; PASSES and FAILS are the caller's counters).

say() { printf 'check: %s\n' "$*"; }
ok() { PASSES=$((PASSES + 1)); printf 'check: ok   - %s\n' "$*"; }
bad() { FAILS=$((FAILS + 1)); printf 'check: FAIL - %s\n' "$*"; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

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
