#!/usr/bin/python3
"""The lab host: a real JupyterLab 4 (frontend built by lab/build.mjs) served by
Debian's jupyter_server 1.23 + jupyterlab_server, without the `jupyterlab`
Python package.

Usage (Debian's Python, which sees the apt-installed Jupyter packages):

    /usr/bin/python3 lab/server.py --port P --root-dir DIR --state-dir DIR --token T
                                   [--extension PATH]... [--extra-labextensions-dir DIR]...

  --port P                     port to listen on; 127.0.0.1 only, no retry on a busy port
  --root-dir DIR               the folder the file browser and kernels start in
  --state-dir DIR              everything the server writes: kernelspecs, user settings,
                               workspaces, runtime and connection files, app data,
                               IPython and Deno caches. Use a fresh one per test run.
  --token T                    the auth token (the URL printed below carries it)
  --extension PATH             a prebuilt extension's output folder (package.json with
                               jupyterlab._build, plus static/), e.g.
                               python/jupyterlab_ocean/labextension. Repeatable. It is
                               linked into STATE/labextensions/<package name>, so it
                               loads as from share/jupyter/labextensions/<name>.
  --extra-labextensions-dir DIR
                               a folder that already holds installed extensions
                               (<name>/ or @scope/<name>/), e.g. a wheel's
                               share/jupyter/labextensions. Repeatable; searched first.
  --settings-overrides FILE    JSON {plugin id: {setting: value}} merged over the defaults

@jupyter-widgets/jupyterlab-manager (built by lab/build.mjs) is always loaded.
Kernels: `python3` (Debian's /usr/bin/python3 -m ipykernel_launcher) and `deno`
(the npm `deno` package's binary from the repository's node_modules).

Once ready it prints one line starting exactly with
    JupyterLab: http://127.0.0.1:P/lab?token=T
SIGINT and SIGTERM shut the kernels down and exit with status 0.
Exit status 2: bad arguments or missing build (run `node lab/build.mjs`).
"""

import argparse
import glob
import json
import os
import signal
import sys
from pathlib import Path

LAB_DIR = Path(__file__).resolve().parent
REPO_DIR = LAB_DIR.parent
STATIC_DIR = LAB_DIR / "static"
WIDGET_MANAGER = "@jupyter-widgets/jupyterlab-manager"

# Settings a fresh lab starts with, so nothing blocks a person or a test on
# first start: no rename dialog on the first save, no news or update toasts.
SETTINGS_OVERRIDES = {
    "@jupyterlab/docmanager-extension:plugin": {"renameUntitledFileOnSave": False},
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def fail(message):
    print(f"lab/server: {message}", file=sys.stderr)
    sys.exit(2)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="lab/server.py",
        description="Serve the lab host's JupyterLab on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--root-dir", required=True)
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--extension", action="append", default=[], metavar="PATH")
    parser.add_argument(
        "--extra-labextensions-dir", action="append", default=[], metavar="DIR"
    )
    parser.add_argument(
        "--settings-overrides",
        metavar="FILE",
        help="JSON {plugin id: {setting: value}} merged over the defaults, "
        "e.g. to point the Ocean extension at a stack on other ports",
    )
    return parser.parse_args(argv)


def read_package(folder):
    package_file = Path(folder) / "package.json"
    try:
        return json.loads(package_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        fail(f"LAB_EXTENSION_INVALID: cannot read {package_file}: {error}")


def link_extensions(labextensions_dir, extension_dirs):
    """Links each prebuilt extension under its package name (scoped names in
    an @scope folder), as `jupyter labextension develop` would."""
    labextensions_dir.mkdir(parents=True, exist_ok=True)
    for folder in extension_dirs:
        folder = Path(folder).resolve()
        package = read_package(folder)
        if "_build" not in package.get("jupyterlab", {}):
            fail(
                f"LAB_EXTENSION_NOT_BUILT: {folder}/package.json has no "
                "jupyterlab._build; build the extension first"
            )
        link = labextensions_dir / package["name"]
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(folder, target_is_directory=True)


def find_deno():
    """The binary the npm `deno` package installs (an optional dependency
    named @deno/<platform>)."""
    for pattern in ("node_modules/@deno/*/bin/deno", "node_modules/@deno/*/deno"):
        for candidate in sorted(glob.glob(str(REPO_DIR / pattern))):
            if os.access(candidate, os.X_OK):
                return candidate
    return None


def write_kernelspecs(kernels_dir):
    specs = {
        "python3": {
            "argv": [
                "/usr/bin/python3",
                # ipykernel's debugger warns on every start without this.
                "-Xfrozen_modules=off",
                "-m",
                "ipykernel_launcher",
                "-f",
                "{connection_file}",
            ],
            "env": {"PYDEVD_DISABLE_FILE_VALIDATION": "1"},
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "metadata": {"debugger": True},
        }
    }
    deno = find_deno()
    if deno:
        specs["deno"] = {
            "argv": [deno, "jupyter", "--kernel", "--conn", "{connection_file}"],
            "display_name": "Deno",
            "language": "typescript",
        }
    else:
        print(
            "lab/server: no deno binary under node_modules/@deno; "
            "run `npm install` at the repository root for the Deno kernel",
            file=sys.stderr,
        )
    for name, spec in specs.items():
        folder = kernels_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "kernel.json").write_text(json.dumps(spec, indent=2) + "\n")
    return sorted(specs)


def isolate_environment(state_dir):
    """Points every Jupyter, IPython and Deno location into the state dir, so a
    run never reads or writes $HOME and two runs never see each other."""
    folders = {
        "JUPYTER_CONFIG_DIR": state_dir / "config",
        "JUPYTER_DATA_DIR": state_dir / "data",
        "JUPYTER_RUNTIME_DIR": state_dir / "runtime",
        "IPYTHONDIR": state_dir / "ipython",
    }
    for variable, folder in folders.items():
        folder.mkdir(parents=True, exist_ok=True)
        os.environ[variable] = str(folder)
    os.environ["JUPYTER_PATH"] = str(state_dir / "data")
    os.environ["JUPYTER_CONFIG_PATH"] = str(state_dir / "config")
    # Deno's module cache may be shared on purpose (DENO_DIR set by the caller).
    os.environ.setdefault("DENO_DIR", str(state_dir / "deno"))


args = parse_args(sys.argv[1:])
STATE_DIR = Path(args.state_dir).resolve()
ROOT_DIR = Path(args.root_dir).resolve()
if not (STATIC_DIR / "templates" / "index.html").exists():
    fail("LAB_NOT_BUILT: lab/static is missing; run `node lab/build.mjs` first")
if not ROOT_DIR.is_dir():
    fail(f"LAB_ROOT_MISSING: --root-dir {ROOT_DIR} is not a folder")
for extra in args.extra_labextensions_dir:
    if not Path(extra).is_dir():
        fail(f"LAB_EXTENSIONS_DIR_MISSING: --extra-labextensions-dir {extra} is not a folder")

isolate_environment(STATE_DIR)
LABEXTENSIONS_DIR = STATE_DIR / "labextensions"
APP_SETTINGS_DIR = STATE_DIR / "app-settings"
link_extensions(
    LABEXTENSIONS_DIR,
    [STATIC_DIR / "labextensions" / WIDGET_MANAGER] + args.extension,
)
KERNEL_NAMES = write_kernelspecs(STATE_DIR / "data" / "kernels")
APP_SETTINGS_DIR.mkdir(parents=True, exist_ok=True)
if args.settings_overrides:
    try:
        extra = json.loads(Path(args.settings_overrides).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        fail(f"LAB_SETTINGS_INVALID: cannot read {args.settings_overrides}: {error}")
    for plugin_id, values in extra.items():
        SETTINGS_OVERRIDES.setdefault(plugin_id, {}).update(values)
(APP_SETTINGS_DIR / "overrides.json").write_text(
    json.dumps(SETTINGS_OVERRIDES, indent=2) + "\n"
)

# Imported only now: jupyter_core reads the environment set above.
from jupyter_server.base.handlers import APIHandler, JupyterHandler  # noqa: E402
from jupyter_server.base.zmqhandlers import WebSocketMixin  # noqa: E402
from jupyterlab_server import LabServerApp  # noqa: E402
from tornado import web, websocket  # noqa: E402
from traitlets.config import Config  # noqa: E402

CORE = json.loads((STATIC_DIR / "app" / "package.json").read_text(encoding="utf-8"))


class IdentityHandler(APIHandler):
    """GET /api/me, which jupyter_server 2 answers and 1.23 lacks. The single
    token user may do everything it asks about."""

    @web.authenticated
    def get(self):
        asked = json.loads(self.get_argument("permissions", "{}") or "{}")
        self.finish(
            json.dumps(
                {
                    "identity": {
                        "username": "lab",
                        "name": "Lab User",
                        "display_name": "Lab User",
                        "initials": "LU",
                        "avatar_url": None,
                        "color": None,
                    },
                    "permissions": {
                        resource: list(actions) for resource, actions in asked.items()
                    },
                }
            )
        )


class EventsSubscribeHandler(WebSocketMixin, websocket.WebSocketHandler, JupyterHandler):
    """Websocket /api/events/subscribe (jupyter_server 2's event bus). This
    server emits no events; the socket stays open so the frontend is content."""

    async def get(self, *args, **kwargs):
        if self.current_user is None:
            raise web.HTTPError(403)
        return await super().get(*args, **kwargs)

    def on_message(self, message):
        pass


class LspStatusHandler(APIHandler):
    """GET /lsp/status (jupyter-lsp): no language servers here."""

    @web.authenticated
    def get(self):
        self.finish(json.dumps({"version": 2, "sessions": {}, "specs": {}}))


class OceanLabApp(LabServerApp):
    # jupyter_server finds a script's extension app through this module's
    # _jupyter_server_extension_points() under the module's own name.
    name = __name__
    app_name = "JupyterLab"
    # What a pip-installed JupyterLab uses (state and workspace keys).
    app_namespace = "jupyterlab"
    app_version = CORE["version"]
    load_other_extensions = False
    default_url = "/lab"
    extension_url = "/lab"

    def initialize_handlers(self):
        self.handlers.extend(
            [
                (r"/api/me", IdentityHandler),
                (r"/api/events/subscribe", EventsSubscribeHandler),
                (r"/lsp/status", LspStatusHandler),
            ]
        )
        super().initialize_handlers()


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": OceanLabApp}]


def make_config():
    config = Config()
    config.ServerApp.ip = "127.0.0.1"
    config.ServerApp.port = args.port
    config.ServerApp.port_retries = 0
    config.ServerApp.token = args.token
    config.ServerApp.root_dir = str(ROOT_DIR)
    config.ServerApp.open_browser = False
    config.ServerApp.allow_root = True
    config.ServerApp.allow_remote_access = False
    config.ServerApp.terminals_enabled = True
    config.KernelSpecManager.ensure_native_kernel = False
    config.KernelSpecManager.allowed_kernelspecs = set(KERNEL_NAMES)
    config.LabServerApp.app_settings_dir = str(APP_SETTINGS_DIR)
    config.LabServerApp.user_settings_dir = str(STATE_DIR / "user-settings")
    config.LabServerApp.workspaces_dir = str(STATE_DIR / "workspaces")
    config.LabServerApp.schemas_dir = str(STATIC_DIR / "schemas")
    config.LabServerApp.themes_dir = str(STATIC_DIR / "themes")
    config.LabServerApp.static_dir = str(STATIC_DIR / "app")
    config.LabServerApp.templates_dir = str(STATIC_DIR / "templates")
    config.LabServerApp.labextensions_path = [str(LABEXTENSIONS_DIR)]
    config.LabServerApp.extra_labextensions_path = [
        str(Path(extra).resolve()) for extra in args.extra_labextensions_dir
    ]
    # No-cache headers: a rebuilt extension or --dev bundle (unhashed names)
    # must never be served stale to a reused browser profile.
    config.LabServerApp.cache_files = False
    return config


def main():
    serverapp = OceanLabApp.initialize_server(argv=[], config=make_config())

    # jupyter_server 1.23 only handles SIGINT with a tty (it asks to confirm);
    # both signals should shut kernels down and stop, as SIGTERM already does.
    signal.signal(signal.SIGINT, serverapp._signal_stop)
    signal.signal(signal.SIGTERM, serverapp._signal_stop)

    def announce():
        print(
            f"JupyterLab: http://127.0.0.1:{args.port}/lab?token={args.token}",
            flush=True,
        )

    # A test host: tests may drive the app through window.jupyterapp.
    serverapp.web_app.settings.setdefault("page_config_data", {})[
        "exposeAppInBrowser"
    ] = True

    serverapp.start_app()
    serverapp.io_loop.add_callback(announce)
    serverapp.start_ioloop()
    print("lab/server: stopped", flush=True)


if __name__ == "__main__":
    main()
