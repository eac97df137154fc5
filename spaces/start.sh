#!/usr/bin/env bash
# The Space's entry point (the Dockerfile's CMD): checks the Jupyter token,
# prepares the workspace and the lab's settings, then serves `jupyter lab`
# from the venv install.sh filled, on port 7860 for Hugging Face's proxy.
# Arguments are passed on to `jupyter lab`.
#
# Environment (set in the Space's Settings, "Variables and secrets"):
#   JUPYTER_TOKEN     SECRET, required: 32+ random characters. There is no
#                     default on purpose: a Space is public on the internet,
#                     and the token is all that stands between a visitor and
#                     a shell. jupyter_server reads it from the environment,
#                     so it never appears on a command line or in a file.
#   OCEAN_RPC_URL     optional variable: the Sepolia JSON-RPC endpoint
#   OCEAN_NODE_URL    optional variable: the Ocean Node (HTTP URL)
#
# Knobs with defaults that suit the image (tests move them into scratch dirs):
#   SPACE_VENV            the venv install.sh filled ($HOME/venv)
#   SPACE_IP              the address to listen on (0.0.0.0: inside the
#                         container the proxy arrives over the network
#                         interface; a test outside Docker sets 127.0.0.1)
#   SPACE_PORT            7860, what the README's app_port says
#   SPACE_PERSISTENT_DIR  /data, where a Space's persistent storage is mounted
#   SPACE_WORKSPACE       the lab's root folder ($SPACE_PERSISTENT_DIR/work if
#                         that storage is there, else $HOME/work)
#   SPACE_EXAMPLES_DIR    notebooks copied into the workspace (examples/
#                         beside spaces/)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
secret_help="set a secret named JUPYTER_TOKEN to 32 or more random characters (e.g. the output of \`openssl rand -hex 32\`) in the Space's Settings > Variables and secrets, then restart the Space"

refuse() {
  echo "start.sh: refusing to start: $1; $secret_help." >&2
  exit 78 # EX_CONFIG: a restart alone will not fix it
}

token="${JUPYTER_TOKEN:-}"
# Tokens that templates and tutorials ship: anyone can guess them.
well_known=" huggingface hugging-face hf jupyter jupyterlab notebook password passw0rd token secret changeme change-me admin root test default letmein 123456 12345678 1234567890 "
lowered="$(printf '%s' "$token" | tr '[:upper:]' '[:lower:]')"
if [ -z "$token" ]; then
  refuse "JUPYTER_TOKEN is not set"
fi
case "$well_known" in
  *" $lowered "*) refuse "JUPYTER_TOKEN is a well-known default" ;;
esac
if [ "${#token}" -lt 32 ]; then
  refuse "JUPYTER_TOKEN is shorter than 32 characters"
fi
# A long token built from a handful of characters ("aaaa…", a word repeated)
# is as guessable as a short one.
distinct="$(printf '%s' "$token" | fold -w1 | sort -u | wc -l)"
if [ "$distinct" -lt 10 ]; then
  refuse "JUPYTER_TOKEN uses fewer than 10 different characters"
fi
case "$token" in
  *[[:space:]]*) refuse "JUPYTER_TOKEN contains white space" ;;
esac

venv="${SPACE_VENV:-$HOME/venv}"
ip="${SPACE_IP:-0.0.0.0}"
port="${SPACE_PORT:-7860}"
persistent="${SPACE_PERSISTENT_DIR:-/data}"
if [ -z "${SPACE_WORKSPACE:-}" ]; then
  if [ -d "$persistent" ] && [ -w "$persistent" ]; then
    SPACE_WORKSPACE="$persistent/work"
  else
    SPACE_WORKSPACE="$HOME/work"
  fi
fi
examples="${SPACE_EXAMPLES_DIR:-$(dirname "$here")/examples}"
python="$venv/bin/python"
[ -x "$python" ] || {
  echo "start.sh: no Python in $venv: run install.sh first" >&2
  exit 1
}

# Examples are copied only where the workspace has no file of that name, so
# a notebook edited on persistent storage survives a restart.
mkdir -p "$SPACE_WORKSPACE"
if [ -d "$examples" ]; then
  for example in "$examples"/*; do
    [ -e "$example" ] || continue
    target="$SPACE_WORKSPACE/$(basename "$example")"
    [ -e "$target" ] || cp -R "$example" "$target"
  done
fi

# Terminals and a notebook's `!pip` or `!python` find the venv's, whatever
# PATH the caller had.
export PATH="$venv/bin:$PATH"
export JUPYTER_CONFIG_DIR="${JUPYTER_CONFIG_DIR:-$HOME/.jupyter}"
# JupyterLab reads default settings from <prefix>/share/jupyter/lab/settings/
# overrides.json; the user's own changes (Settings Editor) still win.
SPACE_IP="$ip" SPACE_PORT="$port" SPACE_WORKSPACE="$SPACE_WORKSPACE" \
  SPACE_SETTINGS_OVERRIDES="$venv/share/jupyter/lab/settings/overrides.json" \
  SPACE_SERVER_CONFIG="$JUPYTER_CONFIG_DIR/jupyter_server_config.json" \
  "$python" - <<'PY'
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlparse


def https_url(name, default):
    value = os.environ.get(name) or default
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        sys.exit(f"start.sh: refusing to start: {name} must be an http(s) URL, got {value!r}")
    return value


# The default network cannot be the local stack: the chain and Ocean Node of
# `npm start` would sit on the Space's own loopback, which a visitor's browser
# (where the wallet runs) cannot reach. Sepolia is where Ocean deploys its
# testnet contracts (@oceanprotocol/contracts' address.json).
sepolia = {
    "key": "sepolia",
    "name": "Sepolia (Ocean testnet)",
    "chainId": 11155111,
    "rpcUrl": https_url("OCEAN_RPC_URL", "https://ethereum-sepolia-rpc.publicnode.com"),
    "nodeUrl": https_url("OCEAN_NODE_URL", "https://2.c2d.nodes.oceanprotocol.com:8000"),
    "explorerUrl": "https://sepolia.etherscan.io",
    "oceanTokenAddress": "0x1B083D8584dd3e6Ff37d04a6e7e82b5F622f3985",
    "nativeSymbol": "ETH",
}

overrides_file = Path(os.environ["SPACE_SETTINGS_OVERRIDES"])
try:
    overrides = json.loads(overrides_file.read_text(encoding="utf-8"))
except (OSError, ValueError):
    overrides = {}
overrides["jupyterlab-ocean:networks"] = {
    "activeNetwork": sepolia["key"],
    "networks": [sepolia],
}
# Nothing on a fresh Space should open with a dialog or a toast.
overrides.setdefault("@jupyterlab/docmanager-extension:plugin", {})[
    "renameUntitledFileOnSave"
] = False
overrides.setdefault("@jupyterlab/apputils-extension:notification", {}).update(
    {"fetchNews": "false", "checkForUpdates": False}
)
overrides_file.parent.mkdir(parents=True, exist_ok=True)
overrides_file.write_text(json.dumps(overrides, indent=2) + "\n", encoding="utf-8")

# Server options for `jupyter lab`. No token here: jupyter_server takes it
# from JUPYTER_TOKEN.
hf = "https://huggingface.co https://*.hf.space"
cookie = {"samesite": "None", "secure": True}
config = {
    "ServerApp": {
        # The one place this project listens beyond 127.0.0.1 (by default):
        # inside the container, Hugging Face's proxy reaches the app over the
        # container's network interface, never its loopback.
        "ip": os.environ["SPACE_IP"],
        "port": int(os.environ["SPACE_PORT"]),
        "port_retries": 0,
        "open_browser": False,
        "root_dir": os.environ["SPACE_WORKSPACE"],
        "allow_remote_access": True,
        # TLS ends at the proxy; its X-Forwarded-* headers tell the truth.
        "trust_xheaders": True,
        "tornado_settings": {
            "headers": {"Content-Security-Policy": f"frame-ancestors 'self' {hf}"},
            "xsrf_cookie_kwargs": cookie,
        },
    },
    # The Space page shows the app in an iframe from huggingface.co, so the
    # login and xsrf cookies must be sent in a third-party context (HTTPS
    # only). jupyter_server 2 reads the login cookie's options here.
    "IdentityProvider": {"cookie_options": cookie},
    # The Space secret stays the one credential: nobody turns a session
    # into a password stored on the Space's disk.
    "PasswordIdentityProvider": {"allow_password_change": False},
}
config_file = Path(os.environ["SPACE_SERVER_CONFIG"])
config_file.parent.mkdir(parents=True, exist_ok=True)
config_file.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
PY

# Never print the token: Space logs outlive the session.
echo "start.sh: serving ${SPACE_WORKSPACE} on ${ip}:${port}${SPACE_HOST:+ (https://$SPACE_HOST/lab)}; log in with the JUPYTER_TOKEN secret"
exec "$venv/bin/jupyter" lab --no-browser "$@"
