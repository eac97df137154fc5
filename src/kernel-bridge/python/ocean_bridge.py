"""The kernel side of the jupyterlab-ocean bridge, for IPython kernels.

The JupyterLab extension sends this file into a kernel the first time a
cell mentions Ocean, so nothing needs installing; the jupyterlab_ocean
wheel ships the same file as ``jupyterlab_ocean.bridge``.

What it offers:

* ``provider``: an EIP-1193 provider (``provider.request(method, params)``,
  ``provider.on(event, fn)``, ``provider.remove_listener(event, fn)``) backed
  by the wallet in the browser. Keys never enter the kernel: every
  signature is approved in the wallet's dialog.
* ``OceanWeb3Provider``: the same provider for web3.py, when web3 is
  importable: ``w3 = Web3(OceanWeb3Provider())``.
* ``ocean``: commands, ``ocean.account()``, ``ocean.sign("hi")``,
  ``ocean.call("name", *args, **options)``, or ``ocean.<name>(...)``.
* the ``%ocean`` magic: ``%ocean help``, ``addr = %ocean account``…

Messages travel over the stdin channel (an ``input_request`` whose prompt
carries the request; the browser answers in the ``input_reply``), because
that is the one channel both ipykernel and Deno read while a cell is still
running: see src/kernel-bridge/transport.ts. Chain reads go straight to the
loopback RPC URL the browser shares, where it does (see ``_DirectReads``).
The shapes are those of src/kernel-bridge/protocol.ts.
"""

import base64
import hmac
import html
import http.client
import itertools
import json
import os
import re
import sys
import threading
import time
import urllib.parse

VERSION = "0.1.0"
PROTOCOL = 1
PREFIX = "jupyterlab-ocean-bridge/1:"
CHUNK_CHARS = 256 * 1024
# The facts of an error's ``data`` printed under its sentence, in this order.
SHOWN_ERROR_DETAILS = ("txHash", "nodeCode", "nodeMessage", "status", "did", "expected", "actual")

# Chain reads sent straight to the JSON-RPC URL the browser shares (the state's
# ``rpcUrl``, only ever a loopback one): public data, no account, no signature.
# Everything else goes to the browser. Same list as protocol.ts.
DIRECT_READ_METHODS = (
    "eth_blockNumber",
    "eth_call",
    "eth_chainId",
    "eth_estimateGas",
    "eth_feeHistory",
    "eth_gasPrice",
    "eth_getBalance",
    "eth_getBlockByHash",
    "eth_getBlockByNumber",
    "eth_getCode",
    "eth_getLogs",
    "eth_getStorageAt",
    "eth_getTransactionByHash",
    "eth_getTransactionCount",
    "eth_getTransactionReceipt",
    "eth_maxPriorityFeePerGas",
    "net_version",
)

# Direct reads rely on the browser's last word for this long (protocol.ts
# DIRECT_READ_FRESH_MS); past it a read goes through the browser and brings
# the current state back.
DIRECT_READ_FRESH_MS = 2000

# EIP-1193 codes, for ``except OceanBridgeError as e: if e.code == USER_REJECTED``.
USER_REJECTED = 4001
UNAUTHORIZED = 4100
UNSUPPORTED_METHOD = 4200
DISCONNECTED = 4900
CHAIN_DISCONNECTED = 4901


class OceanBridgeError(Exception):
    """An EIP-1193 provider error: ``code`` (4001 rejected, 4100 locked or
    not shared, 4200 unsupported, 4901 wrong chain, or an OCEAN_* string),
    a sentence saying what to do, and ``data``: the facts behind it as a
    dict (``txHash``, the node's ``nodeCode`` and ``nodeMessage``…), or the
    chain's error data for a refused RPC call."""

    def __init__(self, code, message, data=None):
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message
        self.data = data

    def _render_traceback_(self):
        # IPython shows this instead of a traceback through the bridge's
        # internals: the code, the sentence and the facts that help.
        lines = [f"\x1b[31mOceanBridgeError {self.code}\x1b[0m: {self.message}"]
        return lines + [
            f"  {key}: {value}" for key, value in _shown_details(self.data, self.message)
        ]


def _shown_details(data, message=""):
    """(name, text) for each of ``SHOWN_ERROR_DETAILS`` in ``data`` that the
    sentence does not already say."""
    if not isinstance(data, dict):
        return []
    shown = []
    for key in SHOWN_ERROR_DETAILS:
        value = data.get(key)
        text = "" if value is None else str(value)[:300]
        if text and text not in message:
            shown.append((key, text))
    return shown


def _kernel():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return getattr(shell, "kernel", None)


def _encode(value):
    """JSON-safe form of command arguments: bytes become {"$bytes": b64}."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _encode(value.tolist())
    return str(value)


def _rpc_params(value):
    """JSON-safe JSON-RPC params: bytes become 0x-hex, as Ethereum expects."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): _rpc_params(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rpc_params(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "hex") and callable(value.hex):  # HexBytes
        text = value.hex()
        return text if text.startswith("0x") else "0x" + text
    return str(value)


def _decode(value):
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("$bytes"), str):
            return base64.b64decode(value["$bytes"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


class RichResult:
    """A command result with a rich display (HTML, cards…); the data itself
    is in ``.value``."""

    def __init__(self, data, metadata=None, value=None):
        self.data = data
        self.metadata = metadata or {}
        self.value = value

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.data, self.metadata

    def __repr__(self):
        return str(self.data.get("text/plain", "<Ocean result>"))

    def __getitem__(self, key):
        # ``(%ocean send …)["hash"]``: results are read like their value.
        return self.value[key]


def _table(result):
    """A table result → pandas DataFrame where pandas exists, else plain data."""
    fmt, data = result.get("format"), _decode(result.get("data"))
    try:
        import pandas
    except ImportError:
        pandas = None
    if fmt == "records":
        return pandas.DataFrame(data) if pandas else data
    if fmt == "csv":
        if pandas:
            import io

            return pandas.read_csv(io.StringIO(data))
        import csv
        import io

        return list(csv.DictReader(io.StringIO(data)))
    if fmt == "parquet":
        if pandas:
            import io

            try:
                return pandas.read_parquet(io.BytesIO(data))
            except ImportError:
                pass
        return data
    return data


def _dataset(table, encoded):
    """``%ocean load <did> --dataset``: the table as a Hugging Face
    ``datasets.Dataset``. The library always brings pandas and pyarrow, so the
    table is a DataFrame by then (Parquet included)."""
    try:
        import datasets
    except ImportError:
        saved = (
            f" (the file is saved at ocean-data/{encoded['name']})" if encoded.get("name") else ""
        )
        raise OceanBridgeError(
            "OCEAN_NEEDS_LIBRARY",
            "Hugging Face datasets is not installed in this kernel: pip install datasets, "
            f"then load again{saved}. Without --dataset, %ocean load gives a DataFrame.",
        ) from None
    if hasattr(table, "to_dict") and hasattr(table, "columns"):
        return _with_info(datasets.Dataset.from_pandas(table, preserve_index=False), encoded)
    if isinstance(table, list):
        return _with_info(datasets.Dataset.from_list(table), encoded)
    raise OceanBridgeError(
        "OCEAN_NOT_A_TABLE",
        "This file could not be read as a table, so it cannot become a Dataset.",
    )


def _image_dataset(entries):
    """An image set as a Hugging Face ``datasets.Dataset``: an ``image`` column
    (the Image feature; PIL images where Pillow is installed, else the bytes)
    and a ``file_name`` column."""
    try:
        import datasets
    except ImportError:
        raise OceanBridgeError(
            "OCEAN_NEEDS_LIBRARY",
            "Hugging Face datasets is not installed in this kernel: pip install datasets, "
            f"then load again (the files are saved in {_folder(entries)}). Without --dataset, "
            "%ocean load gives a dict of the files by name.",
        ) from None
    try:
        import PIL  # noqa: F401

        decode = True
    except ImportError:
        # Without Pillow the column keeps each image's bytes and name.
        decode = False
    # Encoding through the Image feature needs Pillow; its storage (bytes and
    # path) does not, so the column is made as that struct and then typed.
    dataset = datasets.Dataset.from_dict(
        {
            "image": [
                {"bytes": _decode(entry["result"].get("value")), "path": entry["name"]}
                for entry in entries
            ],
            "file_name": [entry["name"] for entry in entries],
        }
    )
    return dataset.cast_column("image", datasets.Image(decode=decode))


def _folder(entries):
    paths = [entry.get("path", "") for entry in entries]
    return paths[0].rsplit("/", 1)[0] + "/" if paths and "/" in paths[0] else "ocean-data/"


def _files(encoded):
    """A multi-file asset: the one file ``--file N`` chose, or all of them,
    saying which."""
    entries = encoded.get("files") or []
    count = encoded.get("count", len(entries))
    did = encoded.get("did", "<did>")
    if encoded.get("chosen") is not None and entries:
        entry = entries[0]
        print(
            f"File {entry['index']} of the asset's {count} ({entry['name']}, saved at "
            f"{entry['path']}). Without --file, %ocean load {did} gives all of them."
        )
        return _result(entry["result"])
    names = [entry["name"] for entry in entries]
    shown = ", ".join(names) if len(names) <= 4 else f"{names[0]}, {names[1]}, … {names[-1]}"
    where = _folder(entries)
    if encoded.get("as") == "dataset":
        dataset = _image_dataset(entries)
        print(
            f"All {count} files of the asset as a Dataset with an image column "
            f"({shown}), saved in {where}. One file: %ocean load {did} --file N "
            f"(N from 0 to {count - 1})."
            + (
                ""
                if dataset.features["image"].decode
                else " The images stay bytes: pip install Pillow to get PIL images."
            )
        )
        return dataset
    loaded = {entry["name"]: _result(entry["result"]) for entry in entries}
    print(
        f"All {count} files of the asset, as a dict keyed by file name ({shown}), "
        f"saved in {where}. One file: %ocean load {did} --file N (N from 0 to {count - 1})."
    )
    return loaded


def _with_info(dataset, encoded):
    """The DDO's description, licence and citation in the Dataset's ``info``
    (kept by ``save_to_disk`` and the Hub), and the notebook's lineage entry
    as ``info.ocean_provenance`` (a dict, for this session)."""
    info = encoded.get("info") or {}
    for field in ("description", "license", "citation", "homepage"):
        if isinstance(info.get(field), str):
            setattr(dataset.info, field, info[field])
    if info.get("provenance") is not None:
        dataset.info.ocean_provenance = _decode(info["provenance"])
    return dataset


def _result(encoded):
    kind = encoded.get("kind")
    if kind == "files":
        return _files(encoded)
    if kind == "mime":
        return RichResult(
            encoded.get("data") or {},
            encoded.get("metadata"),
            _decode(encoded.get("value")),
        )
    if kind == "table":
        table = _table(encoded)
        return _dataset(table, encoded) if encoded.get("as") == "dataset" else table
    return _decode(encoded.get("value"))


class _Progress:
    """One updatable line in the running cell, only when there is progress."""

    def __init__(self):
        self._handle = None

    def show(self, message, fraction=None):
        try:
            from IPython.display import display
        except ImportError:
            return
        text = message if fraction is None else f"{message} ({fraction:.0%})"
        bar = (
            ""
            if fraction is None
            else f'<progress max="1" value="{float(fraction):.3f}"></progress> '
        )
        bundle = {
            "text/plain": text,
            "text/html": f'<div class="jp-OceanKernelProgress">{bar}{html.escape(message)}</div>',
        }
        if self._handle is None:
            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)

    def finish(self):
        # The line goes away once the request ends: the result (or the
        # error, shown once by the exception) says how it ended.
        if self._handle is not None:
            self._handle.update({"text/plain": ""}, raw=True)
            self._handle = None


def _stdin_request(kernel, prompt):
    """One input_request/input_reply exchange: what ``kernel.raw_input``
    does, less its flush of stdout and stderr.

    Why: raw_input flushes both streams first so that printed text shows
    above the input box; a bridge prompt shows no box, and each flush waits
    on ipykernel's IOPub thread, which bench:bridge measured at about 1 ms a
    request. The wait for the reply is ipykernel's own (zmq.select with a
    short timeout, so Ctrl-C still interrupts). It reads ipykernel 6 and 7
    internals (7 keeps ``_parent_ident["shell"]`` and ``get_parent`` for
    this kind of use; bench:bridge measured 0.8 ms a request saved on 7.4),
    so other kernels and versions, a call from another thread (a subshell
    included), or a kernel without stdin (raw_input raises
    StdinNotImplementedError) take ``raw_input``.
    """
    version = str(getattr(sys.modules.get("ipykernel"), "__version__", ""))
    if (
        not version.startswith(("6.", "7."))
        or threading.current_thread() is not threading.main_thread()
    ):
        return kernel.raw_input(prompt)
    try:
        import zmq

        socket, session = kernel.stdin_socket, kernel.session
        ident, parent = kernel._parent_ident["shell"], kernel.get_parent("shell")
        allowed = kernel._allow_stdin is True
    except Exception:  # noqa: BLE001 (any other kernel falls back to raw_input)
        allowed = False
    if not allowed:
        return kernel.raw_input(prompt)
    # A reply left from an interrupted request must not answer this one.
    while True:
        try:
            socket.recv_multipart(zmq.NOBLOCK)
        except zmq.ZMQError as error:
            if error.errno == zmq.EAGAIN:
                break
            raise
    session.send(
        socket, "input_request", {"prompt": prompt, "password": False}, parent, ident=ident
    )
    while True:
        try:
            readable, _, failed = zmq.select([socket], [], [socket], 0.01)
            if readable or failed:
                content = _read_input_reply(session, socket)
                if content is not None:
                    break
        except KeyboardInterrupt:
            raise KeyboardInterrupt("Interrupted by user") from None
        except Exception:  # noqa: BLE001, S112
            # As raw_input does: a malformed message is skipped, not fatal.
            continue
    try:
        return content["value"]
    except (KeyError, TypeError):
        return ""


def _read_input_reply(session, socket):
    """The content of the input_reply waiting on ``socket``, checked as
    ``Session.deserialize`` checks it (signature, replayed signature), or
    None for anything else.

    Why not ``session.recv``: it also turns every date in the header and
    parent header into a datetime with dateutil, about three quarters of
    its time (some 0.2-0.3 ms a reply here), for fields the bridge never
    reads. Sessions that do not pack JSON take ``session.recv``.
    """
    if getattr(session, "packer", "json") != "json":
        _, message = session.recv(socket)
        if message is None or message.get("msg_type") != "input_reply":
            return None
        return message.get("content")
    import zmq

    # NOBLOCK as session.recv: zmq.select may wake without a message.
    _, parts = session.feed_identities(socket.recv_multipart(zmq.NOBLOCK), copy=True)
    if len(parts) < 5:
        return None
    signature = parts[0]
    if session.auth is not None:
        if not signature or signature in session.digest_history:
            return None
        session._add_digest(signature)
        if not hmac.compare_digest(signature, session.sign(parts[1:5])):
            return None
    if json.loads(parts[1]).get("msg_type") != "input_reply":
        return None
    return json.loads(parts[4])


class _Transport:
    """Request/reply over stdin, with parts for long messages and long polls
    for progress. One request at a time per kernel (stdin allows no more)."""

    def __init__(self, events):
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._events = events
        self._prefix = f"{os.getpid()}-"

    def _ask(self, message, text=None):
        kernel = _kernel()
        if kernel is None or not hasattr(kernel, "raw_input"):
            raise OceanBridgeError(
                DISCONNECTED,
                "The Ocean bridge works inside a Jupyter kernel started by JupyterLab.",
            )
        if text is None:
            text = json.dumps(message, separators=(",", ":"))
        try:
            answer = _stdin_request(kernel, PREFIX + text)
        except Exception as error:  # StdinNotImplementedError and friends
            if type(error).__name__ == "StdinNotImplementedError":
                raise OceanBridgeError(
                    DISCONNECTED,
                    "This code cannot reach the browser here (no stdin): run it in a "
                    "notebook cell in JupyterLab with jupyterlab-ocean.",
                ) from None
            raise
        if not isinstance(answer, str) or not answer.startswith(PREFIX):
            raise OceanBridgeError(
                DISCONNECTED,
                "The browser did not answer as the Ocean bridge does: open this notebook "
                "in JupyterLab with the jupyterlab-ocean extension.",
            )
        try:
            return json.loads(answer[len(PREFIX) :])
        except ValueError:
            raise OceanBridgeError(
                "OCEAN_BRIDGE_BAD_MESSAGE", "The browser sent a reply that is not JSON."
            ) from None

    def _exchange(self, message):
        text = json.dumps(message, separators=(",", ":"))
        if len(text) <= CHUNK_CHARS:
            reply = self._ask(message, text)
        else:
            rid = message["id"]
            reply = None
            for start in range(0, len(text), CHUNK_CHARS):
                last = start + CHUNK_CHARS >= len(text)
                reply = self._ask(
                    {
                        "v": PROTOCOL,
                        "id": rid,
                        "op": "part",
                        "data": text[start : start + CHUNK_CHARS],
                        "last": last,
                    }
                )
                if not last and reply.get("status") != "ack":
                    break
        chunks = []
        while reply.get("status") == "part":
            chunks.append(reply.get("data", ""))
            if reply.get("last"):
                reply = json.loads("".join(chunks))
                break
            reply = self._ask({"v": PROTOCOL, "id": message["id"], "op": "more"})
        return reply

    def call(self, message):
        """Sends a hello/rpc/command request and returns its decoded result."""
        with self._lock:
            rid = self._prefix + str(next(self._ids))
            message = {"v": PROTOCOL, "id": rid, **message}
            progress = _Progress()
            reply = self._exchange(message)
            while True:
                state = reply.get("state")
                if state:
                    self._events._observe(state)
                status = reply.get("status")
                if status == "progress":
                    progress.show(reply.get("message", ""), reply.get("fraction"))
                    reply = self._exchange({"v": PROTOCOL, "id": rid, "op": "wait"})
                    continue
                if status == "done":
                    progress.finish()
                    return reply.get("result") or {"kind": "json", "value": None}
                if status == "error":
                    error = reply.get("error") or {}
                    progress.finish()
                    raise OceanBridgeError(
                        error.get("code", "OCEAN_BRIDGE_BAD_MESSAGE"),
                        error.get("message", "The bridge failed."),
                        error.get("data"),
                    )
                raise OceanBridgeError(
                    "OCEAN_BRIDGE_BAD_MESSAGE", f"Unexpected bridge reply {status!r}."
                )


class _DirectReads:
    """DIRECT_READ_METHODS sent to the JSON-RPC URL the browser shares in
    its state (``rpcUrl``), over one kept-alive connection.

    Why: a request through the browser crosses the lab server twice (stdin
    out, the reply back) and costs 1.5 to 2 ms more than the chain itself
    (bench:bridge); a notebook's traffic is mostly reads. The browser
    decides: it shares a URL only where it would read from it too (its
    built-in wallet on the active network) and only a loopback one, and
    drops it when the network changes. The kernel checks once per URL that
    it serves the chain the browser named: a kernel on another machine,
    whose loopback is not the browser's, finds another chain or none there
    and keeps asking the browser. Anything that fails here on the way (no
    answer, not JSON-RPC) is asked of the browser, which says what is wrong.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._chains = {}  # URL -> the chain id (int) it serves, or None
        self._connection = None
        self._connected_to = None

    def request(self, state, method, params):
        """``(True, result)`` when answered here, else ``(False, None)``."""
        url = state.get("rpcUrl") if isinstance(state, dict) else None
        try:
            chain = int(str(state.get("chainId")), 16) if url else None
        except ValueError:
            chain = None
        if chain is None or method not in DIRECT_READ_METHODS:
            return False, None
        with self._lock:
            if url not in self._chains:
                try:
                    self._chains[url] = int(str(self._send(url, "eth_chainId", [])["result"]), 16)
                except Exception:  # noqa: BLE001 (no usable chain there: the browser answers)
                    self._chains[url] = None
            if self._chains[url] != chain:
                return False, None
            if method == "eth_chainId":
                return True, state["chainId"]
            try:
                body = self._send(url, method, [] if params is None else params)
            except (OSError, ValueError, http.client.HTTPException):
                return False, None
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            # The node's own refusal (a revert, a bad param), as the browser
            # would pass it on: its JSON-RPC code, message and data.
            raise OceanBridgeError(
                error.get("code", "OCEAN_NETWORK_UNREACHABLE"),
                f"The network refused {method}: {error.get('message', '')}",
                error.get("data"),
            )
        if not isinstance(body, dict) or "result" not in body:
            return False, None
        return True, body["result"]

    def _send(self, url, method, params):
        payload = json.dumps(
            {"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
            separators=(",", ":"),
        ).encode()
        parts = urllib.parse.urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        # The chain may have closed the kept-alive connection since the last
        # read (Hardhat does after 5 s): one retry on a fresh one. Reads
        # change nothing, so sending one twice is harmless.
        for attempt in (0, 1):
            try:
                if self._connection is None or self._connected_to != url:
                    self._close()
                    kind = (
                        http.client.HTTPSConnection
                        if parts.scheme == "https"
                        else http.client.HTTPConnection
                    )
                    self._connection = kind(parts.hostname, parts.port, timeout=120)
                    self._connected_to = url
                self._connection.request(
                    "POST", target, payload, {"Content-Type": "application/json"}
                )
                response = self._connection.getresponse()
                data = response.read()
                if response.status != 200:
                    raise ValueError(f"HTTP {response.status}")
                return json.loads(data)
            except (OSError, http.client.HTTPException):
                self._close()
                if attempt:
                    raise
            except BaseException:
                # Ctrl-C mid-read leaves the connection in an unknown state.
                self._close()
                raise
        raise OSError("unreachable")

    def _close(self):
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        self._connected_to = None


class _Events:
    """EIP-1193 events from the wallet state the browser reports."""

    def __init__(self):
        self._listeners = {}
        self.state = None
        # When the browser's word on the state was last current
        # (time.monotonic()): a reply, a pushed state, or a cell's start.
        self.heard = float("-inf")

    def heard_now(self, *_):
        """A cell starts: every state the browser pushed before it has arrived."""
        self.heard = time.monotonic()

    def on(self, event, listener):
        self._listeners.setdefault(event, []).append(listener)

    def remove_listener(self, event, listener):
        listeners = self._listeners.get(event, [])
        if listener in listeners:
            listeners.remove(listener)

    def _emit(self, event, value):
        for listener in list(self._listeners.get(event, [])):
            try:
                listener(value)
            except Exception as error:  # noqa: BLE001 (a listener must not break the bridge)
                print(f"Ocean bridge: a {event} listener failed: {error!r}", file=sys.stderr)

    def _observe(self, state):
        self.heard = time.monotonic()
        before, self.state = self.state, state
        if before is None:
            self._emit("connect", {"chainId": state.get("chainId")})
            return
        if before.get("chainId") != state.get("chainId"):
            self._emit("chainChanged", state.get("chainId"))
        if before.get("accounts") != state.get("accounts"):
            self._emit("accountsChanged", list(state.get("accounts") or []))


class OceanProvider:
    """An EIP-1193 provider backed by the JupyterLab wallet.

    ``direct_reads``: chain reads (DIRECT_READ_METHODS) go straight to the
    network's JSON-RPC URL when the browser shares it (a loopback chain
    under the built-in wallet) and its last word is fresh (see
    DIRECT_READ_FRESH_MS); set it to False to send every request through
    the browser. Signatures and transactions always go through the wallet's
    dialog."""

    def __init__(self, transport, events, direct=None):
        self._transport = transport
        self._events = events
        self._direct = direct
        self.direct_reads = True

    def request(self, method, params=None):
        """``provider.request("eth_chainId")``; also accepts the EIP-1193
        dict form ``provider.request({"method": …, "params": […]})``."""
        if isinstance(method, dict):
            method, params = method.get("method"), method.get("params", params)
        method = str(method)
        if params is not None:
            params = _rpc_params(list(params) if isinstance(params, tuple) else params)
        if (
            self.direct_reads
            and self._direct is not None
            and time.monotonic() - self._events.heard < DIRECT_READ_FRESH_MS / 1000
        ):
            answered, result = self._direct.request(self._events.state, method, params)
            if answered:
                return result
        message = {"op": "rpc", "method": method}
        if params is not None:
            message["params"] = params
        return _result(self._transport.call(message))

    def on(self, event, listener):
        self._events.on(event, listener)
        return self

    def remove_listener(self, event, listener):
        self._events.remove_listener(event, listener)
        return self

    removeListener = remove_listener

    @property
    def state(self):
        """What the kernel last heard: accounts, chainId (hex), status."""
        return self._events.state


class Ocean:
    """Commands registered in the browser: ``ocean.call(name, *args, **options)``
    or ``ocean.<name>(*args, **options)``."""

    def __init__(self, transport, provider):
        self._transport = transport
        self.provider = provider

    def call(self, name, *args, **options):
        payload = {"_": [_encode(a) for a in args]}
        for key, value in options.items():
            payload[key] = _encode(value)
        return _result(self._transport.call({"op": "command", "name": name, "args": payload}))

    def command_line(self, name, line="", body=None):
        """Runs ``name`` with a magic's argument text (parsed in the browser)."""
        message = {"op": "command", "name": name, "line": line}
        if body is not None:
            message["body"] = body
        return _result(self._transport.call(message))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **options: self.call(name, *args, **options)

    def account(self):
        return self.call("account")

    def sign(self, message):
        return self.call("sign", message=str(message))

    def balance(self, address=None):
        """Balances of your account (or ``address``); ``.value`` holds them."""
        return self.call("balance") if address is None else self.call("balance", address)

    def send(self, to, amount, token=None):
        """Sends ``amount`` (a decimal, e.g. ``"0.5"``) of the native coin, or
        of ``token`` (``"OCEAN"``, a symbol you hold, or an 0x address),
        after you approve it in the wallet dialog; returns the hash and the
        receipt status (``r["hash"]``, ``r["status"]``)."""
        args = [str(to), str(amount)] + ([str(token)] if token is not None else [])
        return self.call("send", *args)

    def auth_token(self, minutes=30):
        """A short-lived Ocean Node auth token (one signature, approved in
        the wallet dialog): a dict with ``token``, ``nodeUrl``, ``address``,
        ``validUntil`` (ms) and ``headers`` to send with requests."""
        return self.call("token", minutes=str(int(minutes))).value

    def wallet(self):
        """A live wallet widget for the cell (see ``WalletWidget``)."""
        info = self.call("wallet")
        return _ipywidgets_wallet(info) or WalletWidget(info)

    def web3(self):
        """A web3.py ``Web3`` on this provider (needs web3 installed)."""
        provider_class = web3_provider_class()
        if provider_class is None:
            raise ImportError("web3 is not installed in this kernel: pip install web3")
        from web3 import Web3

        return Web3(provider_class(self.provider))


class WalletWidget:
    """The live wallet widget of ``%ocean wallet`` / ``ocean.wallet()``: a
    Jupyter widget (protocol 2.1) the browser keeps current. Its state
    follows the wallet in the kernel too (``w.account``, ``w.status``,
    ``w.chain_id``, ``w.network``, ``w.native``, ``w.ocean``, ``w.tokens``):
    the browser sends changes over the widget's comm, which the kernel reads
    between cells. This is the fallback for kernels without ipywidgets 8;
    where it is installed, ``ocean.wallet()`` returns ``OceanWallet`` (see
    ``ipywidgets_wallet_class``), the same model as an ipywidgets
    ``DOMWidget``, so it fits in ``HBox`` and friends."""

    def __init__(self, info):
        from ipykernel.comm import Comm

        self._state = dict(info.get("state") or {})
        self._text = str(info.get("text") or "Ocean wallet")
        self._comm = Comm(
            target_name=info.get("target", "jupyter.widget"),
            data={"state": self._state, "buffer_paths": []},
            metadata={"version": info.get("protocol", "2.1.0")},
        )
        self._comm.on_msg(self._on_msg)

    @property
    def model_id(self):
        return self._comm.comm_id

    def _on_msg(self, msg):
        data = (msg.get("content") or {}).get("data") or {}
        method = data.get("method")
        if method == "update":
            self._state.update(data.get("state") or {})
        elif method == "request_state":
            self._comm.send({"method": "update", "state": self._state, "buffer_paths": []})

    def __getattr__(self, name):
        state = self.__dict__.get("_state") or {}
        if not name.startswith("_") and name in state:
            return state[name]
        raise AttributeError(name)

    def _repr_mimebundle_(self, include=None, exclude=None):
        view = {"model_id": self.model_id, "version_major": 2, "version_minor": 1}
        return {"application/vnd.jupyter.widget-view+json": view, "text/plain": self._plain()}

    def _plain(self):
        state = self._state
        if not state.get("account"):
            return self._text
        balances = state.get("native")
        text = f"Ocean wallet: {state['account']} on {state.get('network')} (chain {state.get('chain_id')}), {state.get('status')}"
        return text + (f", {balances} {state.get('native_symbol', '')}" if balances else "")

    def __repr__(self):
        return self._plain()

    def close(self):
        self._comm.close()


def _ipywidgets_wallet(info):
    """The same widget as an ipywidgets DOMWidget (ipywidgets 8+, protocol
    2.1), or None where ipywidgets is missing or older."""
    widget_class = ipywidgets_wallet_class()
    if widget_class is None:
        return None
    state = dict(info.get("state") or {})
    # The browser names the model and view (protocol.ts WALLET_WIDGET); its
    # names win over the class defaults, so the two sides cannot drift.
    # _view_count and the DOMWidget basics keep ipywidgets' own defaults.
    own = set(widget_class.class_trait_names(sync=True)) - _DOM_WIDGET_TRAITS
    return widget_class(
        **{name: value for name, value in state.items() if name in own and value is not None}
    )


# Traits ipywidgets itself manages (view count, CSS classes, layout…): the
# browser's state names them only for kernels that have no ipywidgets.
_DOM_WIDGET_TRAITS = {"_view_count", "_dom_classes", "tabbable", "tooltip", "layout"}


_ipywidgets_class = None


def ipywidgets_wallet_class():
    """``OceanWallet``, the live wallet widget as an ipywidgets 8 ``DOMWidget``
    subclass, or None where ipywidgets 8 is not installed.

    Why a declared class rather than traits made from whatever the browser
    sent: the browser fills balances, the account name and errors later, and
    ipywidgets drops updates for traits the kernel does not know, so
    ``w.native`` would never appear. Declared traits also let it be used like
    any other widget (``HBox([w, Label("x")])``, ``w.observe(fn, "status")``).
    """
    global _ipywidgets_class
    if _ipywidgets_class is not None:
        return _ipywidgets_class
    try:
        import ipywidgets
        import traitlets
    except Exception:  # noqa: BLE001 (a broken install means no widget, not a failed cell)
        return None
    try:
        if int(str(ipywidgets.__version__).split(".")[0]) < 8:
            return None
    except ValueError:
        return None

    def synced(trait):
        return trait.tag(sync=True)

    class OceanWallet(ipywidgets.DOMWidget):
        """The live Ocean wallet: account, network, lock state and balances,
        kept current by the browser (read-only here: changes made in the
        kernel are not sent to the wallet)."""

        _model_name = synced(traitlets.Unicode("OceanWalletModel"))
        _model_module = synced(traitlets.Unicode("jupyterlab-ocean"))
        _model_module_version = synced(traitlets.Unicode("^0.1.0"))
        _view_name = synced(traitlets.Unicode("OceanWalletView"))
        _view_module = synced(traitlets.Unicode("jupyterlab-ocean"))
        _view_module_version = synced(traitlets.Unicode("^0.1.0"))
        key = synced(traitlets.Unicode(""))
        kernel = synced(traitlets.Unicode("python"))
        account = synced(traitlets.Unicode(None, allow_none=True))
        account_name = synced(traitlets.Unicode(None, allow_none=True))
        status = synced(traitlets.Unicode("none"))
        chain_id = synced(traitlets.Int(0))
        network = synced(traitlets.Unicode(""))
        native_symbol = synced(traitlets.Unicode("ETH"))
        native = synced(traitlets.Unicode(None, allow_none=True))
        ocean = synced(traitlets.Unicode(None, allow_none=True))
        tokens = synced(traitlets.List(traitlets.Dict()))
        error = synced(traitlets.Unicode(None, allow_none=True))

        def __repr__(self):
            if not self.account:
                return "Ocean wallet"
            text = f"Ocean wallet: {self.account} on {self.network} (chain {self.chain_id}), {self.status}"
            return text + (f", {self.native} {self.native_symbol}" if self.native else "")

    OceanWallet.__qualname__ = "OceanWallet"
    _ipywidgets_class = OceanWallet
    return _ipywidgets_class


def web3_provider_class():
    """``OceanWeb3Provider`` (a web3.py BaseProvider) or None without web3.

    Checked with web3 8 (ui-tests/python-libraries.spec.ts): web3 estimates
    gas and polls for receipts itself through ``make_request``, and the
    wallet adds nonce and fees, so the provider only passes each call on."""
    global _web3_class
    if _web3_class is not None:
        return _web3_class
    try:
        from web3.providers import BaseProvider
    except Exception:  # noqa: BLE001 (a broken web3 means no web3 provider, not a failed import)
        return None

    class OceanWeb3Provider(BaseProvider):
        """web3.py provider over the JupyterLab wallet: reads go to the
        active network, signatures and transactions to the wallet dialog."""

        def __init__(self, eip1193=None, **kwargs):
            super().__init__(**kwargs)
            self._eip1193 = eip1193 or provider

        def make_request(self, method, params):
            # Errors are raised, not returned: an OceanBridgeError with its
            # EIP-1193 code is clearer in a notebook than web3's ValueError.
            result = self._eip1193.request(str(method), list(params or []))
            return {"jsonrpc": "2.0", "id": 0, "result": result}

        def is_connected(self, show_traceback=False):
            return True

        isConnected = is_connected

    _web3_class = OceanWeb3Provider
    return _web3_class


_web3_class = None
_events = _Events()
_transport = _Transport(_events)
provider = OceanProvider(_transport, _events, _DirectReads())
ocean = Ocean(_transport, provider)


def __getattr__(name):
    # ``from jupyterlab_ocean import OceanWeb3Provider`` works where web3 is
    # installed, and says why not where it is not.
    if name == "OceanWeb3Provider":
        provider_class = web3_provider_class()
        if provider_class is None:
            raise ImportError("OceanWeb3Provider needs web3: pip install web3")
        return provider_class
    raise AttributeError(name)


def _dataframe_source(rest):
    """``%ocean publish df …``: when the first word names a DataFrame (anything
    with ``to_csv``) in the notebook, its bytes travel with the command as CSV,
    or Parquet with ``--format parquet``. Paths and URLs are left to the
    browser, which reads saved files through JupyterLab."""
    words = rest.split(None, 1)
    if not words or not words[0].isidentifier():
        return None
    try:
        from IPython import get_ipython

        value = get_ipython().user_ns.get(words[0])
    except (ImportError, AttributeError):  # outside IPython: no data frames to name
        return None
    if value is None or not hasattr(value, "to_csv"):
        return None
    options = words[1] if len(words) > 1 else ""
    parquet = re.search(r"--format[= ]parquet\b", options)
    data = None
    if parquet:
        import io

        options = (options[: parquet.start()] + options[parquet.end() :]).strip()
        buffer = io.BytesIO()
        try:
            value.to_parquet(buffer, index=False)
            data, suffix, kind = buffer.getvalue(), "parquet", "application/vnd.apache.parquet"
        except ImportError:
            # pandas writes Parquet only through pyarrow or fastparquet; Debian's pandas has
            # neither. Publishing the same table as CSV beats failing after the person typed
            # a long command, as long as they are told.
            print(
                "Parquet needs pyarrow or fastparquet, which this kernel does not have: "
                f"publishing {words[0]} as CSV ({words[0]}.csv) instead. "
                "Install pyarrow in the kernel's environment to publish Parquet."
            )
    if data is None:
        data, suffix, kind = value.to_csv(index=False).encode("utf-8"), "csv", "text/csv"
    source = {"data": data, "file_name": f"{words[0]}.{suffix}", "content_type": kind}
    return options, source


def _ocean_magic(line, cell=None):
    """%ocean <command> [args]: run `%ocean help` for the list."""
    words = line.strip().split(None, 1)
    name = words[0] if words else "help"
    rest = words[1] if len(words) > 1 else ""
    if name == "publish":
        found = _dataframe_source(rest)
        if found is not None:
            options, source = found
            message = {
                "op": "command",
                "name": name,
                "line": options,
                "args": {key: _encode(value) for key, value in source.items()},
            }
            return _result(_transport.call(message))
    if name == "wallet" and not rest.strip():
        return ocean.wallet()
    return ocean.command_line(name, rest, cell)


def load_ipython_extension(ipython):
    """``%load_ext jupyterlab_ocean`` (the browser also does this for you)."""
    ipython.register_magic_function(_ocean_magic, "line_cell", "ocean")


def _push_state(state_json):
    """Called by the browser (silent execute) when the wallet changes while
    the kernel is idle."""
    _events._observe(json.loads(state_json))


def _install(module, state_json):
    """Installs ``module`` (this file, sent by the browser) into the kernel:
    as ``jupyterlab_ocean_bridge``, the ``%ocean`` magic, and as
    ``jupyterlab_ocean`` where the wheel is not installed. A kernel that
    already has this version keeps it (and its listeners)."""
    import importlib.util

    existing = sys.modules.get("jupyterlab_ocean_bridge")
    if existing is not None and getattr(existing, "VERSION", None) == VERSION:
        existing._push_state(state_json)
        return
    sys.modules["jupyterlab_ocean_bridge"] = module
    if (
        "jupyterlab_ocean" not in sys.modules
        and importlib.util.find_spec("jupyterlab_ocean") is None
    ):
        sys.modules["jupyterlab_ocean"] = module
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        load_ipython_extension(shell)
        shell.events.register("pre_run_cell", _events.heard_now)
    _push_state(state_json)
