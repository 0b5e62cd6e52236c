#!/bin/sh
# Entry point of sdp-test-kafka: renders the stack's server.properties template for the given ports
# (127.0.0.1 only), formats a fresh KRaft storage and runs the broker in the foreground.
set -eu
port=${1:?usage: kafka-start.sh BROKER_PORT CONTROLLER_PORT}
controller=${2:?usage: kafka-start.sh BROKER_PORT CONTROLLER_PORT}
heap=${KAFKA_HEAP:-512m}
dir=/var/lib/kafka
props=$dir/server.properties
mkdir -p "$dir/data"
sed -e "s#@KAFKA_LOG_DIRS@#$dir/data#g" -e "s#127\.0\.0\.1:9092#127.0.0.1:$port#g" \
  -e "s#127\.0\.0\.1:9093#127.0.0.1:$controller#g" /opt/kafka/server.properties.tmpl >"$props"
grep -q "^listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller$" "$props" ||
  { echo "kafka-start: the template's listeners line changed; update kafka-start.sh" >&2; exit 1; }
# 16 random bytes, base64url without padding, as kafka-storage random-uuid; never with a leading '-'
# (1 in 64: the format command would take it for an option and exit 1), as Kafka's own Uuid avoids.
cluster_id=-
while [ "${cluster_id#-}" != "$cluster_id" ]; do
  cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
done
log4j="-Dlog4j2.configurationFile=/opt/kafka/log4j2.xml"
java $log4j -cp '/opt/kafka/libs/*' kafka.tools.StorageTool format -t "$cluster_id" -c "$props" --ignore-formatted
exec java -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true $log4j \
  -cp '/opt/kafka/libs/*' kafka.Kafka "$props"
