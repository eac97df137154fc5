"""jupyterlab-ocean: a native Web3 wallet and Ocean Protocol data inside JupyterLab.

Installing this package installs the prebuilt JupyterLab extension under
``share/jupyter/labextensions/jupyterlab-ocean``; JupyterLab 4 finds it there
without a rebuild. The kernel-side helpers (the wallet provider and the
``%ocean`` magics) live in this package too, so ``import jupyterlab_ocean``
works in any kernel that has it installed.
"""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    """Where JupyterLab finds the prebuilt extension (used by `jupyter labextension develop`)."""
    return [{"src": "labextension", "dest": "jupyterlab-ocean"}]
