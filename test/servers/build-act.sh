#!/usr/bin/env bash
# build-act.sh — builds nektos/act (runs GitHub workflows locally; the suites use its host
# mode) and prints the cached binary's path. v0.2.89 is the version
# `go list -m -versions github.com/nektos/act` prints here.
# Env: VAULTGATE_ACT_VERSION  module version to build
exec "$(dirname "$0")/build-go-tool.sh" act github.com/nektos/act "${VAULTGATE_ACT_VERSION:-v0.2.89}" --version
