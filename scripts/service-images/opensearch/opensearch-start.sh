#!/bin/sh
# Entry point of sdp-test-opensearch: renders the stack's opensearch.yml template for the given ports
# and runs the node in the foreground (logs on stdout) with Debian's JRE.
set -eu
http=${1:?usage: opensearch-start.sh HTTP_PORT TRANSPORT_PORT}
transport=${2:?usage: opensearch-start.sh HTTP_PORT TRANSPORT_PORT}
home=/opt/opensearch
conf=$home/config/opensearch.yml
sed -e "s#@OPENSEARCH_DATA@#/var/lib/opensearch/data#g" -e "s#@OPENSEARCH_LOGS@#/var/lib/opensearch/logs#g" \
  -e "s#^http\.port: .*#http.port: $http#" /opt/sdp/opensearch.yml.tmpl >"$conf"
grep -q "^http.port: $http$" "$conf" ||
  { echo "opensearch-start: the template has no http.port line; update opensearch-start.sh" >&2; exit 1; }
printf 'transport.port: %s\n' "$transport" >>"$conf"
OPENSEARCH_JAVA_HOME=$(dirname "$(dirname "$(readlink -f /usr/bin/java)")")
OPENSEARCH_JAVA_OPTS="-Xms${OPENSEARCH_HEAP:-512m} -Xmx${OPENSEARCH_HEAP:-512m}"
export OPENSEARCH_JAVA_HOME OPENSEARCH_JAVA_OPTS
exec "$home/bin/opensearch"
