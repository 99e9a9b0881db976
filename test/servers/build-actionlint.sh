#!/usr/bin/env bash
# build-actionlint.sh — builds rhysd/actionlint (the linter for workflows and action
# metadata) and prints the cached binary's path.
# Env: VAULTGATE_ACTIONLINT_VERSION  module version to build
exec "$(dirname "$0")/build-go-tool.sh" actionlint github.com/rhysd/actionlint/cmd/actionlint "${VAULTGATE_ACTIONLINT_VERSION:-v1.7.12}" -version
