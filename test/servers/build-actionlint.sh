#!/usr/bin/env bash
# build-actionlint.sh — builds rhysd/actionlint (the linter for workflows and action
# metadata) from the Go module proxy, once, and caches the binary outside the repository.
#
# Usage: test/servers/build-actionlint.sh   prints the path of the cached binary
# Env:   VAULTGATE_ACTIONLINT_VERSION  module version to build (default below)
#        VAULTGATE_CACHE_DIR           cache root (default: ${XDG_CACHE_HOME:-~/.cache}/vaultgate)
set -euo pipefail

version="${VAULTGATE_ACTIONLINT_VERSION:-v1.7.12}"
cache="${VAULTGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vaultgate}/actionlint/${version}"
bin="$cache/actionlint"

if [[ -x "$bin" ]] && "$bin" -version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "build-actionlint: Go is required to build actionlint" >&2; exit 3; }

log() { echo "build-actionlint: $*" >&2; }
start=$(date +%s)
mkdir -p "$cache"
work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

log "building github.com/rhysd/actionlint/cmd/actionlint@$version"
GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0 GOBIN="$work" \
  go install -trimpath -ldflags="-s -w" "github.com/rhysd/actionlint/cmd/actionlint@$version" >&2
"$work/actionlint" -version >&2
mv "$work/actionlint" "$bin"
log "built in $(( $(date +%s) - start ))s -> $bin"
echo "$bin"
