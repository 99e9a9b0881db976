# pip-venv.sh — sourced by the install-*.sh scripts of PyPI test servers: installs one
# requirement into a virtualenv cached outside the repository, once.
#
#   pip_venv NAME VERSION REQUIREMENT    sets VENV to the virtualenv; installs it unless cached
#
# The caller defines `venv_check`, run once after the install (e.g. the server's --help):
# a virtualenv is cached (marked .complete) only when it passed. Cache root:
# VAULTGATE_CACHE_DIR, default ${XDG_CACHE_HOME:-~/.cache}/vaultgate; the virtualenv is
# <root>/<NAME>/<VERSION>/venv.
pip_venv() {
  local name="$1" version="$2" requirement="$3"
  local cache="${VAULTGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vaultgate}/$name/$version"
  VENV="$cache/venv"
  if [[ -x "$VENV/bin/python" && -f "$cache/.complete" ]]; then
    return 0
  fi
  command -v python3 >/dev/null || { echo "install-$name: python3 is required (3.9 or later, with the venv module)" >&2; exit 3; }
  mkdir -p "$cache"
  rm -rf "$VENV" "$cache/.complete"
  echo "install-$name: installing $requirement into $VENV" >&2
  if ! python3 -m venv "$VENV" >&2; then
    echo "install-$name: python3 -m venv failed; install the venv module (Debian: apt-get install python3-venv)" >&2
    exit 3
  fi
  "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet "$requirement" >&2
  venv_check >&2
  touch "$cache/.complete"
}
