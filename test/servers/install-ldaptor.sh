#!/usr/bin/env bash
# install-ldaptor.sh — installs ldaptor (PyPI; an LDAP server and client library on
# Twisted) into a virtualenv cached outside the repository, once, for the suite that logs
# in through OpenBao's ldap auth method. test/servers/ldap-server.py serves a tree with it.
#
# Usage: test/servers/install-ldaptor.sh     prints the path of the virtualenv's python
# Env:   VAULTGATE_LDAPTOR_VERSION  ldaptor version to install (default below)
#        VAULTGATE_CACHE_DIR        cache root (default: ${XDG_CACHE_HOME:-~/.cache}/vaultgate)
set -euo pipefail

version="${VAULTGATE_LDAPTOR_VERSION:-21.2.0}"
cache="${VAULTGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vaultgate}/ldaptor/${version}"
python="$cache/venv/bin/python"

if [[ -x "$python" && -f "$cache/.complete" ]]; then
  echo "$python"
  exit 0
fi

command -v python3 >/dev/null || { echo "install-ldaptor: python3 is required (3.9 or later, with the venv module)" >&2; exit 3; }

log() { echo "install-ldaptor: $*" >&2; }
mkdir -p "$cache"
rm -rf "$cache/venv" "$cache/.complete"
log "installing ldaptor==$version into $cache/venv"
if ! python3 -m venv "$cache/venv" >&2; then
  echo "install-ldaptor: python3 -m venv failed; install the venv module (Debian: apt-get install python3-venv)" >&2
  exit 3
fi
"$python" -m pip install --disable-pip-version-check --quiet "ldaptor==$version" >&2
"$python" -c "import ldaptor.protocols.ldap.ldapserver, ldaptor.inmemory" >&2
touch "$cache/.complete"
echo "$python"
