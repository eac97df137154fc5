#!/usr/bin/env bash
# The Space image's install step (the Dockerfile runs it), kept as a script so
# the same steps also run outside Docker: scripts/test-spaces.mjs runs it on a
# Debian machine without PyPI.
#
# Usage: install.sh [--venv DIR] [--wheel-dir DIR] [--no-index]
#                   [--no-jupyterlab] [--system-site-packages]
#
#   --venv DIR              the virtual environment to create or reuse
#                           (env SPACE_VENV, default $HOME/venv)
#   --wheel-dir DIR         the folder holding jupyterlab_ocean-*.whl, built by
#                           `npm run dist` (env SPACE_WHEEL_DIR, default ./dist
#                           beside this script)
#   --no-index              never ask a package index: install only from local
#                           files (env SPACE_PIP_NO_INDEX=1)
#   --no-jupyterlab         skip JupyterLab itself, for a caller that serves the
#                           lab with its own server (env SPACE_SKIP_JUPYTERLAB=1)
#   --system-site-packages  let the venv see the system's Python packages
#                           (Debian's Jupyter server in the test)
#
# Env PYTHON picks the interpreter that creates the venv (default python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${SPACE_VENV:-$HOME/venv}"
wheel_dir="${SPACE_WHEEL_DIR:-$here/dist}"
no_index="${SPACE_PIP_NO_INDEX:-0}"
skip_jupyterlab="${SPACE_SKIP_JUPYTERLAB:-0}"
system_site=0
# A stock JupyterLab 4 from PyPI. 4.2 is the oldest release we test against in
# spirit (our shared packages are ^4 ranges); 5 may break the extension API.
jupyterlab_requirement='jupyterlab>=4.2,<5'

fail() {
  echo "install.sh: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --venv) venv="${2:?--venv needs a folder}"; shift 2 ;;
    --wheel-dir) wheel_dir="${2:?--wheel-dir needs a folder}"; shift 2 ;;
    --no-index) no_index=1; shift ;;
    --no-jupyterlab) skip_jupyterlab=1; shift ;;
    --system-site-packages) system_site=1; shift ;;
    -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
    *) fail "unknown option $1 (see --help)" ;;
  esac
done

shopt -s nullglob
wheels=("$wheel_dir"/jupyterlab_ocean-*.whl)
shopt -u nullglob
if [ ${#wheels[@]} -eq 0 ]; then
  fail "no jupyterlab_ocean-*.whl in $wheel_dir: run \`npm run dist && npm run space:bundle\` in the jupyterlab-ocean repository and push build/space/"
fi
if [ ${#wheels[@]} -gt 1 ]; then
  fail "more than one jupyterlab_ocean wheel in $wheel_dir (${wheels[*]}): keep only the one to install"
fi

if [ ! -x "$venv/bin/python" ]; then
  venv_args=()
  [ "$system_site" = 1 ] && venv_args+=(--system-site-packages)
  "${PYTHON:-python3}" -m venv "${venv_args[@]}" "$venv"
fi

pip_args=(install --no-cache-dir --disable-pip-version-check --quiet)
if [ "$no_index" = 1 ]; then
  pip_args+=(--no-index --find-links "$wheel_dir")
fi

if [ "$skip_jupyterlab" != 1 ]; then
  "$venv/bin/pip" "${pip_args[@]}" "$jupyterlab_requirement"
fi
# The wheel has no Python dependencies; --no-deps keeps a --no-index install
# from looking for JupyterLab when the caller brings its own server.
"$venv/bin/pip" "${pip_args[@]}" --no-deps --force-reinstall "${wheels[0]}"

manifest="$venv/share/jupyter/labextensions/jupyterlab-ocean/package.json"
[ -f "$manifest" ] || fail "the wheel did not install $manifest"
echo "install.sh: jupyterlab-ocean installed into $venv"
