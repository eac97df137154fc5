"""The Python kernel client's direct reads (src/kernel-bridge/python/ocean_bridge.py):
the reads in DIRECT_READ_METHODS go to the JSON-RPC URL the browser shares in
its state, once that URL was found to serve the chain the browser named;
everything else (signatures, transactions, accounts) and every read the
browser did not allow goes to the browser's transport. The chain here is a
JSON-RPC endpoint on a free loopback port that answers what a dev chain
answers and records what reached it; the transport records what would have
reached the browser. End to end against the real chain and wallet:
ui-tests/kernel-bridge-reads.spec.ts."""

import importlib.util
import json
import os
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "src", "kernel-bridge", "python", "ocean_bridge.py")


def load_client():
    spec = importlib.util.spec_from_file_location("ocean_bridge_under_test", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Chain:
    """A loopback JSON-RPC endpoint serving ``chain_id``; ``close_after``
    makes it drop a kept-alive connection after each answer, as Hardhat does
    after its keep-alive timeout."""

    def __init__(self, chain_id=8996, close_after=False):
        self.methods = []
        chain = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                chain.methods.append(body["method"])
                if body["method"] == "eth_chainId":
                    answer = {"result": hex(chain_id)}
                elif body["method"] == "eth_call":
                    answer = {
                        "error": {"code": 3, "message": "execution reverted", "data": "0x08c379a0"}
                    }
                else:
                    answer = {"result": "0x2a"}
                data = json.dumps({"jsonrpc": "2.0", "id": body["id"], **answer}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if close_after:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
                if close_after:
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Browser:
    """The transport: what reaches the browser, answered as it would."""

    def __init__(self):
        self.methods = []

    def call(self, message):
        self.methods.append(message.get("method"))
        return {"kind": "json", "value": f"browser:{message.get('method')}"}


class DirectReadsTest(unittest.TestCase):
    def setUp(self):
        self.client = load_client()
        self.chain = Chain()
        self.browser = Browser()
        self.events = self.client._Events()
        self.direct = self.client._DirectReads()
        self.provider = self.client.OceanProvider(self.browser, self.events, self.direct)

    def tearDown(self):
        self.direct._close()
        self.chain.stop()

    def share(self, url, chain_id="0x2324"):
        self.events._observe(
            {"accounts": [], "chainId": chain_id, "status": "unlocked", "rpcUrl": url}
        )

    def test_reads_go_to_the_shared_url_and_signing_to_the_browser(self):
        self.share(self.chain.url)
        self.assertEqual(self.provider.request("eth_blockNumber"), "0x2a")
        self.assertEqual(
            self.provider.request("eth_getBalance", ["0x" + "a" * 40, "latest"]), "0x2a"
        )
        self.assertEqual(self.provider.request({"method": "eth_chainId"}), "0x2324")
        # The chain was asked its id once, then only the reads.
        self.assertEqual(self.chain.methods, ["eth_chainId", "eth_blockNumber", "eth_getBalance"])
        for method, params in [
            ("eth_sendTransaction", [{"to": "0x" + "b" * 40, "value": "0x1"}]),
            ("personal_sign", ["0x68", "0x" + "a" * 40]),
            ("eth_signTypedData_v4", ["0x" + "a" * 40, "{}"]),
            ("eth_sendRawTransaction", ["0x00"]),
            ("eth_accounts", []),
            ("eth_requestAccounts", []),
            ("wallet_switchEthereumChain", [{"chainId": "0x1"}]),
        ]:
            self.assertEqual(self.provider.request(method, params), f"browser:{method}")
        self.assertEqual(
            self.browser.methods,
            [
                "eth_sendTransaction",
                "personal_sign",
                "eth_signTypedData_v4",
                "eth_sendRawTransaction",
                "eth_accounts",
                "eth_requestAccounts",
                "wallet_switchEthereumChain",
            ],
        )
        self.assertEqual(len(self.chain.methods), 3)

    def test_without_a_shared_url_everything_goes_to_the_browser(self):
        self.events._observe({"accounts": [], "chainId": "0x2324", "status": "unlocked"})
        self.assertEqual(self.provider.request("eth_blockNumber"), "browser:eth_blockNumber")
        self.assertEqual(self.chain.methods, [])

    def test_the_browser_can_be_asked_for_every_read(self):
        self.share(self.chain.url)
        self.provider.direct_reads = False
        self.assertEqual(self.provider.request("eth_blockNumber"), "browser:eth_blockNumber")
        self.assertEqual(self.chain.methods, [])

    def test_an_old_word_from_the_browser_sends_the_read_through_it(self):
        # A network switched while a cell runs reaches its reads within
        # DIRECT_READ_FRESH_MS: past it, the next read asks the browser,
        # whose reply brings the current state.
        self.share(self.chain.url)
        self.events.heard -= self.client.DIRECT_READ_FRESH_MS / 1000 + 0.1
        self.assertEqual(self.provider.request("eth_blockNumber"), "browser:eth_blockNumber")
        # A cell's start: every state pushed before it has arrived.
        self.events.heard_now()
        self.assertEqual(self.provider.request("eth_blockNumber"), "0x2a")
        self.assertEqual(self.browser.methods, ["eth_blockNumber"])

    def test_a_url_serving_another_chain_is_not_read(self):
        # The kernel's loopback is not the browser's (another machine): the
        # chain there is not the one the browser named.
        self.share(self.chain.url, chain_id="0x1")
        self.assertEqual(self.provider.request("eth_blockNumber"), "browser:eth_blockNumber")
        self.assertEqual(self.provider.request("eth_chainId"), "browser:eth_chainId")
        self.assertEqual(self.chain.methods, ["eth_chainId"])

    def test_an_unreachable_url_leaves_the_read_to_the_browser(self):
        url = self.chain.url
        self.chain.stop()
        self.share(url)
        self.assertEqual(self.provider.request("eth_blockNumber"), "browser:eth_blockNumber")

    def test_the_chains_refusal_is_raised_with_its_code_and_data(self):
        self.share(self.chain.url)
        with self.assertRaises(self.client.OceanBridgeError) as raised:
            self.provider.request("eth_call", [{"to": "0x" + "c" * 40, "data": "0x"}, "latest"])
        self.assertEqual(raised.exception.code, 3)
        self.assertEqual(raised.exception.data, "0x08c379a0")
        self.assertIn("execution reverted", raised.exception.message)
        self.assertEqual(self.browser.methods, [])

    def test_a_dropped_kept_alive_connection_is_opened_again(self):
        closing = Chain(close_after=True)
        try:
            self.share(closing.url)
            for _ in range(3):
                self.assertEqual(self.provider.request("eth_blockNumber"), "0x2a")
            self.assertEqual(self.browser.methods, [])
        finally:
            closing.stop()


if __name__ == "__main__":
    unittest.main()
