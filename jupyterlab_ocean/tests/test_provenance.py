"""Unit tests of the wallet-less verifier (jupyterlab_ocean/provenance.py):
the record's digest agrees with the browser's, the checks say which entry is
wrong, and the command line reads a notebook and exits 1 on a bad entry.
The UI test ui-tests/provenance.spec.ts runs it against the real stack."""

import contextlib
import copy
import io
import json
import os
import tempfile
import unittest

from jupyterlab_ocean import provenance

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "..", "src", "provenance", "fixtures", "record.json")

# src/provenance/record.test.ts checks that this file names the browser's digest.
BROWSER_DIGEST = "sha256:f0da70b3eb235543132945ff13d16390a0075027d802ae00f47844a085849a9c"

DATATOKEN = "0x00000000000000000000000000000000000000d1"
CONSUMER = "0x00000000000000000000000000000000000000c1"


def word(value):
    return (value[2:] if isinstance(value, str) else format(value, "x")).rjust(64, "0")


def receipt(consumer=CONSUMER, amount=10**18, service_index=0, status=1):
    return {
        "status": status,
        "blockNumber": 12,
        "logs": [
            {
                "address": DATATOKEN,
                "topics": [provenance.ORDER_STARTED_TOPIC, "0x" + word(consumer), "0x" + word(0)],
                "data": "0x"
                + word(CONSUMER)
                + word(amount)
                + word(service_index)
                + word(1700000000)
                + word(11),
            }
        ],
    }


def record():
    with open(FIXTURE, encoding="utf-8") as handle:
        return json.load(handle)


class RecordTest(unittest.TestCase):
    def test_digest_is_the_browsers(self):
        self.assertEqual(provenance.lineage_digest(record()), BROWSER_DIGEST)

    def test_other_versions_are_refused(self):
        with self.assertRaisesRegex(provenance.ProvenanceError, "version 2"):
            provenance.read_record({"metadata": {"ocean_provenance": {"version": 2}}})
        self.assertEqual(provenance.read_record({"metadata": {}})["entries"], [])


class ChecksTest(unittest.TestCase):
    def entry(self, **change):
        entry = copy.deepcopy(record()["entries"][0])
        entry.update(change)
        return entry

    def test_a_good_order_holds(self):
        self.assertEqual(provenance.check_order(self.entry(), receipt()), [])

    def test_each_wrong_field_is_named(self):
        cases = [
            ({}, None, r"^e1: the order transaction 0xaaaa.* is not on chain 8996\.$"),
            (
                {"consumer": "0x" + "0" * 38 + "c2"},
                receipt(),
                r"was for consumer 0x0+c1, not 0x0+c2",
            ),
            (
                {"datatoken": "0x" + "0" * 38 + "d2"},
                receipt(),
                r"is for datatoken 0x0+d1, not 0x0+d2",
            ),
            ({"serviceIndex": 1}, receipt(), r"was for service 0, not service 1"),
            ({}, receipt(amount=0), r"spent no datatoken, so it was not paid"),
            ({}, receipt(status=0), r"failed on chain"),
        ]
        for change, read, expected in cases:
            problems = provenance.check_order(self.entry(**change), read)
            self.assertEqual(len(problems), 1, problems)
            self.assertRegex(problems[0], expected)

    def test_ddo_and_file(self):
        ddo = {
            "id": self.entry()["did"],
            "services": [{"id": "svc-1", "datatokenAddress": DATATOKEN}],
        }
        self.assertEqual(provenance.check_ddo(self.entry(), ddo, "http://n"), [])
        self.assertRegex(provenance.check_ddo(self.entry(), None, "http://n")[0], "does not know")
        file = self.entry()["files"][0]
        self.assertEqual(provenance.check_file(self.entry(), file, file["sha256"]), [])
        self.assertRegex(
            provenance.check_file(self.entry(), file, "cd" * 32)[0],
            r"^e1: ocean-data/weather.csv has SHA-256 cdcdcdcd…cdcd",
        )


class ReadersFromRecord(provenance.Readers):
    """Readers answering from dicts: the command line's plumbing without a chain."""

    def __init__(self, folder, receipts, ddos):
        super().__init__(folder)
        self.receipts, self.ddos = receipts, ddos

    def receipt(self, entry, tx):
        return self.receipts.get(tx)

    def ddo(self, entry):
        return self.ddos.get(entry["did"])


class VerifyTest(unittest.TestCase):
    def test_files_beside_the_notebook_are_hashed(self):
        with tempfile.TemporaryDirectory() as folder:
            os.makedirs(os.path.join(folder, "ocean-data"))
            with open(os.path.join(folder, "ocean-data", "weather.csv"), "wb") as handle:
                handle.write(b"abc")
            rec = record()
            first = rec["entries"][0]
            readers = ReadersFromRecord(
                folder,
                {first["order"]["tx"]: receipt()},
                {
                    first["did"]: {
                        "id": first["did"],
                        "services": [{"id": "svc-1", "datatokenAddress": DATATOKEN}],
                    },
                    rec["entries"][1]["did"]: {"id": rec["entries"][1]["did"]},
                },
            )
            verdicts = provenance.verify_record(rec, readers)
            self.assertTrue(all(v["ok"] for v in verdicts), verdicts)
            self.assertIn("SHA-256 of ocean-data/weather.csv", verdicts[0]["checked"])
            with open(os.path.join(folder, "ocean-data", "weather.csv"), "wb") as handle:
                handle.write(b"abd")
            verdicts = provenance.verify_record(rec, readers)
            self.assertFalse(verdicts[0]["ok"])
            self.assertIn(
                "✘ e1: ocean-data/weather.csv has SHA-256", provenance.verdict_text(verdicts)
            )

    def test_command_line_says_why_it_cannot_read(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "n.ipynb")
            with open(path, "w", encoding="utf-8") as handle:
                json.dump({"metadata": {"ocean_provenance": {"version": 9}}, "cells": []}, handle)
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                self.assertEqual(provenance.main(["verify", path]), 2)
            self.assertIn("version 9", err.getvalue())
            with open(path, "w", encoding="utf-8") as handle:
                json.dump({"metadata": {}, "cells": []}, handle)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                self.assertEqual(provenance.main(["verify", path]), 0)
            self.assertIn("no Ocean provenance yet", out.getvalue())


if __name__ == "__main__":
    unittest.main()


class JobTest(unittest.TestCase):
    def test_a_compute_job_is_said_to_be_unchecked_not_passed(self):
        entry = record()["entries"][0]
        entry["action"] = "compute"
        entry["jobId"] = "job-1"
        readers = ReadersFromRecord(
            "/nonexistent",
            {entry["order"]["tx"]: receipt()},
            {
                entry["did"]: {
                    "id": entry["did"],
                    "services": [{"id": "svc-1", "datatokenAddress": DATATOKEN}],
                }
            },
        )
        verdict = provenance.verify_entry(entry, readers)
        self.assertTrue(verdict["ok"], verdict)
        self.assertEqual(verdict["checked"][-1], "job not checked: needs the consumer's wallet")
        self.assertIn(
            "job not checked: needs the consumer's wallet",
            provenance.verdict_text([verdict]),
        )
        # A load has no job: nothing is said of one.
        del entry["jobId"]
        entry["action"] = "load"
        verdict = provenance.verify_entry(entry, readers)
        self.assertFalse(any("job" in line for line in verdict["checked"]))


class ModelUseTest(unittest.TestCase):
    """A GAN cell's use of its model (action ``use``, src/provenance/log.ts
    recordModelUse): checked by its order, as in the browser's verify.ts."""

    def use(self, **change):
        entry = copy.deepcopy(record()["entries"][0])
        del entry["files"]
        entry.update(id="e4", action="use", cellId="gan-cell", **change)
        return entry

    def readers(self):
        first = record()["entries"][0]
        return ReadersFromRecord(
            "/nonexistent",
            {first["order"]["tx"]: receipt()},
            {
                first["did"]: {
                    "id": first["did"],
                    "services": [{"id": "svc-1", "datatokenAddress": DATATOKEN}],
                }
            },
        )

    def test_the_count_reads_as_english(self):
        one = {"entry": "e1", "ok": True, "problems": [], "checked": ["order"]}
        self.assertTrue(provenance.verdict_text([one]).endswith("\nThe one entry holds."))
        bad = dict(one, ok=False, problems=["e1: wrong."])
        self.assertTrue(provenance.verdict_text([bad]).endswith("\nThe one entry does not hold."))
        self.assertTrue(
            provenance.verdict_text([one, bad]).endswith("\n1 of 2 entries do not hold.")
        )

    def test_a_use_is_checked_by_its_order(self):
        verdict = provenance.verify_entry(self.use(), self.readers())
        self.assertEqual(
            verdict,
            {
                "entry": "e4",
                "ok": True,
                "problems": [],
                "checked": ["asset on the node", "order on chain"],
            },
        )

    def test_a_tampered_use_is_named(self):
        other = self.use(order={"tx": "0xbbbb", "block": 12, "reused": True})
        verdict = provenance.verify_entry(other, self.readers())
        self.assertEqual(
            verdict["problems"], ["e4: the order transaction 0xbbbb is not on chain 8996."]
        )
        orderless = self.use()
        del orderless["order"]
        verdict = provenance.verify_entry(orderless, self.readers())
        self.assertEqual(verdict["problems"], ["e4: no order transaction is recorded."])
        self.assertIn("✘ e4: no order transaction is recorded.", provenance.verdict_text([verdict]))


class UrlTest(unittest.TestCase):
    def test_only_http_urls_are_read(self):
        entry = record()["entries"][0]
        entry["network"]["nodeUrl"] = "file:///etc"
        entry["network"]["rpcUrl"] = "ipc:///tmp/geth.ipc"
        verdict = provenance.verify_entry(entry, provenance.Readers("/nonexistent"))
        self.assertFalse(verdict["ok"])
        self.assertIn(
            "e1: could not check the asset on the node: file:///etc is not an http(s) URL",
            verdict["problems"],
        )
        self.assertIn(
            "e1: could not check the order on chain: ipc:///tmp/geth.ipc is not an http(s) URL",
            verdict["problems"],
        )


class DatasetInfoTest(unittest.TestCase):
    """``%ocean load <did> --dataset``: the kernel client puts the DDO's words and
    the lineage entry into the Dataset's info (src/kernel-bridge/python/ocean_bridge.py)."""

    def test_info_reaches_the_dataset(self):
        import importlib.util

        path = os.path.join(HERE, "..", "..", "src", "kernel-bridge", "python", "ocean_bridge.py")
        spec = importlib.util.spec_from_file_location("ocean_bridge_under_test", path)
        bridge = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bridge)
        entry = record()["entries"][0]
        dataset = bridge._result(
            {
                "kind": "table",
                "format": "records",
                "data": [{"station": "a", "t": 1.5}, {"station": "b", "t": 2.0}],
                "as": "dataset",
                "info": {
                    "description": "Hourly weather.",
                    "license": "CC-BY-ND-4.0",
                    "citation": "@misc{ocean-1, title = {Weather}}",
                    "provenance": entry,
                },
            }
        )
        self.assertEqual(dataset.num_rows, 2)
        self.assertEqual(dataset.info.description, "Hourly weather.")
        self.assertEqual(dataset.info.license, "CC-BY-ND-4.0")
        self.assertIn("title = {Weather}", dataset.info.citation)
        self.assertEqual(dataset.info.ocean_provenance["order"]["tx"], entry["order"]["tx"])
