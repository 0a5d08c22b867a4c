#!/usr/bin/env bash
# Builds kafka-lab-local/node:host from the JRE test image and this machine's node binary; skipped when
# an image with the same inputs (node binary, Dockerfile, base image ID) exists.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tag=kafka-lab-local/node:host
base=kafka-lab-local/jre:17
node_bin=$(readlink -f "$(command -v node)")
start=$(date +%s.%N)
base_id=$(docker image inspect -f '{{.Id}}' "$base" 2>/dev/null) || { echo "node-client: $base is missing; run test-images/build.sh first" >&2; exit 1; }
hash=$( { sha256sum <"$node_bin"; sha256sum <"$here/Dockerfile"; echo "$base_id"; } | sha256sum | cut -c1-64)
if [ "$(docker image inspect -f '{{ index .Config.Labels "org.kafka-lab.inputs-hash" }}' "$tag" 2>/dev/null)" = "$hash" ]; then
  echo "build-test-images: $tag up to date ($(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1fs", b-a}'))"
  exit 0
fi
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$here/Dockerfile" "$ctx/"
cp "$node_bin" "$ctx/node"
docker build -q --build-arg "BASE_IMAGE=$base" --label org.kafka-lab.test-image=true --label "org.kafka-lab.inputs-hash=$hash" -t "$tag" "$ctx" >/dev/null
docker run --rm "$tag" node --version >/dev/null
echo "build-test-images: $tag built, cold ($(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1fs", b-a}'); node $(node --version))"
