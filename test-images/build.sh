#!/usr/bin/env bash
# Build the kafka-lab local test images (CI / e2e only; users get the public
# images). Nothing is pulled from an image registry: the base is a Debian
# rootfs made by mmdebstrap from the machine's own apt sources, the jars come
# from Maven with the machine's own Maven settings, kaskade's wheels from the
# Python package index with the machine's own pip (kaskade/wheels.sh).
#
#   test-images/build.sh [--only WHAT[,WHAT...]]
#     WHAT: 3.9 (ZooKeeper 3.8.4 + Kafka 3.9.2), 4.2 / 4.4 (Kafka 4.2.0 / 4.4.0,
#     KRaft; any 4.N of KAFKA4_LOG4J2), 4.x (all of them), connect (Kafka
#     Connect 3.9.2), apicurio (Apicurio Registry 3.0.9, the schema registry),
#     kaskade (the kaskade 5.1.0 console, on its own Python rootfs),
#     all (default). The jre base is always built first.
#
# Each image carries the label org.kafka-lab.inputs-hash (hash of everything
# that goes into it, including the parent's hash); an image whose tag and
# label already match is not rebuilt.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=$HERE/.build
ONLY=all

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case $1 in
    --only) ONLY=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --only=*) ONLY=${1#--only=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build-test-images: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
WANT=()
IFS=, read -ra _only <<<"$ONLY"
for w in "${_only[@]}"; do
  case $w in
    3.9|4.x|connect|apicurio|kaskade) WANT+=("$w") ;;
    registry) echo "build-test-images: --only registry is gone (kafka-lab's stand-in registry was removed): use --only apicurio" >&2; exit 2 ;;
    4.[0-9]|4.[0-9][0-9]) WANT+=("$w") ;; # checked against KAFKA4_LOG4J2 below
    all) WANT+=(3.9 4.x connect apicurio kaskade) ;;
    *) echo "build-test-images: --only takes 3.9, 4.2, 4.4, 4.x, connect, apicurio, kaskade or all, comma-separated (got '$w')" >&2; exit 2 ;;
  esac
done
((${#WANT[@]})) || { echo "build-test-images: --only needs a value" >&2; exit 2; }
wanted() { local w; for w in "${WANT[@]}"; do [[ $w == "$1" ]] && return 0; done; return 1; }

# ---- versions and tags ------------------------------------------------------
DEBIAN_SUITE=bookworm
KAFKA39_VERSION=3.9.2
ZOOKEEPER_VERSION=3.8.4        # what org.apache.kafka:kafka_2.13:3.9.2 depends on
SLF4J_RELOAD4J_VERSION=1.7.36
# Kafka 4.x: one recipe (kafka-4.x/), one image per version. The log4j2
# version is the log4j-core that org.apache.kafka:kafka-server:<version>
# depends on (checked after resolving: the copied jars must contain it).
declare -A KAFKA4_LOG4J2=(
  [4.2.0]=2.25.3
  [4.4.0]=2.25.5
)
KAFKA_CONNECT_VERSION=3.9.2    # = cp-kafka-connect 7.9's Apache Kafka line
# Apicurio Registry: the real server, built by Quarkus from Apicurio's published
# jars (apicurio-registry/pom.xml; 3.0.9 is the newest 3.x that can be put
# together from what Maven serves here, see test-images/README.md).
APICURIO_VERSION=3.0.9
# kaskade (the console's TUI): PyPI's kaskade, on bookworm's python3 (3.11);
# kaskade/requirements.txt pins it and its dependencies (kaskade/wheels.sh).
KASKADE_VERSION=5.1.0

JRE_TAG=kafka-lab-local/jre:17
JRE_ROOTFS_TAG=kafka-lab-local/jre-rootfs:17
ZK_TAG=kafka-lab-local/zookeeper:$ZOOKEEPER_VERSION
KAFKA39_TAG=kafka-lab-local/kafka:$KAFKA39_VERSION
CONNECT_TAG=kafka-lab-local/kafka-connect:$KAFKA_CONNECT_VERSION
APICURIO_TAG=kafka-lab-local/apicurio-registry:$APICURIO_VERSION
PYTHON_ROOTFS_TAG=kafka-lab-local/python-rootfs:3.11
KASKADE_TAG=kafka-lab-local/kaskade:$KASKADE_VERSION

LABEL_HASH=org.kafka-lab.inputs-hash
LABEL_TEST=org.kafka-lab.test-image
# Bump when the build recipe in this script changes in a way the hashed
# files do not show.
RECIPE_REV=1

# ---- helpers ----------------------------------------------------------------
say() { printf 'build-test-images: %s\n' "$*"; }
die() { printf 'build-test-images: ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# hash_inputs STRING... -- FILE... : sha256 of the strings and of each file's
# path (relative to test-images/) and content.
hash_inputs() {
  {
    while (($#)) && [[ $1 != -- ]]; do printf 'str:%s\n' "$1"; shift; done
    [[ ${1:-} == -- ]] && shift
    local f
    for f in "$@"; do
      printf 'file:%s\n' "${f#"$HERE"/}"
      sha256sum <"$f"
    done
  } | sha256sum | cut -c1-64
}

image_label() { # TAG LABEL -> value or empty
  docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}

up_to_date() { # TAG HASH
  [[ $(image_label "$1" "$LABEL_HASH") == "$2" ]]
}

# with_heartbeat MESSAGE CMD... : run CMD, printing MESSAGE every 15 s so a
# user sees the long step is alive.
with_heartbeat() {
  local msg=$1; shift
  local start=$SECONDS
  ( while sleep 15; do say "  ... $msg ($((SECONDS - start))s)"; done ) &
  local hb=$!
  local rc=0
  "$@" || rc=$?
  kill "$hb" 2>/dev/null || true
  wait "$hb" 2>/dev/null || true
  return "$rc"
}

# mvn_copy_deps POM OUTDIR WORKNAME [MVN_ARGS...] : resolve the pom's
# dependencies (cached in ~/.m2) and copy the jars to OUTDIR.
mvn_copy_deps() {
  local pom=$1 out=$2 work=$BUILD_DIR/mvn-$3; shift 3
  rm -rf "$work" "$out"
  mkdir -p "$work" "$out"
  cp "$pom" "$work/pom.xml"
  say "  mvn: resolving $(basename "$(dirname "$pom")")/pom.xml $* (jars cached in ~/.m2)"
  with_heartbeat "mvn dependency:copy-dependencies" \
    mvn -B -q -f "$work/pom.xml" "$@" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$out" >"$work/mvn.log" 2>&1 \
    || { tail -n 40 "$work/mvn.log" >&2; die "mvn failed for $pom (log: $work/mvn.log)"; }
  say "  mvn: $(find "$out" -name '*.jar' | wc -l) jars, $(du -sh "$out" | cut -f1)"
}

# docker_build TAG HASH CONTEXT [docker build args...]
docker_build() {
  local tag=$1 hash=$2 ctx=$3; shift 3
  local log=$BUILD_DIR/docker-build-${tag//[\/:]/_}.log
  with_heartbeat "docker build $tag" \
    docker build --label "$LABEL_TEST=true" --label "$LABEL_HASH=$hash" \
      -t "$tag" "$@" "$ctx" >"$log" 2>&1 \
    || { tail -n 40 "$log" >&2; die "docker build failed for $tag (log: $log)"; }
}

# stage_context NAME FILE... : fresh build context under .build/ctx-NAME
stage_context() {
  local ctx=$BUILD_DIR/ctx-$1; shift
  rm -rf "$ctx"
  mkdir -p "$ctx"
  cp -a "$@" "$ctx/"
  printf '%s' "$ctx"
}

BUILT=0 UP_TO_DATE=0
warm() { UP_TO_DATE=$((UP_TO_DATE + 1)); say "$1 up to date, warm ($2)"; }
cold() { BUILT=$((BUILT + 1)); say "$1 built, cold ($2)"; }

# check_lib LIBDIR TOOLS_LIST JAR... : every JAR (file name) is in LIBDIR and
# every main class of TOOLS_LIST ("name  main.Class" lines, '#' comments; may
# be "") is in one of its jars. A line may name alternatives, "name  a.B|c.D"
# (a class that moved between versions): the first one in the jars is taken,
# and the resolved list is written over the build context's copy
# (ctx/TOOLS_LIST's file name), which the Dockerfile turns into wrappers.
check_lib() {
  local lib=$1 tools=$2; shift 2
  local j
  for j in "$@"; do
    [[ -f $lib/$j ]] || die "expected $j among the resolved jars (found: $(cd "$lib" && ls | grep -E "^${j%%-[0-9]*}-[0-9]" | tr '\n' ' '))"
  done
  if [[ -z $tools ]]; then
    (($#)) && say "  jars: $* present"
    return 0
  fi
  local index name mains rest main found n=0 out
  local -a missing=() alts
  out=$(dirname "$lib")/$(basename "$tools")
  index=$(for j in "$lib"/*.jar; do unzip -Z1 "$j"; done)
  {
    printf '# resolved by build.sh from %s against the resolved jars\n' "$(basename "$tools")"
    while read -r name mains rest; do
      [[ -z ${name:-} || $name == \#* ]] && continue
      IFS='|' read -ra alts <<<"$mains"
      found=
      for main in "${alts[@]}"; do
        if grep -qxF "${main//.//}.class" <<<"$index"; then found=$main; break; fi
      done
      if [[ -n $found ]]; then printf '%-30s %s\n' "$name" "$found"; n=$((n + 1)); else missing+=("$name=$mains"); fi
    done <"$tools"
  } >"$out.tmp"
  ((${#missing[@]} == 0)) || die "main classes not in the jars: ${missing[*]}"
  mv "$out.tmp" "$out"
  say "  jars: ${*:-(no pinned jar)} present; the $n main classes of $(basename "$(dirname "$tools")")/$(basename "$tools") found"
}

# pom_has POM GROUP:ARTIFACT:VERSION : the tag's version must be the pom's.
pom_has() {
  local g a v flat
  IFS=: read -r g a v <<<"$2"
  flat=$(tr -d ' \n\t' <"$1")
  [[ $flat == *"<groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version>"* ]] \
    || die "$1 does not pin $2 (keep build.sh's versions and the pom in step)"
}

# ---- images -----------------------------------------------------------------
# rootfs_options ARRAY PACKAGES_FILE : the mmdebstrap options every rootfs of
# ours shares (the packages of the file, no docs, man pages or locales) into
# the array named ARRAY.
rootfs_options() {
  local -n into=$1
  local pkgs
  pkgs=$(grep -v '^[[:space:]]*\(#\|$\)' "$2" | tr '\n' ',' | sed 's/,$//')
  into=(
    --variant=apt
    "--include=$pkgs"
    "--aptopt=Acquire::Check-Valid-Until \"false\""
    "--dpkgopt=path-exclude=/usr/share/man/*"
    "--dpkgopt=path-exclude=/usr/share/doc/*"
    "--dpkgopt=path-include=/usr/share/doc/*/copyright"
    "--dpkgopt=path-exclude=/usr/share/locale/*"
  )
}

# make_rootfs NAME TAG HASH MMDEBSTRAP_OPTION... : the Debian rootfs (cached
# as .build/NAME-rootfs-<hash>.tar) imported as TAG with HASH as its label.
make_rootfs() {
  local name=$1 tag=$2 hash=$3; shift 3
  local tar=$BUILD_DIR/$name-rootfs-${hash:0:12}.tar log=$BUILD_DIR/mmdebstrap-$name.log
  if [[ -s $tar ]]; then
    say "  rootfs: reusing cached $(basename "$tar")"
  else
    # The machine's own apt sources (the deb822 / one-line files), so no
    # mirror is named here.
    local -a sources=()
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
      [[ -f $f ]] && grep -q '^[[:space:]]*\(deb\|Types:\)' "$f" && sources+=("$f")
    done
    ((${#sources[@]})) || die "no apt sources found in /etc/apt"
    say "  mmdebstrap: $DEBIAN_SUITE + $(printf '%s\n' "$@" | sed -n 's/^--include=//p') (about a minute)"
    rm -f "$BUILD_DIR/$name"-rootfs-*.tar "$tar.tmp"
    with_heartbeat "mmdebstrap" \
      mmdebstrap --format=tar "$@" "$DEBIAN_SUITE" "$tar.tmp" "${sources[@]}" >"$log" 2>&1 \
      || { tail -n 40 "$log" >&2; die "mmdebstrap failed (log: $log)"; }
    mv "$tar.tmp" "$tar"
    say "  rootfs: $(du -h "$tar" | cut -f1)"
  fi
  say "  docker import -> $tag"
  docker import --change "LABEL $LABEL_TEST=true" --change "LABEL $LABEL_HASH=$hash" \
    "$tar" "$tag" >/dev/null
}

JRE_HASH=
build_jre() {
  local start; start=$(now)
  # The rootfs recipe (options below) is part of the hash.
  local -a mm_opts
  rootfs_options mm_opts "$HERE/jre/packages.txt"
  # openjdk's postinst registers a man page alternative: needs the dir.
  mm_opts+=('--essential-hook=mkdir -p "$1/usr/share/man/man1"')
  JRE_HASH=$(hash_inputs "recipe=$RECIPE_REV" "suite=$DEBIAN_SUITE" "${mm_opts[@]}" -- \
    "$HERE/jre/Dockerfile" "$HERE/jre/packages.txt")
  if up_to_date "$JRE_TAG" "$JRE_HASH"; then
    warm "$JRE_TAG" "$(secs_since "$start")"
    return
  fi
  make_rootfs jre "$JRE_ROOTFS_TAG" "$JRE_HASH" "${mm_opts[@]}"
  docker_build "$JRE_TAG" "$JRE_HASH" "$HERE/jre" --build-arg "ROOTFS_IMAGE=$JRE_ROOTFS_TAG"
  cold "$JRE_TAG" "$(secs_since "$start")"
}

# build_java_image TAG DIR [OPTION...] [HASH_STRING...]
#   DIR has Dockerfile, pom.xml and the scripts; common/ is added to the
#   context; the jars land in the context's lib/. Options (all part of the
#   inputs hash): --mvn ARG (passed to mvn, e.g. -Dkafka.version=4.4.0),
#   --build-arg NAME=VALUE (docker build), --jar FILE (must be among the
#   resolved jars), --tools LIST (main classes that must be in the jars).
build_java_image() {
  local tag=$1 dir=$2; shift 2
  local start; start=$(now)
  local -a mvn_args=() build_args=() jars=() strs=()
  local tools=
  while (($#)); do
    case $1 in
      --mvn) mvn_args+=("$2"); strs+=("mvn:$2"); shift 2 ;;
      --build-arg) build_args+=(--build-arg "$2"); strs+=("build-arg:$2"); shift 2 ;;
      --jar) jars+=("$2"); strs+=("jar:$2"); shift 2 ;;
      --tools) tools=$2; shift 2 ;;
      *) strs+=("$1"); shift ;;
    esac
  done
  local -a files
  mapfile -t files < <(find "$HERE/$dir" "$HERE/common" -type f | LC_ALL=C sort)
  local hash
  hash=$(hash_inputs "recipe=$RECIPE_REV" "parent=$JRE_HASH" "${strs[@]}" -- "${files[@]}")
  if up_to_date "$tag" "$hash"; then
    warm "$tag" "$(secs_since "$start")"
    return
  fi
  local ctx name=${tag#kafka-lab-local/}
  name=${name//[\/:]/-}
  ctx=$(stage_context "$name" "$HERE/$dir/." )
  cp -a "$HERE/common" "$ctx/common"
  mvn_copy_deps "$HERE/$dir/pom.xml" "$ctx/lib" "$name" "${mvn_args[@]}"
  check_lib "$ctx/lib" "$tools" "${jars[@]}"
  say "  docker build -> $tag"
  docker_build "$tag" "$hash" "$ctx" --build-arg "BASE_IMAGE=$JRE_TAG" "${build_args[@]}"
  rm -rf "$ctx" # the jars stay cached in ~/.m2
  cold "$tag" "$(secs_since "$start")"
}

# build_apicurio : Apicurio Registry. Unlike the other images the host runs a
# whole Maven build (`mvn package`: the Quarkus build of apicurio-registry-app
# and its modules, see apicurio-registry/pom.xml), in a copy of the folder
# under .build/; its target/quarkus-app is the image's /deployments.
build_apicurio() {
  local start; start=$(now)
  local dir=$HERE/apicurio-registry
  local -a files
  mapfile -t files < <(find "$dir" -path "$dir/target" -prune -o -type f -print | LC_ALL=C sort)
  local hash
  hash=$(hash_inputs "recipe=$RECIPE_REV" "parent=$JRE_HASH" "apicurio=$APICURIO_VERSION" -- "${files[@]}")
  if up_to_date "$APICURIO_TAG" "$hash"; then
    warm "$APICURIO_TAG" "$(secs_since "$start")"
    return
  fi
  local work=$BUILD_DIR/mvn-apicurio-registry ctx
  rm -rf "$work"
  mkdir -p "$work"
  cp -a "$dir/." "$work/"
  rm -rf "$work/target"
  say "  mvn: Quarkus build of Apicurio Registry $APICURIO_VERSION (jars cached in ~/.m2)"
  with_heartbeat "mvn package (Quarkus build)" \
    mvn -B -f "$work/pom.xml" package >"$work/mvn.log" 2>&1 \
    || { grep -E '^\[(ERROR|WARNING)\]' "$work/mvn.log" | grep -v 'The POM for io.apicurio' | tail -n 40 >&2
         die "mvn failed for apicurio-registry/pom.xml (log: $work/mvn.log)"; }
  local app=$work/target/quarkus-app
  [[ -f $app/quarkus-run.jar ]] || die "the Quarkus build left no $app/quarkus-run.jar"
  [[ -f $app/lib/main/io.apicurio.apicurio-registry-app-$APICURIO_VERSION.jar ]] \
    || die "apicurio-registry-app-$APICURIO_VERSION.jar is not in $app/lib/main"
  say "  quarkus-app: $(find "$app/lib" -name '*.jar' | wc -l) jars, $(du -sh "$app" | cut -f1)"
  ctx=$(stage_context apicurio-registry "$dir/Dockerfile" "$dir/apicurio-run")
  mv "$app" "$ctx/quarkus-app"
  say "  docker build -> $APICURIO_TAG"
  docker_build "$APICURIO_TAG" "$hash" "$ctx" --build-arg "BASE_IMAGE=$JRE_TAG"
  rm -rf "$ctx" "$work"
  cold "$APICURIO_TAG" "$(secs_since "$start")"
}

# build_kaskade : kaskade on its own base, a bookworm rootfs with python3
# (the jre base has no Python, and Java is of no use here). The wheels of
# kaskade/requirements.txt are downloaded on the host (kaskade/wheels.sh,
# pip's cache keeps them) and installed into a venv in /opt/kaskade.
build_kaskade() {
  local start; start=$(now)
  local dir=$HERE/kaskade
  grep -q "^kaskade==$KASKADE_VERSION " "$dir/requirements.txt" \
    || die "kaskade/requirements.txt does not pin kaskade==$KASKADE_VERSION (run KASKADE_VERSION=$KASKADE_VERSION test-images/kaskade/wheels.sh lock)"
  local -a mm_opts
  rootfs_options mm_opts "$dir/packages.txt"
  local rootfs_hash hash
  rootfs_hash=$(hash_inputs "recipe=$RECIPE_REV" "suite=$DEBIAN_SUITE" "${mm_opts[@]}" -- "$dir/packages.txt")
  local -a files
  mapfile -t files < <(find "$dir" -type f | LC_ALL=C sort)
  hash=$(hash_inputs "recipe=$RECIPE_REV" "parent=$rootfs_hash" "kaskade=$KASKADE_VERSION" -- "${files[@]}")
  if up_to_date "$KASKADE_TAG" "$hash"; then
    warm "$KASKADE_TAG" "$(secs_since "$start")"
    return
  fi
  if up_to_date "$PYTHON_ROOTFS_TAG" "$rootfs_hash"; then
    say "  rootfs: $PYTHON_ROOTFS_TAG up to date"
  else
    make_rootfs python "$PYTHON_ROOTFS_TAG" "$rootfs_hash" "${mm_opts[@]}"
  fi
  local ctx
  ctx=$(stage_context kaskade "$dir/Dockerfile" "$dir/requirements.txt")
  say "  pip: downloading the $(grep -c '==' "$dir/requirements.txt") pinned wheels (cached by pip)"
  with_heartbeat "pip download" bash "$dir/wheels.sh" download "$ctx/wheels" >"$BUILD_DIR/pip-kaskade.log" 2>&1 \
    || { tail -n 40 "$BUILD_DIR/pip-kaskade.log" >&2; die "pip download failed (log: $BUILD_DIR/pip-kaskade.log)"; }
  say "  wheels: $(find "$ctx/wheels" -name '*.whl' | wc -l), $(du -sh "$ctx/wheels" | cut -f1)"
  say "  docker build -> $KASKADE_TAG"
  docker_build "$KASKADE_TAG" "$hash" "$ctx" --build-arg "ROOTFS_IMAGE=$PYTHON_ROOTFS_TAG"
  rm -rf "$ctx"
  # The install stage's image (venv + wheels, ~200 MB) is left dangling.
  docker image prune -f --filter label=org.kafka-lab.build-stage=kaskade-install >/dev/null
  local v
  v=$(docker run --rm --network none "$KASKADE_TAG" --version 2>&1) || die "$KASKADE_TAG --version failed: $v"
  [[ $v == *"$KASKADE_VERSION"* ]] || die "$KASKADE_TAG --version says '$v', expected $KASKADE_VERSION"
  cold "$KASKADE_TAG" "$(secs_since "$start")"
}

# ---- main -------------------------------------------------------------------
command -v docker >/dev/null || die "docker CLI not found"
docker info >/dev/null 2>&1 || die "docker daemon not reachable (start it: (dockerd >/tmp/dockerd.log 2>&1 &))"
command -v mmdebstrap >/dev/null || die "mmdebstrap not found (apt-get install mmdebstrap)"
command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
command -v unzip >/dev/null || die "unzip not found (apt-get install unzip)"
if wanted apicurio; then
  # mvn package compiles apicurio-registry/src: Maven's compiler needs a JDK, not just a JRE.
  command -v javac >/dev/null || die "javac not found (a JDK 17+ is needed for the Apicurio Registry build)"
fi
if wanted kaskade; then
  ${PYTHON:-python3} -m pip --version >/dev/null 2>&1 || die "pip not found (${PYTHON:-python3} -m pip: the kaskade image's wheels are downloaded on the host)"
fi
mkdir -p "$BUILD_DIR"

pom_has "$HERE/zookeeper/pom.xml" "org.apache.zookeeper:zookeeper:$ZOOKEEPER_VERSION"
pom_has "$HERE/kafka-3.9/pom.xml" "org.apache.kafka:kafka_2.13:$KAFKA39_VERSION"
pom_has "$HERE/kafka-3.9/pom.xml" "org.slf4j:slf4j-reload4j:$SLF4J_RELOAD4J_VERSION"
pom_has "$HERE/kafka-connect/pom.xml" "org.apache.kafka:connect-runtime:$KAFKA_CONNECT_VERSION"
pom_has "$HERE/kafka-connect/pom.xml" "org.apache.kafka:connect-file:$KAFKA_CONNECT_VERSION"
pom_has "$HERE/kafka-connect/pom.xml" "org.slf4j:slf4j-reload4j:$SLF4J_RELOAD4J_VERSION"
grep -q "<apicurio.version>$APICURIO_VERSION</apicurio.version>" "$HERE/apicurio-registry/pom.xml" \
  || die "apicurio-registry/pom.xml does not set apicurio.version $APICURIO_VERSION (keep build.sh's versions and the pom in step)"

for w in "${WANT[@]}"; do
  if [[ $w == 4.[0-9]* && $w != 4.x ]]; then
    printf '%s\n' "${!KAFKA4_LOG4J2[@]}" | grep -qx "$w\.[0-9]*" || die "no Kafka $w.x in KAFKA4_LOG4J2 (${!KAFKA4_LOG4J2[*]})"
  fi
done

TOTAL_START=$(now)
build_jre
if wanted 3.9; then
  build_java_image "$ZK_TAG" zookeeper "zookeeper=$ZOOKEEPER_VERSION" "slf4j-reload4j=$SLF4J_RELOAD4J_VERSION"
  build_java_image "$KAFKA39_TAG" kafka-3.9 "kafka=$KAFKA39_VERSION" "slf4j-reload4j=$SLF4J_RELOAD4J_VERSION"
fi
for v in $(printf '%s\n' "${!KAFKA4_LOG4J2[@]}" | sort -V); do
  wanted 4.x || wanted "${v%.*}" || continue
  build_java_image "kafka-lab-local/kafka:$v" kafka-4.x \
    --mvn "-Dkafka.version=$v" --mvn "-Dlog4j2.version=${KAFKA4_LOG4J2[$v]}" \
    --build-arg "KAFKA_VERSION=$v" \
    --jar "kafka_2.13-$v.jar" --jar "kafka-tools-$v.jar" \
    --jar "log4j-core-${KAFKA4_LOG4J2[$v]}.jar" --jar "log4j-slf4j-impl-${KAFKA4_LOG4J2[$v]}.jar" \
    --tools "$HERE/kafka-4.x/tools.txt"
done
if wanted connect; then
  build_java_image "$CONNECT_TAG" kafka-connect "kafka-connect=$KAFKA_CONNECT_VERSION" \
    --jar "connect-runtime-$KAFKA_CONNECT_VERSION.jar" --jar "connect-file-$KAFKA_CONNECT_VERSION.jar" \
    --jar "connect-json-$KAFKA_CONNECT_VERSION.jar" --jar "connect-transforms-$KAFKA_CONNECT_VERSION.jar" \
    --jar "slf4j-reload4j-$SLF4J_RELOAD4J_VERSION.jar" \
    --tools "$HERE/kafka-connect/main-classes.txt"
fi
if wanted apicurio; then
  build_apicurio
fi
if wanted kaskade; then
  build_kaskade
fi
say "total $(secs_since "$TOTAL_START") ($BUILT built, $UP_TO_DATE up to date)"
