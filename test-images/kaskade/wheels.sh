#!/usr/bin/env bash
# Wheels for kafka-lab-local/kaskade, fetched on the host with pip (as the jars
# of the other images come from Maven on the host); `docker build` only copies
# them, it reaches no package index.
#
#   wheels.sh download OUTDIR   the wheels pinned in requirements.txt (exact
#                               versions and sha256, --no-deps) into OUTDIR
#   wheels.sh lock              resolve kaskade==$KASKADE_VERSION afresh and
#                               rewrite requirements.txt (then rebuild)
#
# The target is the image's interpreter: Debian bookworm's python3 (CPython
# 3.11, glibc 2.36, x86_64); binary wheels only (no compiler in the image).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KASKADE_VERSION=${KASKADE_VERSION:-5.1.0}
PY=${PYTHON:-python3}

target=(--only-binary=:all: --python-version 3.11 --implementation cp --abi cp311)
# pip takes the platform tags literally: list every manylinux level that
# glibc 2.36 accepts.
for v in 36 35 34 33 32 31 30 29 28 27 26 25 24 17 12 5; do target+=(--platform "manylinux_2_${v}_x86_64"); done
target+=(--platform manylinux2014_x86_64 --platform manylinux2010_x86_64 --platform manylinux1_x86_64)

# Only the package index: no local find-links (a wheel built elsewhere would
# not match the pinned hashes).
export PIP_FIND_LINKS= PIP_DISABLE_PIP_VERSION_CHECK=1

case ${1:-} in
  download)
    out=${2:?usage: wheels.sh download OUTDIR}
    mkdir -p "$out"
    "$PY" -m pip download -q --no-deps --require-hashes "${target[@]}" \
      -r "$HERE/requirements.txt" -d "$out"
    ;;
  lock)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    "$PY" -m pip download -q "${target[@]}" "kaskade==$KASKADE_VERSION" -d "$tmp"
    {
      printf '# kafka-lab-local/kaskade: kaskade %s and its dependencies, resolved by\n' "$KASKADE_VERSION"
      printf '# `test-images/kaskade/wheels.sh lock` for CPython 3.11 (Debian bookworm),\n'
      printf '# manylinux x86_64, binary wheels only. One wheel per line; part of the\n'
      printf "# image's inputs hash.\n"
      for whl in "$tmp"/*.whl; do
        f=$(basename "$whl")
        name=${f%%-*}
        rest=${f#*-}
        ver=${rest%%-*}
        printf '%s==%s --hash=sha256:%s\n' "$(tr '_' '-' <<<"${name,,}")" "$ver" "$(sha256sum "$whl" | cut -c1-64)"
      done | LC_ALL=C sort -f
    } >"$HERE/requirements.txt.tmp"
    mv "$HERE/requirements.txt.tmp" "$HERE/requirements.txt"
    echo "wheels.sh: $(grep -c '==' "$HERE/requirements.txt") packages pinned in $HERE/requirements.txt"
    ;;
  *) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
