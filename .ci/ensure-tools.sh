#!/usr/bin/env bash
# Makes sure this machine has what the end-to-end tests need: a running Docker engine, mmdebstrap (to
# build the local test images), kcat (a Kafka client we did not write), tmux (the terminal the console's check
# drives) and sshd (openssh-server: the remote engine of tests/e2e/remote-engine.ts is reached over SSH too; its
# service is not started). Idempotent and
# quick when everything is already there. Uses the machine's own apt sources.
set -euo pipefail

log() { echo "[ensure-tools $(date +%T)] $*"; }

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-tools: missing ${missing[*]}; install them (sudo apt-get install ${missing[*]}) and run again" >&2
    exit 1
  fi
  log "installing ${missing[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # No service starts while installing (openssh-server would start the system's sshd on port 22).
  own_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && own_policy=1
  fi
  status=0
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
  [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
  [ "$status" = 0 ] || exit "$status"
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
