#!/usr/bin/env bash
# install-moto.sh — installs moto's server mode (PyPI `moto[server]`) into a virtualenv
# cached outside the repository, once, for the AWS provider's tests.
#
# Usage: test/servers/install-moto.sh        prints the path of the cached moto_server
# Env:   VAULTGATE_MOTO_VERSION  moto version to install (default below)
#        VAULTGATE_CACHE_DIR     cache root (default: ${XDG_CACHE_HOME:-~/.cache}/vaultgate)
#
# moto 5.2.5 serves STS AssumeRoleWithWebIdentity, Secrets Manager (GetSecretValue,
# BatchGetSecretValue, DescribeSecret) and SSM (GetParameter(s), GetParametersByPath with
# SecureString). It verifies neither the web identity token nor the role's trust policy.
set -euo pipefail

version="${VAULTGATE_MOTO_VERSION:-5.2.5}"
cache="${VAULTGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vaultgate}/moto/${version}"
bin="$cache/venv/bin/moto_server"

if [[ -x "$bin" && -f "$cache/.complete" ]]; then
  echo "$bin"
  exit 0
fi

command -v python3 >/dev/null || { echo "install-moto: python3 is required (3.9 or later, with the venv module)" >&2; exit 3; }

log() { echo "install-moto: $*" >&2; }
mkdir -p "$cache"
rm -rf "$cache/venv" "$cache/.complete"
log "installing moto[server]==$version into $cache/venv"
if ! python3 -m venv "$cache/venv" >&2; then
  echo "install-moto: python3 -m venv failed; install the venv module (Debian: apt-get install python3-venv)" >&2
  exit 3
fi
"$cache/venv/bin/python" -m pip install --disable-pip-version-check --quiet "moto[server]==$version" >&2
"$bin" --help >/dev/null
touch "$cache/.complete"
echo "$bin"
