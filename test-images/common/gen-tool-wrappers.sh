#!/usr/bin/env bash
# Run at image build time: writes one wrapper script per line of a tools list
# ("name  main.Class"; '#' comments) into DEST_DIR.
#   gen-tool-wrappers.sh TOOLS_LIST DEST_DIR SUFFIX CLASSPATH LOG_OPTS
# Each wrapper is `exec java -Xmx128M ... -cp CLASSPATH MAIN "$@"`: a small
# heap, fast-start JIT settings, logging to stderr at
# ${KAFKA_TOOLS_LOG4J_LOGLEVEL:-WARN} (LOG_OPTS is pasted verbatim into the
# wrapper and may reference that variable). Nothing else from the container
# env (KAFKA_HEAP_OPTS, KAFKA_OPTS, JMX settings) is passed on, so a tool run
# inside a running broker container never clashes with the broker's JMX port.
set -euo pipefail
list=$1 dest=$2 suffix=$3 cp=$4 logopts=$5
mkdir -p "$dest"
n=0
while read -r name main rest; do
  [[ -z ${name:-} || $name == \#* ]] && continue
  [[ -n ${main:-} && -z ${rest:-} ]] || { echo "bad line in $list: $name $main $rest" >&2; exit 1; }
  f=$dest/$name$suffix
  cat >"$f" <<WRAP
#!/usr/bin/env bash
# $name: generated wrapper for $main (kafka-lab local test image)
exec java -Xmx128M -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true $logopts \\
  -cp '$cp' $main "\$@"
WRAP
  chmod 0755 "$f"
  n=$((n + 1))
done <"$list"
# kafka-run-class CLASS ARGS...: same settings for any main class.
cat >"$dest/kafka-run-class$suffix" <<WRAP
#!/usr/bin/env bash
# kafka-run-class: generated (kafka-lab local test image). Usage: kafka-run-class$suffix CLASS [ARGS...]
[[ \$# -ge 1 ]] || { echo "usage: kafka-run-class$suffix CLASS [ARGS...]" >&2; exit 1; }
exec java -Xmx128M -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true $logopts \\
  -cp '$cp' "\$@"
WRAP
chmod 0755 "$dest/kafka-run-class$suffix"
echo "generated $n tool wrappers (+ kafka-run-class$suffix) in $dest"
