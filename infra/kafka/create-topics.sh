#!/bin/sh
# Creates every topic of topics.txt, or brings an existing one's retention in line with the file.
# Runs at every `docker compose up` (service `topic-init`), so it must be idempotent.
set -eu

BOOTSTRAP="${KAFKA_BOOTSTRAP:-kafka:9092}"
TOPICS_FILE="${TOPICS_FILE:-/infra/kafka/topics.txt}"
REPLICATION_FACTOR="${REPLICATION_FACTOR:-1}"
BIN="${KAFKA_BIN:-/opt/kafka/bin}"

grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$TOPICS_FILE" | while read -r name partitions retention; do
  "$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$name" --partitions "$partitions" --replication-factor "$REPLICATION_FACTOR" \
    --config "retention.ms=$retention" --config cleanup.policy=delete
  # --if-not-exists leaves an existing topic untouched; the file stays the authority on retention.
  "$BIN/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP" --alter --entity-type topics --entity-name "$name" \
    --add-config "retention.ms=$retention"
  echo "topic $name: $partitions partitions, retention.ms=$retention"
done
