#!/usr/bin/env bash
# Local service stack for sdp, without Docker: MariaDB, Kafka (KRaft, one node), OpenSearch 2.19.x.
#
#   bash scripts/stack.sh start    install what is missing, start what is not answering, wait until
#                                  all three answer; prints the three `export SDP_...` lines on
#                                  stdout (everything else goes to stderr)
#   bash scripts/stack.sh stop     stop what `start` started (pid files), gracefully
#   bash scripts/stack.sh kill SERVICE   SIGKILL one service this script started (mariadb, kafka or
#                                  opensearch; via its pid file) and wait until the process is gone,
#                                  as a crash would; `start` brings it back (crash recovery included)
#   bash scripts/stack.sh status   one line per service: up/down, and whether this script started it
#   bash scripts/stack.sh env      print the three export lines
#   bash scripts/stack.sh artifacts   fetch (when not cached) the Kafka classpath and the OpenSearch
#                                  zip, starting nothing; prints KAFKA_VERSION=, KAFKA_LIBS=,
#                                  OPENSEARCH_VERSION= and OPENSEARCH_ZIP= lines on stdout (what
#                                  scripts/service-images.sh builds the testcontainers images from)
#   bash scripts/stack.sh kafka-run <main class> [args]   run a Kafka CLI class on the broker's classpath,
#        e.g. kafka-run org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --list
#
# Usage from a shell:  eval "$(bash scripts/stack.sh start)"
#
# Knobs (environment):
#   SDP_STACK_DIR            runtime data, pid files, logs, Kafka classpath (default <repo>/.stack)
#   SDP_KAFKA_VERSION        org.apache.kafka:kafka_2.13 version (default: first of 4.3.1 4.2.1 4.1.1 that resolves)
#   SDP_LOG4J_VERSION        log4j2 backend for Kafka (default 2.25.2)
#   SDP_KAFKA_HEAP           Kafka heap, -Xms = -Xmx (default 512m)
#   SDP_OPENSEARCH_VERSION   OpenSearch integ-test-zip version (default: first of 2.19.6 2.19.4 2.19.1 that resolves)
#   SDP_OPENSEARCH_HEAP      OpenSearch heap (default 1g)
#   SDP_OPENSEARCH_BASE      where OpenSearch is unpacked; must be traversable by the `opensearch`
#                            user (default /var/lib/sdp-stack)
#   SDP_STACK_TIMEOUT        seconds to wait for each service to answer (default 180)
#   SDP_STOP_TIMEOUT         seconds to wait after SIGTERM before SIGKILL (default 60)
#   SDP_M2_REPO              local Maven repository (default ~/.m2/repository)
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
TMPL_DIR=$SCRIPT_DIR/stack

STACK_DIR=${SDP_STACK_DIR:-$REPO_ROOT/.stack}
KAFKA_VERSIONS=${SDP_KAFKA_VERSION:-4.3.1 4.2.1 4.1.1}
LOG4J_VERSION=${SDP_LOG4J_VERSION:-2.25.2}
KAFKA_HEAP=${SDP_KAFKA_HEAP:-512m}
OS_VERSIONS=${SDP_OPENSEARCH_VERSION:-2.19.6 2.19.4 2.19.1}
OS_HEAP=${SDP_OPENSEARCH_HEAP:-1g}
OS_BASE=${SDP_OPENSEARCH_BASE:-/var/lib/sdp-stack}
OS_USER=opensearch
TIMEOUT=${SDP_STACK_TIMEOUT:-180}
STOP_TIMEOUT=${SDP_STOP_TIMEOUT:-60}
M2_REPO=${SDP_M2_REPO:-$HOME/.m2/repository}
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

MYSQL_HOST=127.0.0.1
MYSQL_PORT=3306
MYSQL_SOCKET=/run/mysqld/mysqld.sock
MYSQL_DATADIR=/var/lib/mysql
KAFKA_PORT=9092
OS_PORT=9200

# Keep the real stdout on fd 3 for the export lines; everything else goes to stderr.
exec 3>&1 1>&2

log() { printf '[stack %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

print_env() {
  cat >&3 <<EOF
export SDP_MYSQL_URL=mysql://sdp:sdp@127.0.0.1:3306/sdp
export SDP_KAFKA_BROKERS=127.0.0.1:9092
export SDP_OPENSEARCH_URL=http://127.0.0.1:9200
EOF
}

# ---------------------------------------------------------------------------------------------
# helpers

init_stack_dir() {
  mkdir -p "$STACK_DIR"
  STACK_DIR=$(cd -- "$STACK_DIR" && pwd -P)
  RUN_DIR=$STACK_DIR/run
  LOG_DIR=$STACK_DIR/logs
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  # self-ignoring, whatever the repository's .gitignore says
  [[ -f $STACK_DIR/.gitignore ]] || printf '*\n' >"$STACK_DIR/.gitignore"
}

take_lock() {
  exec 9>"$STACK_DIR/.lock"
  if ! flock -w 900 9; then die "could not take $STACK_DIR/.lock (another stack.sh running?)"; fi
}

port_open() { timeout 3 bash -c "exec 5<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# expected command line fragment of each service's process
proc_pattern() {
  case $1 in
    mariadb) echo mariadbd ;;
    kafka) echo kafka.Kafka ;;
    opensearch) echo org.opensearch.bootstrap.OpenSearch ;;
  esac
}

# pid recorded by this script for service $1, if that process is still the one we started
our_pid() {
  local f=$RUN_DIR/$1.pid pid
  [[ -f $f ]] || return 1
  pid=$(tr -dc '0-9' <"$f")
  [[ -n $pid ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$(proc_pattern "$1")" || return 1
  echo "$pid"
}

# whether process $1 exists and is not a zombie (pid 1 of a container may be slow to reap)
proc_alive() {
  local st
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $st && $st != Z && $st != X ]]
}

# forget a pid file whose process is gone
clean_stale_pid() {
  if [[ -f $RUN_DIR/$1.pid ]] && ! our_pid "$1" >/dev/null; then
    log "$1: removing stale pid file $RUN_DIR/$1.pid"
    rm -f "$RUN_DIR/$1.pid"
  fi
}

# wait_ready NAME LOGFILE CHECK_FN [PIDFILE]: poll CHECK_FN until it succeeds, at most $TIMEOUT s
wait_ready() {
  local name=$1 logf=$2 check=$3 pidf=${4:-} start=$SECONDS pid
  while ! "$check"; do
    if [[ -n $pidf && -f $pidf ]]; then
      pid=$(tr -dc '0-9' <"$pidf")
      if [[ -n $pid ]] && ! proc_alive "$pid"; then
        log "$name: process $pid exited during startup; last lines of $logf:"
        tail -n 40 "$logf" >&2 2>/dev/null || true
        die "$name failed to start; see log $logf"
      fi
    fi
    if (( SECONDS - start >= TIMEOUT )); then
      log "$name: last lines of $logf:"
      tail -n 40 "$logf" >&2 2>/dev/null || true
      die "$name did not answer within ${TIMEOUT}s; see log $logf"
    fi
    sleep 1
  done
  log "$name: ready ($((SECONDS - start))s)"
}

java_home() {
  local j
  j=$(command -v java) || die "java not found (JDK 17 needed)"
  j=$(readlink -f "$j")
  dirname "$(dirname "$j")"
}

# ---------------------------------------------------------------------------------------------
# MariaDB

mysql_root() { timeout 60 mariadb --no-defaults --protocol=socket -S "$MYSQL_SOCKET" -uroot "$@"; }

mariadb_answers() {
  MYSQL_PWD=sdp timeout 10 mariadb --no-defaults --protocol=tcp -h"$MYSQL_HOST" -P"$MYSQL_PORT" \
    -usdp -N -B -e 'SELECT 1' sdp >/dev/null 2>&1
}

mariadb_root_answers() { mysql_root -N -B -e 'SELECT 1' >/dev/null 2>&1; }

mariadb_install() {
  command -v mariadbd >/dev/null 2>&1 && command -v mariadb >/dev/null 2>&1 && return 0
  log "mariadb: installing mariadb-server mariadb-client with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get -o DPkg::Lock::Timeout=600 -y -q)
  if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then
    "${apt[@]}" update >&2
  fi
  if ! "${apt[@]}" install mariadb-server mariadb-client >&2; then
    "${apt[@]}" update >&2
    "${apt[@]}" install mariadb-server mariadb-client >&2 || die "mariadb: apt-get install failed"
  fi
  command -v mariadbd >/dev/null 2>&1 || die "mariadb: mariadbd still missing after install"
}

mariadb_ensure_user() {
  log "mariadb: ensuring database sdp and user sdp"
  mysql_root <<'SQL'
CREATE DATABASE IF NOT EXISTS sdp;
CREATE USER IF NOT EXISTS 'sdp'@'127.0.0.1' IDENTIFIED BY 'sdp';
CREATE USER IF NOT EXISTS 'sdp'@'localhost' IDENTIFIED BY 'sdp';
ALTER USER 'sdp'@'127.0.0.1' IDENTIFIED BY 'sdp';
ALTER USER 'sdp'@'localhost' IDENTIFIED BY 'sdp';
GRANT ALL PRIVILEGES ON *.* TO 'sdp'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO 'sdp'@'localhost';
FLUSH PRIVILEGES;
SQL
}

mariadb_start() {
  local logf=$LOG_DIR/mariadb.log
  clean_stale_pid mariadb
  if mariadb_answers; then
    log "mariadb: already answering on $MYSQL_HOST:$MYSQL_PORT; leaving it alone"
    return 0
  fi
  if port_open "$MYSQL_PORT" || mariadb_root_answers; then
    log "mariadb: a server is running (not answering as sdp yet)"
    wait_ready mariadb "$logf" mariadb_root_answers
  else
    mariadb_install
    install -d -o mysql -g mysql -m 0755 /run/mysqld
    if [[ ! -d $MYSQL_DATADIR/mysql ]]; then
      log "mariadb: initialising $MYSQL_DATADIR"
      install -d -o mysql -g mysql -m 0755 "$MYSQL_DATADIR"
      mariadb-install-db --user=mysql --datadir="$MYSQL_DATADIR" >&2
    fi
    log "mariadb: starting mariadbd (log $logf)"
    setsid nohup /usr/sbin/mariadbd --user=mysql --datadir="$MYSQL_DATADIR" \
      --bind-address=127.0.0.1 --port="$MYSQL_PORT" --socket="$MYSQL_SOCKET" \
      --pid-file=/run/mysqld/mysqld.pid \
      >>"$logf" 2>&1 </dev/null 3>&- 9>&- &
    echo $! >"$RUN_DIR/mariadb.pid"
    wait_ready mariadb "$logf" mariadb_root_answers "$RUN_DIR/mariadb.pid"
  fi
  mariadb_ensure_user
  wait_ready mariadb "$logf" mariadb_answers
}

# ---------------------------------------------------------------------------------------------
# Kafka

# ApiVersions v0 request over plain TCP (api_key 18, correlation id "SDP1", client id "sdp");
# succeeds when the broker answers with that correlation id and error code 0.
kafka_answers() {
  local out
  out=$(timeout 5 bash -c '
    exec 5<>/dev/tcp/127.0.0.1/'"$KAFKA_PORT"' || exit 1
    printf "\x00\x00\x00\x0d\x00\x12\x00\x00SDP1\x00\x03sdp" >&5
    head -c 10 <&5 | od -An -tx1' 2>/dev/null) || return 1
  out=$(tr -d ' \n' <<<"$out")
  [[ $out =~ ^[0-9a-f]{8}534450310000$ ]]
}

kafka_ready() {
  kafka_answers && grep -qs 'Kafka Server started' "$KAFKA_DIR/logs/server.log"
}

# sets KAFKA_VERSION and KAFKA_LIBS; resolves the classpath with Maven when not cached
kafka_ensure_libs() {
  local v dir build
  for v in $KAFKA_VERSIONS; do
    if [[ -f $STACK_DIR/kafka-libs-$v/.complete ]]; then
      KAFKA_VERSION=$v KAFKA_LIBS=$STACK_DIR/kafka-libs-$v
      return 0
    fi
  done
  command -v mvn >/dev/null 2>&1 || die "kafka: mvn not found (Maven is needed to fetch the Kafka jars)"
  for v in $KAFKA_VERSIONS; do
    dir=$STACK_DIR/kafka-libs-$v
    build=$STACK_DIR/kafka-build-$v
    log "kafka: resolving org.apache.kafka:kafka_2.13:$v + log4j $LOG4J_VERSION with Maven"
    rm -rf "$build" "$dir.tmp"
    mkdir -p "$build"
    cp "$TMPL_DIR/kafka-pom.xml" "$build/pom.xml"
    if (cd "$build" && mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$M2_REPO" \
          -Dkafka.version="$v" -Dlog4j.version="$LOG4J_VERSION" \
          "$DEP_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory="$dir.tmp" \
          </dev/null >&2 9>&-); then
      rm -rf "$dir" "$build"
      mv "$dir.tmp" "$dir"
      touch "$dir/.complete"
      KAFKA_VERSION=$v KAFKA_LIBS=$dir
      return 0
    fi
    log "kafka: version $v did not resolve"
    rm -rf "$build" "$dir.tmp"
  done
  die "kafka: none of [$KAFKA_VERSIONS] resolved from Maven"
}

kafka_launch() {
  local props=$KAFKA_DIR/server.properties outf=$LOG_DIR/kafka.out cid
  kafka_ensure_libs
  mkdir -p "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
  sed -e "s#@KAFKA_LOG_DIRS@#$KAFKA_DIR/data#g" "$TMPL_DIR/server.properties.tmpl" >"$props"
  if [[ ! -s $KAFKA_DIR/cluster.id ]]; then
    # 16 random bytes, base64url without padding = 22 chars, as kafka-storage random-uuid; never with a
    # leading '-' (1 in 64: `format -t` would take it for an option and fail), as Kafka's Uuid avoids
    cid=-
    while [[ $cid == -* ]]; do cid=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'); done
    printf '%s' "$cid" >"$KAFKA_DIR/cluster.id"
  fi
  cid=$(<"$KAFKA_DIR/cluster.id")
  if [[ ! -f $KAFKA_DIR/data/meta.properties ]]; then
    log "kafka: formatting storage (cluster id $cid)"
    java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$TMPL_DIR/log4j2.xml" \
      -Dsdp.kafka.log.dir="$KAFKA_DIR/logs" \
      kafka.tools.StorageTool format -t "$cid" -c "$props" --ignore-formatted \
      </dev/null >&2 9>&- || die "kafka: storage format failed"
  fi
  log "kafka: starting $KAFKA_VERSION (log $KAFKA_DIR/logs/server.log)"
  : >"$KAFKA_DIR/logs/server.log"   # readiness looks for a fresh 'Kafka Server started'
  (cd "$KAFKA_DIR" && exec setsid nohup java -Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" \
      -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$TMPL_DIR/log4j2.xml" -Dsdp.kafka.log.dir="$KAFKA_DIR/logs" \
      -cp "$KAFKA_LIBS/*" kafka.Kafka "$props" \
      >>"$outf" 2>&1 </dev/null 3>&- 9>&-) &
  echo $! >"$RUN_DIR/kafka.pid"
  KAFKA_LAUNCHED=1
}

kafka_start() {
  KAFKA_DIR=$STACK_DIR/kafka
  KAFKA_LAUNCHED=0
  clean_stale_pid kafka
  if kafka_answers; then
    log "kafka: already answering on 127.0.0.1:$KAFKA_PORT; leaving it alone"
  elif port_open "$KAFKA_PORT"; then
    log "kafka: port $KAFKA_PORT is open but not answering yet; waiting"
    KAFKA_WAIT=kafka_answers
  else
    kafka_launch
    KAFKA_WAIT=kafka_ready
  fi
}

kafka_wait() {
  [[ -n ${KAFKA_WAIT:-} ]] || return 0
  local pidf=
  (( KAFKA_LAUNCHED )) && pidf=$RUN_DIR/kafka.pid
  wait_ready kafka "$KAFKA_DIR/logs/server.log" "$KAFKA_WAIT" "$pidf"
}

# ---------------------------------------------------------------------------------------------
# OpenSearch

os_answers() {
  curl -fs -m 10 "http://127.0.0.1:$OS_PORT/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null 2>&1
}

os_ensure_user() {
  id -u "$OS_USER" >/dev/null 2>&1 && return 0
  log "opensearch: creating system user $OS_USER"
  useradd --system --user-group --home-dir "$OS_BASE" --no-create-home --shell /usr/sbin/nologin "$OS_USER"
}

# sets OS_VERSION and OS_ZIP: the first of $OS_VERSIONS whose integ-test zip is in the local Maven
# repository or, failing that, resolves from Maven Central (fetched then); returns 1 when none does
os_ensure_zip() {
  local v zip
  for v in $OS_VERSIONS; do
    zip=$M2_REPO/org/opensearch/distribution/integ-test-zip/opensearch/$v/opensearch-$v.zip
    if [[ -f $zip ]]; then
      OS_VERSION=$v OS_ZIP=$zip
      return 0
    fi
  done
  command -v mvn >/dev/null 2>&1 || die "opensearch: mvn not found (Maven is needed to fetch OpenSearch)"
  for v in $OS_VERSIONS; do
    zip=$M2_REPO/org/opensearch/distribution/integ-test-zip/opensearch/$v/opensearch-$v.zip
    log "opensearch: fetching org.opensearch.distribution.integ-test-zip:opensearch:$v:zip with Maven"
    if mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$M2_REPO" "$DEP_PLUGIN:get" \
          -Dtransitive=false -Dartifact="org.opensearch.distribution.integ-test-zip:opensearch:$v:zip" \
          </dev/null >&2 9>&- && [[ -f $zip ]]; then
      OS_VERSION=$v OS_ZIP=$zip
      return 0
    fi
    log "opensearch: version $v did not resolve"
  done
  return 1
}

# sets OS_VERSION and OS_HOME; fetches and unpacks the integ-test zip when not installed
os_ensure_install() {
  local v tmp
  install -d -m 0755 "$OS_BASE"
  for v in $OS_VERSIONS; do
    if [[ -f $OS_BASE/opensearch-$v/.sdp-installed ]]; then
      OS_VERSION=$v OS_HOME=$OS_BASE/opensearch-$v
      return 0
    fi
  done
  os_ensure_zip || die "opensearch: none of [$OS_VERSIONS] resolved from Maven"
  v=$OS_VERSION
  log "opensearch: unpacking $v into $OS_BASE/opensearch-$v"
  tmp=$OS_BASE/.unpack-$v
  rm -rf "$tmp" "$OS_BASE/opensearch-$v"
  mkdir -p "$tmp"
  unzip -q "$OS_ZIP" -d "$tmp" || die "opensearch: unzip of $OS_ZIP failed"
  [[ -x $tmp/opensearch-$v/bin/opensearch ]] || die "opensearch: unexpected layout in $OS_ZIP"
  mv "$tmp/opensearch-$v" "$OS_BASE/opensearch-$v"
  rm -rf "$tmp"
  touch "$OS_BASE/opensearch-$v/.sdp-installed"
  OS_HOME=$OS_BASE/opensearch-$v
}

os_launch() {
  local jh outf=$LOG_DIR/opensearch.out mmc
  os_ensure_user
  os_ensure_install
  OS_LOG=$OS_HOME/logs/sdp.log
  mkdir -p "$OS_HOME/data" "$OS_HOME/logs"
  sed -e "s#@OPENSEARCH_DATA@#$OS_HOME/data#g" -e "s#@OPENSEARCH_LOGS@#$OS_HOME/logs#g" \
    "$TMPL_DIR/opensearch.yml.tmpl" >"$OS_HOME/config/opensearch.yml"
  chown -R "$OS_USER:$OS_USER" "$OS_HOME"
  runuser -u "$OS_USER" -- test -x "$OS_HOME/bin/opensearch" ||
    die "opensearch: user $OS_USER cannot reach $OS_HOME (a parent directory is not traversable); set SDP_OPENSEARCH_BASE"
  mmc=$(cat /proc/sys/vm/max_map_count 2>/dev/null || echo 0)
  if (( mmc < 262144 )); then
    # bootstrap checks are only enforced when bound to a non-loopback address
    log "opensearch: vm.max_map_count=$mmc (< 262144); fine for a loopback-only node"
  fi
  jh=$(java_home)
  rm -f "$OS_HOME/opensearch.pid"
  log "opensearch: starting $OS_VERSION from $OS_HOME (log $OS_LOG)"
  # cwd matters: jvm.options has relative paths (logs/gc.log, data); own session so that a
  # process-group kill aimed at the caller does not take the node down
  (cd "$OS_HOME" && setsid -w runuser -u "$OS_USER" -- env OPENSEARCH_JAVA_HOME="$jh" \
      OPENSEARCH_JAVA_OPTS="-Xms$OS_HEAP -Xmx$OS_HEAP" OPENSEARCH_PATH_CONF="$OS_HOME/config" \
      "$OS_HOME/bin/opensearch" -d -p "$OS_HOME/opensearch.pid" \
      >>"$outf" 2>&1 </dev/null 3>&- 9>&-) ||
    { tail -n 40 "$outf" >&2 || true; die "opensearch: bin/opensearch -d failed; see $outf and $OS_LOG"; }
  OS_LAUNCHED=1
}

os_pid_recorded() {
  # the node writes its pid file itself, a little after bin/opensearch -d returns
  if [[ -s $OS_HOME/opensearch.pid ]]; then
    tr -dc '0-9' <"$OS_HOME/opensearch.pid" >"$RUN_DIR/opensearch.pid"
    return 0
  fi
  if ! pgrep -u "$OS_USER" -f org.opensearch.bootstrap.OpenSearch >/dev/null; then
    tail -n 40 "$LOG_DIR/opensearch.out" "$OS_LOG" >&2 2>/dev/null || true
    die "opensearch exited during startup; see logs $LOG_DIR/opensearch.out and $OS_LOG"
  fi
  return 1
}

os_start() {
  OS_LAUNCHED=0
  OS_LOG=$LOG_DIR/opensearch.out
  clean_stale_pid opensearch
  if os_answers; then
    log "opensearch: already answering on http://127.0.0.1:$OS_PORT; leaving it alone"
  elif port_open "$OS_PORT"; then
    log "opensearch: port $OS_PORT is open but not healthy yet; waiting"
    OS_WAIT=os_answers
  else
    os_launch
    OS_WAIT=os_answers
  fi
}

os_wait() {
  [[ -n ${OS_WAIT:-} ]] || return 0
  if (( OS_LAUNCHED )); then
    wait_ready opensearch "$OS_LOG" os_pid_recorded
    wait_ready opensearch "$OS_LOG" os_answers "$RUN_DIR/opensearch.pid"
  else
    wait_ready opensearch "$OS_LOG" os_answers
  fi
}

# ---------------------------------------------------------------------------------------------
# commands

cmd_start() {
  local t0=$SECONDS
  init_stack_dir
  take_lock
  command -v java >/dev/null 2>&1 || die "java not found (JDK 17 needed)"
  mariadb_start
  kafka_start   # launched in the background, waited for below
  os_start
  kafka_wait
  os_wait
  log "all services up ($((SECONDS - t0))s)"
  print_env
}

stop_one() {
  local name=$1 pid i
  if ! pid=$(our_pid "$name"); then
    if [[ -f $RUN_DIR/$name.pid ]]; then
      log "$name: pid file present but process gone; removing it"
      rm -f "$RUN_DIR/$name.pid"
    else
      log "$name: not started by stack.sh; nothing to stop"
    fi
    return 0
  fi
  log "$name: stopping pid $pid (SIGTERM)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT; i++)); do
    proc_alive "$pid" || break
    sleep 1
  done
  if proc_alive "$pid"; then
    log "$name: still running after ${STOP_TIMEOUT}s; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 10; i++)); do proc_alive "$pid" || break; sleep 1; done
  fi
  rm -f "$RUN_DIR/$name.pid"
  log "$name: stopped"
}

cmd_stop() {
  init_stack_dir
  take_lock
  stop_one opensearch
  stop_one kafka
  stop_one mariadb
}

cmd_kill() {
  local name=$1 pid i
  case $name in
    mariadb | kafka | opensearch) ;;
    *) die "usage: $0 kill mariadb|kafka|opensearch" ;;
  esac
  init_stack_dir
  take_lock
  pid=$(our_pid "$name") || die "$name: not started by stack.sh (no live process behind $RUN_DIR/$name.pid); not killing"
  log "$name: killing pid $pid (SIGKILL)"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    proc_alive "$pid" || break
    sleep 0.1
  done
  proc_alive "$pid" && die "$name: pid $pid still there 30s after SIGKILL"
  # the pid file stays, stale, as after a crash: `start` must cope with that
  log "$name: killed"
}

cmd_status() {
  init_stack_dir
  local name up pid who
  for name in mariadb kafka opensearch; do
    case $name in
      mariadb) if mariadb_answers; then up=up; elif port_open "$MYSQL_PORT"; then up="up (port open, sdp login failed)"; else up=down; fi ;;
      kafka) if kafka_answers; then up=up; elif port_open "$KAFKA_PORT"; then up="up (port open, not answering)"; else up=down; fi ;;
      opensearch) if os_answers; then up=up; elif port_open "$OS_PORT"; then up="up (port open, not healthy)"; else up=down; fi ;;
    esac
    if pid=$(our_pid "$name"); then who="started by stack.sh (pid $pid)"; else who="not started by stack.sh"; fi
    printf '%-11s %-6s %s\n' "$name" "$up" "$who" >&3
  done
}

# What the testcontainers service images (scripts/service-images.sh) are built from: the stack's own
# Kafka classpath and OpenSearch zip, from the same caches, fetched the same way when missing.
cmd_artifacts() {
  init_stack_dir
  take_lock
  kafka_ensure_libs
  os_ensure_zip || die "opensearch: none of [$OS_VERSIONS] resolved from Maven"
  printf 'KAFKA_VERSION=%s\nKAFKA_LIBS=%s\nOPENSEARCH_VERSION=%s\nOPENSEARCH_ZIP=%s\n' \
    "$KAFKA_VERSION" "$KAFKA_LIBS" "$OS_VERSION" "$OS_ZIP" >&3
}

cmd_kafka_run() {
  init_stack_dir
  kafka_ensure_libs
  exec java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$TMPL_DIR/log4j2.xml" \
    -Dsdp.kafka.log.dir="$STACK_DIR/kafka/logs/cli" "$@" 1>&3 3>&-
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  kill) [[ $# -eq 2 ]] || die "usage: $0 kill mariadb|kafka|opensearch"; cmd_kill "$2" ;;
  status) cmd_status ;;
  env) print_env ;;
  artifacts) cmd_artifacts ;;
  kafka-run) shift; [[ $# -ge 1 ]] || die "usage: $0 kafka-run <main class> [args]"; cmd_kafka_run "$@" ;;
  *) echo "usage: $0 start|stop|status|env|artifacts|kill <service>|kafka-run <main class> [args]" >&2; exit 2 ;;
esac
