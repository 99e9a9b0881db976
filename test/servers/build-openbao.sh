#!/usr/bin/env bash
# build-openbao.sh — builds the OpenBao server used by the integration tests from the
# Go module proxy, once, and caches the binary outside the repository.
#
# Usage: test/servers/build-openbao.sh        prints the path of the cached binary
# Env:   VAULTGATE_OPENBAO_VERSION  root-module pseudo-version to build (default below)
#        VAULTGATE_CACHE_DIR        cache root (default: ${XDG_CACHE_HOME:-~/.cache}/vaultgate)
#
# Why a builder module: OpenBao's module path has no /v2 while its releases are tagged
# v2.x, so only a commit pseudo-version resolves. Its own `replace` lines (api, sdk and
# the api/auth/* submodules point at local directories) are ignored when it is a
# dependency, and its go.mod requires submodule tags that do not exist, so this module
# carries its own `replace` lines for those submodules.
set -euo pipefail

# OpenBao v2.4.0 (commit f9407a27fbee). Only pseudo-versions the module proxy already
# holds can be fetched here (it does not go to GitHub for a new commit), and this is the
# newest such pseudo-version of the root module; later releases are refused with 403.
version="${VAULTGATE_OPENBAO_VERSION:-v0.0.0-20250828202315-f9407a27fbee}"
# The api/v2 and sdk/v2 submodules at their v2.4.0 tags: sdk is identical to the release
# commit, api differs only in comments and client helpers the server does not use.
api_version="${VAULTGATE_OPENBAO_API_VERSION:-v2.4.0}"
sdk_version="${VAULTGATE_OPENBAO_SDK_VERSION:-v2.4.0}"
cache="${VAULTGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vaultgate}/openbao/${version}"
bin="$cache/bao"

if [[ -x "$bin" ]] && "$bin" version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "build-openbao: Go is required to build OpenBao (install Go >= 1.24)" >&2; exit 3; }

mkdir -p "$cache"
work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"

log() { echo "build-openbao: $*" >&2; }
start=$(date +%s)

export GOFLAGS=-mod=mod GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
# The checksum database answers 404 for several go-kms-wrapping versions OpenBao needs;
# for OpenBao's own modules the proxy's copy is trusted (this binary only runs tests).
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/openbao"
go mod init vaultgate.test/openbao-builder >/dev/null 2>&1
log "building github.com/openbao/openbao@$version (a cold build takes several minutes)"
go mod edit -replace "github.com/openbao/openbao/api/v2=github.com/openbao/openbao/api/v2@$api_version"
go mod edit -replace "github.com/openbao/openbao/sdk/v2=github.com/openbao/openbao/sdk/v2@$sdk_version"
# OpenBao requires api/auth/{approle,userpass}/v2 v2.0.0, a tag the proxy does not serve;
# no server package imports them, so empty local modules satisfy the module graph.
# (api/auth/kubernetes/v2 is imported by openbao-template and resolves to v2.0.1.)
for sub in approle userpass; do
  mkdir -p "stub/$sub"
  printf 'module github.com/openbao/openbao/api/auth/%s/v2\n\ngo 1.22\n' "$sub" >"stub/$sub/go.mod"
  go mod edit -replace "github.com/openbao/openbao/api/auth/$sub/v2=./stub/$sub"
done
# OpenBao replaces boltdb with an in-tree stub; the real v1.3.1 builds on amd64.
go mod edit -replace github.com/boltdb/bolt=github.com/boltdb/bolt@v1.3.1

go get "github.com/openbao/openbao@$version" >&2
CGO_ENABLED=0 go build -trimpath \
  -ldflags="-s -w -X github.com/openbao/openbao/version.fullVersion=${VAULTGATE_OPENBAO_LABEL:-2.4.0}" -o "$work/bao" github.com/openbao/openbao >&2
"$work/bao" version >&2
mv "$work/bao" "$bin"
log "built in $(( $(date +%s) - start ))s -> $bin"
echo "$bin"
