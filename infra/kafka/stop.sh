#!/usr/bin/env bash
# Stops the broker started by start.sh (by its recorded pid only), with a controlled shutdown first.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
RUN=${KAFKA_RUN_DIR:-$DIR/run}
[ -f "$RUN/kafka.pid" ] || exit 0
PID=$(cat "$RUN/kafka.pid")
if kill -0 "$PID" 2>/dev/null; then
  kill -TERM "$PID"
  for _ in $(seq 1 60); do kill -0 "$PID" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$PID" 2>/dev/null && kill -KILL "$PID"
fi
rm -f "$RUN/kafka.pid"
