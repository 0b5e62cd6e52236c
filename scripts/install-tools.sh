#!/usr/bin/env bash
# Installs the tools the chart checks need, into <repo>/.tools (git-ignored), and Chromium:
#   .tools/bin/helm                      helm, built from source with `go install` (no binary download)
#   .tools/venv/bin/kubernetes-validate  offline Kubernetes schema validation (schemas ship in the wheel)
#   /usr/bin/chromium                    Debian's Chromium for the console's browser tests (apt; playwright-core
#                                        drives it, no browser is downloaded); skip with SDP_SKIP_CHROMIUM=1
# Idempotent and quiet: a tool already present at the wanted version is left alone, so a warm run
# takes well under a second. A cold run downloads helm's modules and compiles it: about 5.5 minutes
# on 2 busy cores; helm v4.3.1 needs Go >= 1.26 (with GOTOOLCHAIN=auto, go fetches it itself).
# Override the versions with SDP_HELM_VERSION (a v4 or v3 tag) and SDP_KUBERNETES_VALIDATE_VERSION.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
VENV="$TOOLS/venv"

HELM_VERSION="${SDP_HELM_VERSION:-v4.3.1}"
HELM_FALLBACK_VERSION="v3.21.4"
KV_VERSION="${SDP_KUBERNETES_VALIDATE_VERSION:-1.37.0}"

log() { printf 'install-tools: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

mkdir -p "$BIN"

# The module version recorded in the binary by `go install` (e.g. "helm.sh/helm/v4 v4.3.1").
helm_module_version() {
  [ -x "$BIN/helm" ] || return 1
  go version -m "$BIN/helm" 2>/dev/null | awk '$1 == "mod" { print $2, $3; exit }'
}

helm_module_for() { # v4.3.1 -> helm.sh/helm/v4
  printf 'helm.sh/helm/%s' "$(printf '%s' "$1" | cut -d. -f1)"
}

install_helm() {
  local version="$1" module
  module="$(helm_module_for "$version")"
  log "building helm $version from source (go install $module/cmd/helm@$version); this takes a few minutes"
  local out="$TOOLS/go-install-helm.log"
  if ! GOBIN="$BIN" GOFLAGS="${GOFLAGS:--buildvcs=false}" nice -n 10 go install "$module/cmd/helm@$version" >"$out" 2>&1; then
    grep -v '^go: downloading' "$out" | tail -n 20 >&2
    return 1
  fi
}

ensure_helm() {
  command -v go >/dev/null 2>&1 || die "go is not installed; helm is built with 'go install' (install Go >= 1.26)"
  local have want_primary want_fallback
  have="$(helm_module_version || true)"
  want_primary="$(helm_module_for "$HELM_VERSION") $HELM_VERSION"
  want_fallback="$(helm_module_for "$HELM_FALLBACK_VERSION") $HELM_FALLBACK_VERSION"
  if [ "$have" = "$want_primary" ]; then return 0; fi
  # An earlier run that had to fall back is accepted as long as the primary is not explicitly asked for.
  if [ "$have" = "$want_fallback" ] && [ -z "${SDP_HELM_VERSION:-}" ]; then return 0; fi
  if ! install_helm "$HELM_VERSION"; then
    [ -n "${SDP_HELM_VERSION:-}" ] && die "could not build helm $HELM_VERSION"
    log "helm $HELM_VERSION did not build; falling back to $HELM_FALLBACK_VERSION"
    install_helm "$HELM_FALLBACK_VERSION" || die "could not build helm $HELM_FALLBACK_VERSION either"
  fi
  "$BIN/helm" version >/dev/null 2>&1 || die "$BIN/helm does not run"
  log "helm ready: $(helm_module_version)"
}

ensure_kubernetes_validate() {
  local py
  py="$(command -v python3 || true)"
  [ -n "$py" ] || die "python3 is not installed; kubernetes-validate needs it"
  if [ -x "$VENV/bin/kubernetes-validate" ] &&
    [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("kubernetes-validate"))' 2>/dev/null)" = "$KV_VERSION" ]; then
    return 0
  fi
  log "installing kubernetes-validate $KV_VERSION into $VENV"
  if [ ! -x "$VENV/bin/python" ]; then
    "$py" -m venv "$VENV" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "kubernetes-validate==$KV_VERSION" ||
    die "pip install kubernetes-validate==$KV_VERSION failed"
  log "kubernetes-validate ready: $KV_VERSION"
}

# Debian's chromium package for test/integration/console-browser.test.ts (playwright-core drives it).
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  [ -n "${SDP_SKIP_CHROMIUM:-}" ] && { log "SDP_SKIP_CHROMIUM set: not installing chromium"; return 0; }
  command -v apt-get >/dev/null 2>&1 || die "/usr/bin/chromium is missing and there is no apt-get (install Chromium)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  log "installing chromium (apt-get) for the console browser tests"
  $sudo apt-get update -qq >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null ||
    die "apt-get install chromium failed"
  log "chromium ready: $(/usr/bin/chromium --version 2>/dev/null || echo unknown)"
}

ensure_helm
ensure_kubernetes_validate
ensure_chromium
