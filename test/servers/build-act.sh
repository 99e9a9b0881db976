#!/usr/bin/env bash
# build-act.sh — builds nektos/act (runs GitHub workflows locally; the suites use its host
# mode) from the Go module proxy, once, and caches the binary outside the repository.
#
# Usage: test/servers/build-act.sh        prints the path of the cached binary
# Env:   VAULTGATE_ACT_VERSION   module version to build (default below)
#        VAULTGATE_CACHE_DIR     cache root (default: ${XDG_CACHE_HOME:-~/.cache}/vaultgate)
#
# act's go.mod has no replace lines, so `go install module@version` builds it as
# released. The module proxy lists only the versions it already holds; v0.2.89 is the
# one `go list -m -versions github.com/nektos/act` prints here.
set -euo pipefail

version="${VAULTGATE_ACT_VERSION:-v0.2.89}"
cache="${VAULTGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vaultgate}/act/${version}"
bin="$cache/act"

if [[ -x "$bin" ]] && "$bin" --version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "build-act: Go is required to build act" >&2; exit 3; }

log() { echo "build-act: $*" >&2; }
start=$(date +%s)
mkdir -p "$cache"
work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

log "building github.com/nektos/act@$version (a cold build takes a few minutes)"
GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0 GOBIN="$work" \
  go install -trimpath -ldflags="-s -w" "github.com/nektos/act@$version" >&2
"$work/act" --version >&2
mv "$work/act" "$bin"
log "built in $(( $(date +%s) - start ))s -> $bin"
echo "$bin"
