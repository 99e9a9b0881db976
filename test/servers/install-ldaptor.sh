#!/usr/bin/env bash
# install-ldaptor.sh — installs ldaptor (PyPI; an LDAP server and client library on
# Twisted) into a virtualenv cached outside the repository, once, for the suite that logs
# in through OpenBao's ldap auth method. test/servers/ldap-server.py serves a tree with it.
#
# Usage: test/servers/install-ldaptor.sh     prints the path of the virtualenv's python
# Env:   VAULTGATE_LDAPTOR_VERSION  ldaptor version to install (default below)
#        VAULTGATE_CACHE_DIR        cache root (default: ${XDG_CACHE_HOME:-~/.cache}/vaultgate)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/pip-venv.sh"

version="${VAULTGATE_LDAPTOR_VERSION:-21.2.0}"
venv_check() { "$VENV/bin/python" -c "import ldaptor.protocols.ldap.ldapserver, ldaptor.inmemory"; }
pip_venv ldaptor "$version" "ldaptor==$version"
echo "$VENV/bin/python"
