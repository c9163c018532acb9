#!/usr/bin/env bash
# Starts a throw-away single-node Apache Kafka broker (KRaft, broker+controller in one JVM) on
# 127.0.0.1 for tests and local runs. The broker's jars come from Maven Central (pom.xml) on the
# first run and are kept in lib/. Prints KAFKA_BROKERS=127.0.0.1:PORT and writes it to run/brokers.
#
# env: KAFKA_PORT, KAFKA_CONTROLLER_PORT  fixed ports (default: two free ports)
#      KAFKA_RUN_DIR        state directory, wiped on every start (default: infra/kafka/run)
#      KAFKA_HEAP_OPTS      default "-Xms256m -Xmx768m"
#      KAFKA_START_TIMEOUT  seconds to wait for the broker (default 120)
set -euo pipefail
DIR=$(cd "$(dirname "$0")" && pwd)
RUN=${KAFKA_RUN_DIR:-$DIR/run}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

command -v "$JAVA" >/dev/null || { echo "kafka: no java on PATH (a JDK 17+ is needed)" >&2; exit 1; }
if ! ls "$DIR"/lib/kafka_2.13-*.jar >/dev/null 2>&1; then
  command -v mvn >/dev/null || { echo "kafka: no mvn on PATH (needed once, to fetch the broker's jars)" >&2; exit 1; }
  (cd "$DIR" && mvn -q -B dependency:copy-dependencies -DoutputDirectory=lib)
fi

if [ -f "$RUN/kafka.pid" ] && kill -0 "$(cat "$RUN/kafka.pid")" 2>/dev/null; then
  echo "kafka: a broker from $RUN is still running (pid $(cat "$RUN/kafka.pid")); stop it first" >&2
  exit 1
fi

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
PORT=${KAFKA_PORT:-$(free_port)}
CPORT=${KAFKA_CONTROLLER_PORT:-$(free_port)}
while [ "$CPORT" = "$PORT" ]; do CPORT=$(free_port); done

rm -rf "$RUN"
mkdir -p "$RUN/data"
sed -e "s#@PORT@#$PORT#g" -e "s#@CONTROLLER_PORT@#$CPORT#g" -e "s#@DATA_DIR@#$RUN/data#g" \
  "$DIR/server.properties.template" >"$RUN/server.properties"

CP="$DIR/lib/*"
# shellcheck disable=SC2206 # KAFKA_HEAP_OPTS is a list of JVM flags
JVM_OPTS=(${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20
  -Djava.awt.headless=true "-Dlog4j2.configurationFile=$DIR/log4j2.properties" "-Dkafka.logs.dir=$RUN")

CLUSTER_ID=$("$JAVA" "${JVM_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool random-uuid 2>>"$RUN/format.log" | tail -n1)
"$JAVA" "${JVM_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool format --standalone \
  -t "$CLUSTER_ID" -c "$RUN/server.properties" >>"$RUN/format.log" 2>&1 || { cat "$RUN/format.log" >&2; exit 1; }

nohup "$JAVA" "${JVM_OPTS[@]}" -cp "$CP" kafka.Kafka "$RUN/server.properties" >"$RUN/kafka.log" 2>&1 </dev/null &
PID=$!
echo "$PID" >"$RUN/kafka.pid"

deadline=$(($(date +%s) + ${KAFKA_START_TIMEOUT:-120}))
until grep -q "Kafka Server started" "$RUN/kafka.log" 2>/dev/null; do
  if ! kill -0 "$PID" 2>/dev/null; then echo "kafka: exited during start-up:" >&2; tail -n 40 "$RUN/kafka.log" >&2; exit 1; fi
  if [ "$(date +%s)" -ge "$deadline" ]; then echo "kafka: not ready in time:" >&2; tail -n 40 "$RUN/kafka.log" >&2; exit 1; fi
  sleep 0.3
done
echo "127.0.0.1:$PORT" >"$RUN/brokers"
echo "KAFKA_BROKERS=127.0.0.1:$PORT"
