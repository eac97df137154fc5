#!/usr/bin/env bash
# The Space image's install step (the Dockerfile runs it), kept as a script so
# the same steps also run outside Docker (scripts/test-spaces.mjs).
#
# Usage: install.sh [--venv DIR] [--lock FILE] [--wheel-dir DIR]
#                   [--requirements-only]
#
#   --venv DIR            the virtual environment to create or reuse
#                         (env SPACE_VENV, default $HOME/venv)
#   --lock FILE           the pinned, hashed requirements (env SPACE_LOCK,
#                         default requirements/space.txt beside spaces/)
#   --wheel-dir DIR       the folder holding jupyterlab_ocean-*.whl, built by
#                         `npm run dist` (env SPACE_WHEEL_DIR, default dist/
#                         beside spaces/)
#   --requirements-only   install the lock and stop (the Dockerfile's first
#                         layer, which must not change with every wheel)
#
# Env PYTHON picks the interpreter that creates the venv (default python3).
# pip reads its usual environment (the image sets PIP_NO_CACHE_DIR=1).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app="$(dirname "$here")"
venv="${SPACE_VENV:-$HOME/venv}"
lock="${SPACE_LOCK:-$app/requirements/space.txt}"
wheel_dir="${SPACE_WHEEL_DIR:-$app/dist}"
requirements_only=0

fail() {
  echo "install.sh: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --venv) venv="${2:?--venv needs a folder}"; shift 2 ;;
    --lock) lock="${2:?--lock needs a file}"; shift 2 ;;
    --wheel-dir) wheel_dir="${2:?--wheel-dir needs a folder}"; shift 2 ;;
    --requirements-only) requirements_only=1; shift ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    *) fail "unknown option $1 (see --help)" ;;
  esac
done

[ -f "$lock" ] || fail "no lock file at $lock: the Space needs requirements/space.txt from the jupyterlab-ocean repository"
python="${PYTHON:-python3}"
command -v "$python" >/dev/null || fail "no $python to make the venv with (set PYTHON)"

# The venv is reused only when it was filled from this very lock by this
# Python: a changed lock starts from an empty venv, so a package the lock
# dropped is gone too (the same rule as the project's own .venv).
stamp="$venv/.installed-from-lock"
want="$(sha256sum "$lock" | cut -d' ' -f1) $("$python" -c 'import platform; print(platform.python_version())')"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
  # --require-hashes: each downloaded file must match the lock's hash;
  # --no-deps: the lock names every package, so nothing unlisted slips in.
  "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet \
    --require-hashes --no-deps -r "$lock"
  # venv seeds setuptools (Python < 3.12); the lock does not pin it, so it is
  # a package nobody chose.
  if ! grep -q '^setuptools==' "$lock"; then
    "$venv/bin/python" -m pip uninstall --disable-pip-version-check --quiet --yes setuptools 2>/dev/null || true
  fi
  "$venv/bin/python" -m pip check >/dev/null || fail "pip check failed in $venv: $("$venv/bin/python" -m pip check)"
  printf '%s\n' "$want" >"$stamp"
  echo "install.sh: installed $(grep -c '^[A-Za-z0-9].*==' "$lock") pinned packages from $lock into $venv"
else
  echo "install.sh: $venv already holds $lock"
fi
[ "$requirements_only" = 1 ] && exit 0

shopt -s nullglob
wheels=("$wheel_dir"/jupyterlab_ocean-*.whl)
shopt -u nullglob
if [ ${#wheels[@]} -eq 0 ]; then
  fail "no jupyterlab_ocean-*.whl in $wheel_dir: run \`npm run dist\` in the jupyterlab-ocean repository (and \`npm run space:bundle\` for a Space repository)"
fi
if [ ${#wheels[@]} -gt 1 ]; then
  fail "more than one jupyterlab_ocean wheel in $wheel_dir (${wheels[*]}): keep only the one to install"
fi
# The wheel declares no Python dependencies (the lock brought them); a
# reinstall replaces the extension of an earlier wheel in a reused venv.
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet \
  --no-deps --force-reinstall "${wheels[0]}"

manifest="$venv/share/jupyter/labextensions/jupyterlab-ocean/package.json"
[ -f "$manifest" ] || fail "the wheel did not install $manifest"
echo "install.sh: jupyterlab-ocean installed into $venv from $(basename "${wheels[0]}")"
