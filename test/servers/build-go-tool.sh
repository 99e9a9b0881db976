#!/usr/bin/env bash
# build-go-tool.sh — builds a Go command from the Go module proxy, once, and caches the
# binary outside the repository. build-act.sh and build-actionlint.sh name what to build.
#
# Usage: test/servers/build-go-tool.sh NAME PACKAGE VERSION VERSION_FLAG
#        prints the path of the cached binary
# Env:   VAULTGATE_CACHE_DIR   cache root (default: ${XDG_CACHE_HOME:-~/.cache}/vaultgate)
#
# The tools have no replace lines in their go.mod, so `go install package@version` builds
# them as released. The module proxy serves only the versions it already holds.
set -euo pipefail

name="$1" package="$2" version="$3" version_flag="$4"
cache="${VAULTGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vaultgate}/${name}/${version}"
bin="$cache/$name"

if [[ -x "$bin" ]] && "$bin" "$version_flag" >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi

log() { echo "build-$name: $*" >&2; }
command -v go >/dev/null || { log "Go is required to build $name"; exit 3; }

start=$(date +%s)
mkdir -p "$cache"
work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

log "building $package@$version"
GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0 GOBIN="$work" \
  go install -trimpath -ldflags="-s -w" "$package@$version" >&2
"$work/$name" "$version_flag" >&2
mv "$work/$name" "$bin"
log "built in $(( $(date +%s) - start ))s -> $bin"
echo "$bin"
