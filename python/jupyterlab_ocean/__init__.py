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


# ---------------------------------------------------------------------------
# Kernel bridge: the wallet provider and the %ocean magic.
#
# ``bridge.py`` is a copy of src/kernel-bridge/python/ocean_bridge.py, which
# the JupyterLab extension also sends into kernels on first use (as the
# module ``jupyterlab_ocean_bridge``). Whichever arrived first is the one
# used, so the magic, the provider and event listeners are shared.
# ---------------------------------------------------------------------------

_BRIDGE_NAMES = {
    "provider",
    "ocean",
    "OceanProvider",
    "OceanBridgeError",
    "OceanWeb3Provider",
    "RichResult",
    "web3_provider_class",
    "USER_REJECTED",
    "UNAUTHORIZED",
    "UNSUPPORTED_METHOD",
    "DISCONNECTED",
    "CHAIN_DISCONNECTED",
}


def _bridge():
    import sys

    module = sys.modules.get("jupyterlab_ocean_bridge")
    if module is None:
        from . import bridge as module

        sys.modules["jupyterlab_ocean_bridge"] = module
    return module


def load_ipython_extension(ipython):
    """``%load_ext jupyterlab_ocean``: registers the ``%ocean`` magic."""
    _bridge().load_ipython_extension(ipython)


def __getattr__(name):
    if name in _BRIDGE_NAMES:
        return getattr(_bridge(), name)
    raise AttributeError(f"module 'jupyterlab_ocean' has no attribute {name!r}")
