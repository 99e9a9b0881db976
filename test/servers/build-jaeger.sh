#!/usr/bin/env bash
# build-jaeger.sh — builds the Jaeger v2 server (an OpenTelemetry Collector distribution
# with an OTLP receiver, in-memory trace storage and the query API) that the telemetry
# tests export to, from the Go module proxy, once, and caches the binary outside the
# repository.
#
# Usage: test/servers/build-jaeger.sh        prints the path of the cached binary
# Env:   VAULTGATE_JAEGER_VERSION  module version to build (default below)
#        VAULTGATE_CACHE_DIR       cache root (default: ${XDG_CACHE_HOME:-~/.cache}/vaultgate)
#
# Why a builder module: Jaeger's go.mod has a `replace` line (Shopify/sarama), so
# `go install package@version` refuses it; a small module that repeats the replace
# line and requires Jaeger builds the same program.
set -euo pipefail

version="${VAULTGATE_JAEGER_VERSION:-v1.76.0}"
cache="${VAULTGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vaultgate}/jaeger/${version}"
bin="$cache/jaeger"

if [[ -x "$bin" ]] && "$bin" version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi

log() { echo "build-jaeger: $*" >&2; }
command -v go >/dev/null || { log "Go is required to build Jaeger (install Go >= 1.24)"; exit 3; }

mkdir -p "$cache"
work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
start=$(date +%s)

export GOFLAGS=-mod=mod GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
go mod init vaultgate.test/jaeger-builder >/dev/null 2>&1
log "building github.com/jaegertracing/jaeger/cmd/jaeger@$version (a cold build takes many minutes)"
# The same replace line as Jaeger's own go.mod, which is ignored for a dependency.
go mod edit -replace github.com/Shopify/sarama=github.com/Shopify/sarama@v1.33.0
go get "github.com/jaegertracing/jaeger@$version" >&2
CGO_ENABLED=0 go build -trimpath \
  -ldflags="-s -w -X github.com/jaegertracing/jaeger/internal/version.latestVersion=$version" \
  -o "$work/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger >&2
"$work/jaeger" version >&2
mv "$work/jaeger" "$bin"
log "built in $(( $(date +%s) - start ))s -> $bin"
echo "$bin"
