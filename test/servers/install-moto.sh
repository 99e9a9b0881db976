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
source "$(dirname "${BASH_SOURCE[0]}")/pip-venv.sh"

version="${VAULTGATE_MOTO_VERSION:-5.2.5}"
venv_check() { "$VENV/bin/moto_server" --help >/dev/null; }
pip_venv moto "$version" "moto[server]==$version"
echo "$VENV/bin/moto_server"
