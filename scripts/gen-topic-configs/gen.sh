#!/usr/bin/env bash
# Regenerates the topic-config catalogues from Kafka's own code: for each Kafka line the lab runs, Maven resolves
# kafka-storage <version> and its dependencies (into ~/.m2), and TopicConfigCatalogue.java, run by the java
# single-file launcher on that classpath, writes
#   infra/model/topic-configs/kafka-<line>.json                 the catalogue infra/model/topic-configs.ts checks topics against
#   tests/unit/fixtures/topic-config-probes/kafka-<line>.json   Kafka's verdicts that the unit tests hold it to
# Needs a JDK 17+ and Maven. Usage: scripts/gen-topic-configs/gen.sh [version:line ...]
# (default: 3.9.2:3.9 4.4.0:4.4; e.g. `gen.sh 4.2.0:4.2` writes a 4.2 catalogue to compare).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(3.9.2:3.9 4.4.0:4.4)

mkdir -p "$root/infra/model/topic-configs" "$root/tests/unit/fixtures/topic-config-probes"
for target in "${targets[@]}"; do
  version=${target%%:*} line=${target#*:}
  mvn -q -B -f "$here/pom.xml" -Dkafka.version="$version" dependency:build-classpath -Dmdep.outputFile="$tmp/cp-$version" \
    >"$tmp/mvn.log" 2>&1 || { cat "$tmp/mvn.log" >&2; exit 1; }
  # slf4j-api without a binding says so on stderr at start; nothing else of this run logs.
  java -cp "$(cat "$tmp/cp-$version")" "$here/TopicConfigCatalogue.java" "$version" \
    "$root/infra/model/topic-configs/kafka-$line.json" "$root/tests/unit/fixtures/topic-config-probes/kafka-$line.json" \
    2> >(grep -v '^SLF4J:' >&2)
  echo "kafka $version -> infra/model/topic-configs/kafka-$line.json ($(grep -c '"name"' "$root/infra/model/topic-configs/kafka-$line.json") configs)," \
    "tests/unit/fixtures/topic-config-probes/kafka-$line.json ($(grep -c '"accepted"' "$root/tests/unit/fixtures/topic-config-probes/kafka-$line.json") probes)"
done
