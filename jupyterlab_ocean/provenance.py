"""The lineage record a notebook keeps in its metadata, read and verified
without a browser or a wallet.

The record's shape is defined in src/provenance/record.ts (the browser
writes it); this module restates the key and the version, and a unit test on
each side checks they agree. The checks, and their sentences, are those of
src/provenance/verify.ts.

Command line, for a reviewer::

    python -m jupyterlab_ocean.provenance verify notebook.ipynb [--rpc URL] [--node URL]

It prints ✔ or a sentence per entry and exits with 1 when an entry does not
hold. The chain and node are read at the URLs the entry recorded, unless
``--rpc`` / ``--node`` say otherwise: only run it on notebooks whose URLs you
are willing to have your machine call. A compute entry's job is not asked
for: the node shows a job's status only to the account that started it, so
its line says "job not checked: needs the consumer's wallet" (``%ocean
verify`` in the lab checks it with that wallet).
"""

import argparse
import hashlib
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

METADATA_KEY = "ocean_provenance"
VERSION = 1

# keccak256 of OrderStarted(address,address,uint256,uint256,uint256,address,uint256)
ORDER_STARTED_TOPIC = "0xe1c4fa794edfa8f619b8257a077398950357b9c6398528f94480307352f9afcc"


class ProvenanceError(Exception):
    """A record that cannot be read (no record, another version)."""


def read_record(notebook):
    """The record in a notebook (a dict as nbformat or json gives it)."""
    record = (notebook.get("metadata") or {}).get(METADATA_KEY)
    if record is None:
        return {"version": VERSION, "entries": []}
    if not isinstance(record, dict) or record.get("version") != VERSION:
        version = record.get("version") if isinstance(record, dict) else None
        raise ProvenanceError(
            f"This notebook's provenance record is version {version}; this verifier reads "
            f"version {VERSION}. Update jupyterlab-ocean to read it."
        )
    entries = [
        e
        for e in record.get("entries") or []
        if isinstance(e, dict) and isinstance(e.get("id"), str) and isinstance(e.get("did"), str)
    ]
    return {"version": VERSION, "entries": entries}


def canonical_json(value):
    """The browser's canonicalJson: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def lineage_digest(record):
    return "sha256:" + hashlib.sha256(canonical_json(record).encode("utf-8")).hexdigest()


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _short(text):
    text = text or ""
    return f"{text[:8]}…{text[-4:]}" if len(text) > 14 else text


def _hex(value):
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return str(value)


def order_events(receipt):
    """Every OrderStarted event of a receipt, decoded by hand (as verify.ts)."""

    def word(data, index):
        return data[2:][index * 64 : (index + 1) * 64] if data.startswith("0x") else ""

    events = []
    for log in receipt.get("logs") or []:
        topics = [_hex(t).lower() for t in log.get("topics") or []]
        if len(topics) < 2 or topics[0] != ORDER_STARTED_TOPIC:
            continue
        data = _hex(log.get("data") or "0x")
        events.append(
            {
                "datatoken": _hex(log.get("address")).lower(),
                "consumer": "0x" + topics[1][-40:],
                "payer": "0x" + word(data, 0)[-40:],
                "amount": int(word(data, 1) or "0", 16),
                "service_index": int(word(data, 2) or "0", 16),
            }
        )
    return events


def check_order(entry, receipt):
    """Sentences for what does not hold of the entry's order (see verify.ts)."""
    eid = entry["id"]
    order = entry.get("order") or {}
    tx = order.get("tx")
    if not tx:
        return [f"{eid}: no order transaction is recorded."]
    if receipt is None:
        return [f"{eid}: the order transaction {tx} is not on chain {entry['network']['chainId']}."]
    if receipt.get("status") != 1:
        return [f"{eid}: the order transaction {tx} failed on chain."]
    problems = []
    block = order.get("block")
    if block is not None and block != receipt.get("blockNumber"):
        problems.append(
            f"{eid}: the order {_short(tx)} is in block {receipt.get('blockNumber')}, "
            f"not {block} as recorded."
        )
    events = order_events(receipt)
    if not events:
        return problems + [f"{eid}: the transaction {_short(tx)} started no Ocean order."]
    datatoken = (entry.get("datatoken") or "").lower()
    on_token = [e for e in events if not datatoken or e["datatoken"] == datatoken]
    if not on_token:
        return problems + [
            (
                f"{eid}: the order {_short(tx)} is for datatoken {events[0]['datatoken']}, "
                f"not {entry.get('datatoken')} (the datatoken of {entry['did']})."
            )
        ]
    consumer = (entry.get("consumer") or "").lower()
    for_consumer = [e for e in on_token if not consumer or e["consumer"] == consumer]
    if not for_consumer:
        return problems + [
            (
                f"{eid}: the order {_short(tx)} was for consumer {on_token[0]['consumer']}, "
                f"not {entry.get('consumer')}."
            )
        ]
    index = entry.get("serviceIndex")
    for_service = [e for e in for_consumer if index is None or e["service_index"] == index]
    if not for_service:
        return problems + [
            (
                f"{eid}: the order {_short(tx)} was for service {for_consumer[0]['service_index']}, "
                f"not service {index}."
            )
        ]
    if not any(e["amount"] > 0 for e in for_service):
        problems.append(f"{eid}: the order {_short(tx)} spent no datatoken, so it was not paid.")
    return problems


def check_ddo(entry, ddo, node_url):
    eid = entry["id"]
    if not isinstance(ddo, dict):
        return [f"{eid}: the Ocean Node at {node_url} does not know {entry['did']}."]
    if isinstance(ddo.get("id"), str) and ddo["id"] != entry["did"]:
        return [f"{eid}: the node answered for {ddo['id']}, not {entry['did']}."]
    if entry.get("action") == "publish" and entry.get("lineageDigest"):
        # What the published asset says it came from must be this notebook's.
        named = ((ddo.get("metadata") or {}).get("additionalInformation") or {}).get(
            "lineageDigest"
        )
        if named != entry["lineageDigest"]:
            return [
                (
                    f"{eid}: {entry['did']} names lineage digest {named or 'none'}, "
                    f"not {entry['lineageDigest']} as recorded."
                )
            ]
    datatoken = entry.get("datatoken")
    if not datatoken:
        return []
    services = ddo.get("services") if isinstance(ddo.get("services"), list) else []
    service = next((s for s in services if s.get("id") == entry.get("serviceId")), None)
    if service is None:
        return [
            f"{eid}: {entry['did']} has no service {entry.get('serviceId') or '(none recorded)'}."
        ]
    if str(service.get("datatokenAddress") or "").lower() != datatoken.lower():
        return [
            (
                f"{eid}: the datatoken of {entry['did']} is {service.get('datatokenAddress')}, "
                f"not {datatoken} as recorded."
            )
        ]
    return []


def check_file(entry, file, actual):
    if actual is None or actual == file.get("sha256"):
        return []
    return [
        (
            f"{entry['id']}: {file.get('path')} has SHA-256 {_short(actual)}, not "
            f"{_short(file.get('sha256'))} as recorded: the file changed since it was loaded, "
            "or the record was edited."
        )
    ]


def _http_url(url):
    """A recorded URL, only if it is http(s): a notebook must not make the
    verifier open local files or other schemes."""
    if urllib.parse.urlsplit(str(url)).scheme not in ("http", "https"):
        raise ValueError(f"{str(url)[:100]} is not an http(s) URL")
    return str(url)


class Readers:
    """Reads the chain (web3) and the node (HTTP) for entries; ``rpc`` and
    ``node`` replace the recorded URLs when given."""

    def __init__(self, folder, rpc=None, node=None, timeout=15):
        self.folder = folder
        self.rpc = rpc
        self.node = node
        self.timeout = timeout
        self._web3 = {}

    def node_url(self, entry):
        return _http_url(self.node or entry["network"]["nodeUrl"]).rstrip("/")

    def receipt(self, entry, tx):
        from web3 import Web3
        from web3.exceptions import TransactionNotFound

        url = _http_url(self.rpc or entry["network"]["rpcUrl"])
        w3 = self._web3.get(url)
        if w3 is None:
            w3 = self._web3[url] = Web3(
                Web3.HTTPProvider(url, request_kwargs={"timeout": self.timeout})
            )
        try:
            receipt = w3.eth.get_transaction_receipt(tx)
        except TransactionNotFound:
            return None
        return {
            "status": receipt["status"],
            "blockNumber": receipt["blockNumber"],
            "logs": [
                {"address": log["address"], "topics": list(log["topics"]), "data": log["data"]}
                for log in receipt["logs"]
            ],
        }

    def ddo(self, entry):
        url = f"{self.node_url(entry)}/api/aquarius/assets/ddo/{urllib.parse.quote(entry['did'])}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise RuntimeError(f"the node answered {error.code}") from None

    def file_sha256(self, entry, file):
        relative = file.get("path") or ""
        if ".." in relative.split("/") or os.path.isabs(relative):
            return None
        path = os.path.join(self.folder, relative)
        return sha256_file(path) if os.path.isfile(path) else None


#: What a compute entry's line says here (the browser's verify.ts JOB_NEEDS_WALLET).
JOB_NEEDS_WALLET = "job not checked: needs the consumer's wallet"


def _attempt(entry, what, check, problems, checked):
    """Runs one check; a reader that fails becomes a sentence, not a crash."""
    try:
        found = check()
    except Exception as error:  # noqa: BLE001 web3's errors: say so, check the rest
        problems.append(f"{entry['id']}: could not check the {what}: {error}"[:400])
        return False
    problems.extend(found)
    if not found:
        checked.append(what)
    return True


def verify_entry(entry, readers):
    """The verdict on one entry: ``{"entry", "ok", "problems", "checked"}``."""
    problems, checked = [], []
    _attempt(
        entry,
        "asset on the node",
        lambda: check_ddo(entry, readers.ddo(entry), readers.node_url(entry)),
        problems,
        checked,
    )
    # A model's use stands on its order: one without an order does not hold.
    if entry.get("order") or entry.get("action") == "use":
        tx = (entry.get("order") or {}).get("tx")
        _attempt(
            entry,
            "order on chain",
            lambda: check_order(entry, readers.receipt(entry, tx) if tx else None),
            problems,
            checked,
        )
    for file in entry.get("files") or []:
        actual = readers.file_sha256(entry, file)
        if actual is None:
            # Nothing to compare: say so rather than claim it was checked.
            checked.append(f"{file.get('path')} not at hand")
            continue
        _attempt(
            entry,
            f"SHA-256 of {file.get('path')}",
            lambda file=file, actual=actual: check_file(entry, file, actual),
            problems,
            checked,
        )
    if entry.get("jobId"):
        # The node shows a compute job's status to its consumer only: without
        # that account's wallet this verifier cannot ask, and says so.
        checked.append(JOB_NEEDS_WALLET)
    return {"entry": entry["id"], "ok": not problems, "problems": problems, "checked": checked}


def verify_record(record, readers):
    """One verdict per entry of ``record``."""
    return [verify_entry(entry, readers) for entry in record["entries"]]


def verdict_text(verdicts):
    """The same lines as the browser's verdictText."""
    if not verdicts:
        return "Nothing to verify: this notebook has no Ocean provenance yet."
    lines = []
    for v in verdicts:
        if v["ok"]:
            lines.append(f"✔ {v['entry']}: {', '.join(v['checked']) or 'nothing to check'}")
        else:
            lines.extend(f"✘ {p}" for p in v["problems"])
    failed = sum(1 for v in verdicts if not v["ok"])
    total = len(verdicts)
    if total == 1:
        lines.append("The one entry does not hold." if failed else "The one entry holds.")
    else:
        lines.append(
            f"{failed} of {total} entries do not hold." if failed else f"All {total} entries hold."
        )
    return "\n".join(lines)


def verify_notebook(path, rpc=None, node=None):
    """Verifies the .ipynb at ``path``; files are looked for beside it."""
    with open(path, encoding="utf-8") as handle:
        notebook = json.load(handle)
    record = read_record(notebook)
    folder = os.path.dirname(os.path.abspath(path))
    return verify_record(record, Readers(folder, rpc=rpc, node=node))


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m jupyterlab_ocean.provenance",
        description="Check a notebook's Ocean provenance against the chain and the node.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="verify every entry of a notebook's record")
    verify.add_argument("notebook", help="the .ipynb file")
    verify.add_argument("--rpc", help="JSON-RPC URL to read the chain from (default: as recorded)")
    verify.add_argument("--node", help="Ocean Node URL (default: as recorded)")
    show = commands.add_parser("digest", help="print the notebook's lineage digest")
    show.add_argument("notebook")
    args = parser.parse_args(argv)
    try:
        if args.command == "digest":
            with open(args.notebook, encoding="utf-8") as handle:
                print(lineage_digest(read_record(json.load(handle))))
            return 0
        verdicts = verify_notebook(args.notebook, rpc=args.rpc, node=args.node)
    except (OSError, ValueError, ProvenanceError) as error:
        print(f"Cannot verify {args.notebook}: {error}", file=sys.stderr)
        return 2
    print(verdict_text(verdicts))
    return 0 if all(v["ok"] for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
