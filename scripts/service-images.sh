#!/usr/bin/env bash
# The MariaDB, Kafka and OpenSearch images of the integration suites' testcontainers mode
# (SDP_TEST_SERVICES=containers, test/containers/), built on this machine from what it can reach:
# the local Debian base image (scripts/image.sh base: debootstrap from Debian's mirror), Debian's
# mariadb-server and OpenJDK, and the stack's own Kafka classpath and OpenSearch zip from Maven
# Central (scripts/stack.sh artifacts: the same caches and downloads as the stack). No Docker Hub.
#
#   bash scripts/service-images.sh build   the private dockerd and base image when missing, then each
#                                          image not yet built; prints `export DOCKER_HOST=...` and
#                                          `export SDP_TEST_{MARIADB,KAFKA,OPENSEARCH}_IMAGE=...` on
#                                          stdout (everything else on stderr)
#
# Cache: each image's tag is a hash of what it is built from (its Dockerfile and files, the stack
# templates it copies, the artifact versions, the parent image's id), so an image whose inputs did not
# change is found in the daemon's data root (SDP_DOCKER_ROOT, /var/lib/sdp-docker) and not rebuilt;
# older tags of the same image are removed after a build. A second run takes a few seconds.
#
# The builds reach Debian's mirror as the host's apt does: the host's proxy, validity-check and retry
# settings (`apt-config dump`) are bind-mounted into each apt step, and the host's CA bundle
# is the build secret `ca`, trusted by apt for https mirrors during the build only (SDP_BUILD_CA,
# default /etc/ssl/certs/ca-certificates.crt; `none` for no secret), as for the project's image.
#
# Callers that share the private daemon with others hold /tmp/sdp-docker.lock (flock) around this.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
IMAGES_DIR=$SCRIPT_DIR/service-images
STACK_TMPL=$SCRIPT_DIR/stack
DOCKER=/usr/bin/docker
SUITE=${SDP_DEBIAN_SUITE:-trixie}
CA=${SDP_BUILD_CA:-/etc/ssl/certs/ca-certificates.crt}
export DOCKER_BUILDKIT=1

exec 3>&1 1>&2
log() { printf '[service-images %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
d() { "$DOCKER" "$@"; }

# The private daemon and the Debian base image; takes DOCKER_HOST from image.sh's export line.
ensure_base() {
  local line
  while read -r line; do
    [[ $line =~ ^export\ DOCKER_HOST=(.*)$ ]] && export DOCKER_HOST=${BASH_REMATCH[1]}
  done < <(bash "$SCRIPT_DIR/image.sh" base)
  [[ -n ${DOCKER_HOST:-} ]] || die "scripts/image.sh base printed no DOCKER_HOST"
}

# Sets KAFKA_VERSION, KAFKA_LIBS, OPENSEARCH_VERSION, OPENSEARCH_ZIP.
ensure_artifacts() {
  local line
  while read -r line; do
    [[ $line =~ ^(KAFKA_VERSION|KAFKA_LIBS|OPENSEARCH_VERSION|OPENSEARCH_ZIP)=(.*)$ ]] &&
      printf -v "${BASH_REMATCH[1]}" '%s' "${BASH_REMATCH[2]}"
  done < <(bash "$SCRIPT_DIR/stack.sh" artifacts)
  [[ -n ${KAFKA_LIBS:-} && -n ${OPENSEARCH_ZIP:-} ]] || die "scripts/stack.sh artifacts printed no artifacts"
}

# The host's apt settings for reaching the mirror (proxies, validity and date checks, retries) as an
# apt.conf fragment; not the rest of `Acquire::` (index targets, languages: the host's own choices).
host_apt_conf() {
  apt-config dump 2>/dev/null |
    grep -E '^Acquire::((https?|ftp)::Proxy|Check-Valid-Until |Check-Date |Retries )' || true
}

# tag_for NAME FILE... [-- STRING...]: NAME:<12 hex> over the files' contents and the strings.
tag_for() {
  local name=$1 files=() strings=()
  shift
  while (($#)) && [[ $1 != -- ]]; do files+=("$1"); shift; done
  (($#)) && shift
  strings=("$@")
  local sum
  sum=$( { cat "${files[@]}"; printf '%s\n' "${strings[@]}"; } | sha256sum | cut -c1-12)
  printf '%s:%s' "$name" "$sum"
}

have_image() { d image inspect "$1" >/dev/null 2>&1; }
image_id() { d image inspect --format '{{.Id}}' "$1"; }

# build TAG CONTEXT [BUILD ARGS...]: the context holds the Dockerfile; older tags of the repository go.
build() {
  local tag=$1 context=$2 start=$SECONDS
  shift 2
  local secret=()
  if [[ $CA != none ]]; then
    [[ -r $CA ]] || die "SDP_BUILD_CA=$CA is not readable"
    secret=(--secret "id=ca,src=$CA")
  fi
  log "building $tag"
  d build --network host --progress plain "${secret[@]}" "$@" -t "$tag" "$context" >&2
  log "$tag built in $((SECONDS - start))s, $(($(d image inspect --format '{{.Size}}' "$tag") / 1000000)) MB"
  local old
  for old in $(d image ls --format '{{.Repository}}:{{.Tag}}' "${tag%%:*}"); do
    [[ $old == "$tag" ]] || d image rm "$old" >/dev/null 2>&1 || true
  done
}

# new_context NAME: sets CTX to a fresh build context with scripts/service-images/NAME/ and the apt conf.
new_context() {
  CTX=$(mktemp -d /var/tmp/sdp-service-image.XXXXXX)
  CONTEXTS+=("$CTX")
  cp -r "$IMAGES_DIR/$1/." "$CTX/"
  host_apt_conf >"$CTX/apt-host.conf"
}

cleanup() { ((${#CONTEXTS[@]})) && rm -rf "${CONTEXTS[@]}"; return 0; }
CONTEXTS=()
trap cleanup EXIT

build_all() {
  local start=$SECONDS base=sdp-debian:$SUITE apt
  ensure_base
  ensure_artifacts
  apt=$(host_apt_conf)

  MARIADB_IMAGE=$(tag_for sdp-test-mariadb "$IMAGES_DIR"/mariadb/* -- "$(image_id "$base")" "$apt")
  if ! have_image "$MARIADB_IMAGE"; then
    new_context mariadb
    build "$MARIADB_IMAGE" "$CTX" --build-arg "BASE_IMAGE=$base"
  fi

  JRE_IMAGE=$(tag_for sdp-test-jre "$IMAGES_DIR"/jre/* -- "$(image_id "$base")" "$apt")
  if ! have_image "$JRE_IMAGE"; then
    new_context jre
    build "$JRE_IMAGE" "$CTX" --build-arg "BASE_IMAGE=$base"
  fi

  KAFKA_IMAGE=$(tag_for sdp-test-kafka "$IMAGES_DIR"/kafka/* "$STACK_TMPL/server.properties.tmpl" \
    -- "$(image_id "$JRE_IMAGE")" "kafka $KAFKA_VERSION" "$(ls "$KAFKA_LIBS")")
  if ! have_image "$KAFKA_IMAGE"; then
    new_context kafka
    cp "$STACK_TMPL/server.properties.tmpl" "$CTX/"
    cp -r "$KAFKA_LIBS" "$CTX/kafka-libs"
    rm -f "$CTX/kafka-libs/.complete"
    build "$KAFKA_IMAGE" "$CTX" --build-arg "JRE_IMAGE=$JRE_IMAGE"
  fi

  OPENSEARCH_IMAGE=$(tag_for sdp-test-opensearch "$IMAGES_DIR"/opensearch/* "$STACK_TMPL/opensearch.yml.tmpl" \
    -- "$(image_id "$JRE_IMAGE")" "opensearch $OPENSEARCH_VERSION" "$(sha256sum <"$OPENSEARCH_ZIP")")
  if ! have_image "$OPENSEARCH_IMAGE"; then
    new_context opensearch
    cp "$STACK_TMPL/opensearch.yml.tmpl" "$CTX/"
    unzip -q "$OPENSEARCH_ZIP" -d "$CTX/unpacked"
    [[ -x $CTX/unpacked/opensearch-$OPENSEARCH_VERSION/bin/opensearch ]] ||
      die "unexpected layout in $OPENSEARCH_ZIP"
    mv "$CTX/unpacked/opensearch-$OPENSEARCH_VERSION" "$CTX/opensearch"
    rmdir "$CTX/unpacked"
    build "$OPENSEARCH_IMAGE" "$CTX" --build-arg "JRE_IMAGE=$JRE_IMAGE"
  fi

  log "images ready ($((SECONDS - start))s): $MARIADB_IMAGE $KAFKA_IMAGE $OPENSEARCH_IMAGE"
  printf 'export DOCKER_HOST=%s\nexport SDP_TEST_MARIADB_IMAGE=%s\nexport SDP_TEST_KAFKA_IMAGE=%s\nexport SDP_TEST_OPENSEARCH_IMAGE=%s\n' \
    "$DOCKER_HOST" "$MARIADB_IMAGE" "$KAFKA_IMAGE" "$OPENSEARCH_IMAGE" >&3
}

case ${1:-build} in
  build) build_all ;;
  *) die "usage: $0 build" ;;
esac
