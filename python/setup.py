"""Puts the prebuilt labextension where JupyterLab looks for it.

pyproject.toml has the metadata; this file only computes `data_files`,
which needs the list of built files (static/remoteEntry.<hash>.js changes
with every build).
"""
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).parent
LABEXTENSION = HERE / "jupyterlab_ocean" / "labextension"
TARGET = Path("share") / "jupyter" / "labextensions" / "jupyterlab-ocean"

if not (LABEXTENSION / "package.json").exists():
    raise SystemExit(
        "The labextension is not built: run `npm run build` at the repository root first."
    )

data_files = {}
for path in sorted(LABEXTENSION.rglob("*")):
    if path.is_file() and not path.name.endswith(".orig"):
        folder = str(TARGET / path.parent.relative_to(LABEXTENSION))
        data_files.setdefault(folder, []).append(str(path.relative_to(HERE)))

setup(data_files=sorted(data_files.items()))
