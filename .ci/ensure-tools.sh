#!/usr/bin/env bash
# Makes sure this machine has what the end-to-end tests need: a running Docker engine, mmdebstrap (to
# build the local test images) and kcat (a Kafka client we did not write). Idempotent and quick when
# everything is already there. Uses the machine's own apt sources.
set -euo pipefail

log() { echo "[ensure-tools $(date +%T)] $*"; }

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-tools: missing ${missing[*]}; install them (sudo apt-get install ${missing[*]}) and run again" >&2
    exit 1
  fi
  log "installing ${missing[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  log "Docker engine answers ($(docker version --format '{{.Server.Version}}'))"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "ensure-tools: the Docker engine does not answer; start it (sudo systemctl start docker) and run again" >&2
  exit 1
fi
log "starting dockerd (log: /var/log/kafka-lab-dockerd.log)"
setsid dockerd >/var/log/kafka-lab-dockerd.log 2>&1 < /dev/null &
for i in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "Docker engine answers after ${i}s ($(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  sleep 1
done
echo "ensure-tools: dockerd did not answer within 60s; last lines of its log:" >&2
tail -n 20 /var/log/kafka-lab-dockerd.log >&2
exit 1
