#!/usr/bin/env bash
# The sdp image, built on this machine with Debian's Docker and locally made base images (no registry
# serves images here). Idempotent: installs what is missing, starts what does not answer, builds what
# is not cached.
#
#   bash scripts/image.sh build    docker.io + debootstrap (apt) when missing, a private dockerd when
#                                  none answers, the base images once, then the project's image
#                                  ($SDP_IMAGE); prints `export DOCKER_HOST=...` and
#                                  `export SDP_IMAGE=...` on stdout (everything else on stderr)
#   bash scripts/image.sh daemon   only the first two steps (what the testcontainers mode needs)
#   bash scripts/image.sh base     ... and the base images
#   bash scripts/image.sh env      print the export lines
#   bash scripts/image.sh size     the image's size in bytes
#   bash scripts/image.sh stop     stop the private dockerd this script started
#   bash scripts/image.sh docker ARGS...   run Debian's docker CLI against the private daemon
#
# The daemon: /usr/bin/docker (Debian's CLI, explicitly: /usr/local/bin/docker may be another client)
# on its own socket and data root, `--bridge=none --iptables=false`: containers use host networking
# only, so every connection stays on loopback and the host's firewall is not touched.
#
# Base images, made once and cached in the daemon's data root:
#   sdp-debian:<suite>        `debootstrap --variant=minbase` of Debian <suite>, `docker import`ed
#   sdp-node:<suite>          + Debian's nodejs and tini (the runtime stage's base: no npm)
#   sdp-node-build:<suite>    + npm (the build stages' base)
#
# Knobs (environment):
#   SDP_DOCKER_HOST     the private daemon's socket (default unix:///run/sdp-docker.sock)
#   SDP_DOCKER_ROOT     its data root (default /var/lib/sdp-docker; outside the repository)
#   SDP_DEBIAN_SUITE    Debian release of the base images (default trixie: Node 20.19)
#   SDP_DEBIAN_MIRROR   Debian mirror (default http://deb.debian.org/debian)
#   SDP_IMAGE           the project's image tag (default sdp:dev)
#   SDP_BUILD_CA        PEM bundle passed as the build secret `ca`, trusted by npm during the build
#                       only (default /etc/ssl/certs/ca-certificates.crt when it exists; `none` for no secret)
#   SDP_DOCKERD_TIMEOUT seconds to wait for the daemon to answer (default 60)
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)

DOCKER=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd
export DOCKER_HOST=${SDP_DOCKER_HOST:-unix:///run/sdp-docker.sock}
DATA_ROOT=${SDP_DOCKER_ROOT:-/var/lib/sdp-docker}
EXEC_ROOT=/run/sdp-docker
PID_FILE=/run/sdp-dockerd.pid
DAEMON_LOG=$DATA_ROOT.log
SUITE=${SDP_DEBIAN_SUITE:-trixie}
MIRROR=${SDP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
IMAGE=${SDP_IMAGE:-sdp:dev}
CA=${SDP_BUILD_CA:-/etc/ssl/certs/ca-certificates.crt}
TIMEOUT=${SDP_DOCKERD_TIMEOUT:-60}
export DOCKER_BUILDKIT=1

exec 3>&1 1>&2
log() { printf '[image %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
d() { "$DOCKER" "$@"; }

print_env() {
  printf 'export DOCKER_HOST=%s\nexport SDP_IMAGE=%s\n' "$DOCKER_HOST" "$IMAGE" >&3
}

ensure_packages() {
  local missing=()
  [[ -x $DOCKER && -x $DOCKERD ]] || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) == 0 ]] || die "need root to install ${missing[*]}"
  log "installing ${missing[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; } ||
    die "apt-get install ${missing[*]} failed"
}

daemon_up() { d version --format '{{.Server.Version}}' >/dev/null 2>&1; }

ensure_daemon() {
  ensure_packages
  daemon_up && return 0
  [[ $(id -u) == 0 ]] || die "no daemon answers on $DOCKER_HOST and only root can start one"
  mkdir -p "$DATA_ROOT" "$EXEC_ROOT"
  log "starting dockerd on $DOCKER_HOST (data root $DATA_ROOT, log $DAEMON_LOG)"
  # setsid: the daemon outlives this script and is not in its process group; `stop` ends it. Its fd 3
  # (this script's stdout) is closed, or `eval "$(image.sh build)"` would wait for the daemon to exit.
  setsid "$DOCKERD" --host "$DOCKER_HOST" --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" \
    --pidfile "$PID_FILE" --bridge=none --iptables=false --ip-masq=false --storage-driver overlay2 \
    >>"$DAEMON_LOG" 2>&1 </dev/null 3>&- &
  local start=$SECONDS
  until daemon_up; do
    if ! kill -0 $! 2>/dev/null; then
      tail -n 30 "$DAEMON_LOG" >&2 || true
      die "dockerd exited during startup; see $DAEMON_LOG"
    fi
    ((SECONDS - start < TIMEOUT)) || die "dockerd did not answer within ${TIMEOUT}s; see $DAEMON_LOG"
    sleep 1
  done
  log "dockerd $(d version --format '{{.Server.Version}}') ready ($((SECONDS - start))s)"
}

stop_daemon() {
  [[ -f $PID_FILE ]] || { log "no $PID_FILE: nothing to stop"; return 0; }
  local pid
  pid=$(tr -dc '0-9' <"$PID_FILE")
  [[ -n $pid ]] && grep -q dockerd "/proc/$pid/cmdline" 2>/dev/null || { rm -f "$PID_FILE"; return 0; }
  log "stopping dockerd ($pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 1; done
  die "dockerd ($pid) still running after 30s"
}

have_image() { d image inspect "$1" >/dev/null 2>&1; }

# A tiny Dockerfile on stdin, built with the host's network (there is no bridge).
build_stdin() {
  local tag=$1
  shift
  d build --network host -t "$tag" "$@" -
}

ensure_base() {
  ensure_daemon
  if ! have_image "sdp-debian:$SUITE"; then
    local rootfs
    rootfs=$(mktemp -d /var/tmp/sdp-rootfs.XXXXXX)
    log "debootstrap --variant=minbase $SUITE from $MIRROR (about a minute)"
    debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >"$rootfs.log" 2>&1 ||
      { tail -n 20 "$rootfs.log" >&2; rm -rf "$rootfs"; die "debootstrap failed"; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | d import - "sdp-debian:$SUITE" >/dev/null
    rm -rf "$rootfs" "$rootfs.log"
  fi
  if ! have_image "sdp-node:$SUITE"; then
    log "base image sdp-node:$SUITE (Debian's nodejs and tini)"
    build_stdin "sdp-node:$SUITE" <<EOF
FROM sdp-debian:$SUITE
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs tini ca-certificates \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/*
EOF
  fi
  if ! have_image "sdp-node-build:$SUITE"; then
    log "base image sdp-node-build:$SUITE (+ npm)"
    build_stdin "sdp-node-build:$SUITE" <<EOF
FROM sdp-node:$SUITE
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
EOF
  fi
}

build_image() {
  ensure_base
  local secret=()
  if [[ $CA != none ]]; then
    [[ -r $CA ]] || die "SDP_BUILD_CA=$CA is not readable"
    secret=(--secret "id=ca,src=$CA")
  fi
  local version start=$SECONDS
  version=$(node -p 'require(process.argv[1]).version' "$REPO_ROOT/package.json" 2>/dev/null || echo 0.0.0-dev)
  log "building $IMAGE from $REPO_ROOT/Dockerfile on sdp-node-build:$SUITE / sdp-node:$SUITE"
  d build --network host --progress plain "${secret[@]}" \
    --build-arg "BUILD_IMAGE=sdp-node-build:$SUITE" --build-arg "BASE_IMAGE=sdp-node:$SUITE" \
    --build-arg "SDP_VERSION=$version" -t "$IMAGE" "$REPO_ROOT"
  log "$IMAGE built in $((SECONDS - start))s, $(( $(d image inspect --format '{{.Size}}' "$IMAGE") / 1000000 )) MB"
}

case ${1:-build} in
  build) build_image; print_env ;;
  daemon) ensure_daemon; print_env ;;
  base) ensure_base; print_env ;;
  env) print_env ;;
  size) d image inspect --format '{{.Size}}' "$IMAGE" >&3 ;;
  stop) stop_daemon ;;
  docker) shift; ensure_daemon; exec "$DOCKER" "$@" >&3 ;;
  *) die "usage: $0 build|daemon|base|env|size|stop|docker ARGS..." ;;
esac
