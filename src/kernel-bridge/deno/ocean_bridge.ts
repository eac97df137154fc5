// The kernel side of the jupyterlab-ocean bridge, for Deno kernels.
//
// The JupyterLab extension sends this code into a Deno kernel the first time
// a cell mentions Ocean, so nothing needs installing. It defines
// `globalThis.ocean`:
//
//   ocean.provider                EIP-1193 (request, on, removeListener):
//                                 new ethers.BrowserProvider(ocean.provider)
//   await ocean.account()         the shared address (asks once per kernel)
//   await ocean.sign('hello')     personal_sign through the wallet dialog
//   await ocean.<name>(...args, { option: value })   any registered command
//
// Messages travel over the stdin channel: `prompt()` sends an input_request
// whose prompt carries the request, and blocks until the browser answers in
// the input_reply. It is the one channel Deno reads while a cell is still
// running (Deno 2.9 cannot receive comm messages); see
// src/kernel-bridge/transport.ts. Shapes: src/kernel-bridge/protocol.ts.
//
// Everything lives inside one function so that no name leaks into the
// notebook's scope except `ocean`.
(() => {
  const VERSION = '0.1.0';
  const PROTOCOL = 1;
  const PREFIX = 'jupyterlab-ocean-bridge/1:';
  const CHUNK_CHARS = 256 * 1024;
  // The facts of an error's `data` printed under its sentence, in this order.
  const SHOWN_ERROR_DETAILS = [
    'txHash',
    'nodeCode',
    'nodeMessage',
    'status',
    'did',
    'expected',
    'actual'
  ];
  // Chain reads sent straight to the JSON-RPC URL the browser shares (the
  // state's rpcUrl, only ever a loopback one): public data, no account, no
  // signature. Everything else goes to the browser. Same list as protocol.ts.
  const DIRECT_READ_METHODS = [
    'eth_blockNumber',
    'eth_call',
    'eth_chainId',
    'eth_estimateGas',
    'eth_feeHistory',
    'eth_gasPrice',
    'eth_getBalance',
    'eth_getBlockByHash',
    'eth_getBlockByNumber',
    'eth_getCode',
    'eth_getLogs',
    'eth_getStorageAt',
    'eth_getTransactionByHash',
    'eth_getTransactionCount',
    'eth_getTransactionReceipt',
    'eth_maxPriorityFeePerGas',
    'net_version'
  ];
  // Direct reads rely on the browser's last word for this long
  // (protocol.ts DIRECT_READ_FRESH_MS); past it a read goes through the
  // browser and brings the current state back.
  const DIRECT_READ_FRESH_MS = 2000;
  const DISPLAY = Symbol.for('Jupyter.display');

  type Json = any;
  // Deno's globals, typed only as far as this file uses them.
  const g = globalThis as any;

  const existing = g.__jupyterlabOceanBridge;
  if (existing && existing.version === VERSION) {
    return;
  }

  /**
   * [name, text] for each of SHOWN_ERROR_DETAILS in `data` that the
   * sentence does not already say.
   */
  function shownDetails(data: unknown, message: string): [string, string][] {
    if (!data || typeof data !== 'object' || Array.isArray(data)) {
      return [];
    }
    const shown: [string, string][] = [];
    for (const key of SHOWN_ERROR_DETAILS) {
      const value = (data as Record<string, unknown>)[key];
      const text =
        value === undefined || value === null
          ? ''
          : String(value).slice(0, 300);
      if (text && !message.includes(text)) {
        shown.push([key, text]);
      }
    }
    return shown;
  }

  /**
   * An EIP-1193 ProviderRpcError: `code`, a sentence saying what to do, and
   * `data`: the facts behind it (`txHash`, the node's `nodeCode` and
   * `nodeMessage`…), or the chain's error data for a refused RPC call.
   */
  class OceanBridgeError extends Error {
    code: number | string;
    data?: unknown;
    constructor(code: number | string, message: string, data?: unknown) {
      super(message);
      this.name = 'OceanBridgeError';
      this.code = code;
      this.data = data;
      // What an uncaught error shows in the cell: the code, the sentence and
      // the facts that help, not a trace through the bridge's internals.
      this.stack = [
        `OceanBridgeError ${code}: ${message}`,
        ...shownDetails(data, message).map(([key, text]) => `  ${key}: ${text}`)
      ].join('\n');
    }
  }

  function toBase64(bytes: Uint8Array): string {
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  function encode(value: Json): Json {
    if (value instanceof Uint8Array) {
      return { $bytes: toBase64(value) };
    }
    if (value instanceof ArrayBuffer) {
      return { $bytes: toBase64(new Uint8Array(value)) };
    }
    if (typeof value === 'bigint') {
      return '0x' + value.toString(16);
    }
    if (Array.isArray(value)) {
      return value.map(encode);
    }
    if (value && typeof value === 'object') {
      if (typeof value.toJSON === 'function') {
        return encode(value.toJSON());
      }
      const out: Record<string, Json> = {};
      for (const [key, item] of Object.entries(value)) {
        if (item !== undefined && typeof item !== 'function') {
          out[key] = encode(item);
        }
      }
      return out;
    }
    return value;
  }

  function decode(value: Json): Json {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && typeof value.$bytes === 'string') {
        const binary = atob(value.$bytes);
        const bytes = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i++) {
          bytes[i] = binary.charCodeAt(i);
        }
        return bytes;
      }
      const out: Record<string, Json> = {};
      for (const key of keys) {
        out[key] = decode(value[key]);
      }
      return out;
    }
    if (Array.isArray(value)) {
      return value.map(decode);
    }
    return value;
  }

  /** A command result with a rich display; the data itself is `.value`. */
  class RichResult {
    value: unknown;
    #bundle: Record<string, unknown>;
    constructor(bundle: Record<string, unknown>, value: unknown) {
      this.#bundle = bundle;
      this.value = value;
    }
    [DISPLAY]() {
      return this.#bundle;
    }
    toString() {
      return String(this.#bundle['text/plain'] ?? '<Ocean result>');
    }
  }

  /** A multi-file asset: the file `{ file: N }` chose, or all of them by name. */
  function files(encoded: Json): Json {
    const entries: Json[] = encoded.files ?? [];
    const count = encoded.count ?? entries.length;
    if (encoded.chosen !== undefined && entries.length) {
      const entry = entries[0];
      console.log(
        `File ${entry.index} of the asset's ${count} (${entry.name}, saved at ${entry.path}). Without { file }, ocean.load('${encoded.did}') gives all of them.`
      );
      return result(entry.result);
    }
    if (encoded.as === 'dataset') {
      throw new OceanBridgeError(
        'OCEAN_NEEDS_LIBRARY',
        'Hugging Face datasets is a Python library: in Deno, ocean.load gives the files by name without {dataset: true}.'
      );
    }
    const loaded: Record<string, Json> = {};
    for (const entry of entries) {
      loaded[entry.name] = result(entry.result);
    }
    const names = Object.keys(loaded);
    const shown =
      names.length <= 4
        ? names.join(', ')
        : `${names[0]}, ${names[1]}, … ${names[names.length - 1]}`;
    console.log(
      `All ${count} files of the asset, as an object keyed by file name (${shown}). One file: ocean.load('${encoded.did}', { file: N }) (N from 0 to ${count - 1}).`
    );
    return loaded;
  }

  function result(encoded: Json): Json {
    if (encoded?.kind === 'files') {
      return files(encoded);
    }
    if (encoded?.kind === 'mime') {
      return new RichResult(encoded.data ?? {}, decode(encoded.value));
    }
    if (encoded?.kind === 'table') {
      if (encoded.as === 'dataset') {
        // The file is already saved; say where, and what Deno gets instead.
        throw new OceanBridgeError(
          'OCEAN_NEEDS_LIBRARY',
          `Hugging Face datasets is a Python library: in Deno, ocean.load gives the rows without {dataset: true}${encoded.name ? ` (the file is saved at ocean-data/${encoded.name})` : ''}.`
        );
      }
      return decode(encoded.data);
    }
    return decode(encoded?.value ?? null);
  }

  // ----- events -------------------------------------------------------------

  const listeners = new Map<string, Set<(value: unknown) => void>>();
  let state: Json = null;
  // When the browser's word on the state was last current (a reply or a
  // pushed state; Deno tells the client of no cell start).
  let heard = -Infinity;

  function emit(event: string, value: unknown): void {
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        listener(value);
      } catch (error) {
        console.error(`Ocean bridge: a ${event} listener failed:`, error);
      }
    }
  }

  function observe(next: Json): void {
    heard = performance.now();
    const before = state;
    state = next;
    if (!before) {
      emit('connect', { chainId: next.chainId });
      return;
    }
    if (before.chainId !== next.chainId) {
      emit('chainChanged', next.chainId);
    }
    if (JSON.stringify(before.accounts) !== JSON.stringify(next.accounts)) {
      emit('accountsChanged', [...(next.accounts ?? [])]);
    }
  }

  // ----- transport ----------------------------------------------------------

  let counter = 0;
  const idPrefix = `${g.Deno.pid}-`;

  function ask(message: Json): Json {
    const answer = prompt(PREFIX + JSON.stringify(message));
    if (typeof answer !== 'string' || !answer.startsWith(PREFIX)) {
      throw new OceanBridgeError(
        4900,
        'The browser did not answer as the Ocean bridge does: run this in a notebook cell in JupyterLab with the jupyterlab-ocean extension.'
      );
    }
    try {
      return JSON.parse(answer.slice(PREFIX.length));
    } catch {
      throw new OceanBridgeError(
        'OCEAN_BRIDGE_BAD_MESSAGE',
        'The browser sent a reply that is not JSON.'
      );
    }
  }

  function exchange(message: Json): Json {
    const text = JSON.stringify(message);
    let reply: Json;
    if (text.length <= CHUNK_CHARS) {
      reply = ask(message);
    } else {
      for (let start = 0; start < text.length; start += CHUNK_CHARS) {
        const last = start + CHUNK_CHARS >= text.length;
        reply = ask({
          v: PROTOCOL,
          id: message.id,
          op: 'part',
          data: text.slice(start, start + CHUNK_CHARS),
          last
        });
        if (!last && reply?.status !== 'ack') {
          break;
        }
      }
    }
    const chunks: string[] = [];
    while (reply?.status === 'part') {
      chunks.push(reply.data ?? '');
      if (reply.last) {
        reply = JSON.parse(chunks.join(''));
        break;
      }
      reply = ask({ v: PROTOCOL, id: message.id, op: 'more' });
    }
    return reply;
  }

  async function showProgress(
    displayId: string,
    first: boolean,
    message: string,
    fraction?: number
  ): Promise<void> {
    const text =
      fraction === undefined
        ? message
        : `${message} (${Math.round(fraction * 100)}%)`;
    const escaped = message.replace(
      /[&<>"']/g,
      c =>
        ({
          '&': '&amp;',
          '<': '&lt;',
          '>': '&gt;',
          '"': '&quot;',
          "'": '&#39;'
        })[c] as string
    );
    const bar =
      fraction === undefined
        ? ''
        : `<progress max="1" value="${fraction}"></progress> `;
    await g.Deno.jupyter.display(
      {
        'text/plain': text,
        'text/html': `<div class="jp-OceanKernelProgress">${bar}${escaped}</div>`
      },
      { raw: true, display_id: displayId, update: !first }
    );
  }

  // Deno may run several async calls at once, but stdin carries one request
  // at a time: calls queue here.
  let queue: Promise<unknown> = Promise.resolve();

  function call(message: Json): Promise<Json> {
    const run = async () => {
      const id = idPrefix + String(++counter);
      const full = { v: PROTOCOL, id, ...message };
      const displayId = `jupyterlab-ocean-progress-${id}`;
      let shown = false;
      let reply = exchange(full);
      for (;;) {
        if (reply?.state) {
          observe(reply.state);
        }
        if (reply?.status === 'progress') {
          await showProgress(
            displayId,
            !shown,
            String(reply.message ?? ''),
            reply.fraction
          );
          shown = true;
          reply = exchange({ v: PROTOCOL, id, op: 'wait' });
          continue;
        }
        if (reply?.status === 'done') {
          if (shown) {
            await g.Deno.jupyter.display(
              // The line goes away: the result says how it ended.
              { 'text/plain': '' },
              { raw: true, display_id: displayId, update: true }
            );
          }
          return reply.result ?? { kind: 'json', value: null };
        }
        if (reply?.status === 'error') {
          const error = reply.error ?? {};
          if (shown) {
            await g.Deno.jupyter.display(
              // Cleared, not "Failed: …": the error is shown once, by the throw.
              { 'text/plain': '' },
              { raw: true, display_id: displayId, update: true }
            );
          }
          throw new OceanBridgeError(
            error.code ?? 'OCEAN_BRIDGE_BAD_MESSAGE',
            error.message ?? 'The bridge failed.',
            error.data
          );
        }
        throw new OceanBridgeError(
          'OCEAN_BRIDGE_BAD_MESSAGE',
          `Unexpected bridge reply ${JSON.stringify(reply?.status)}.`
        );
      }
    };
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  }

  // ----- direct reads -------------------------------------------------------

  // Why: a request through the browser crosses the lab server twice (the
  // stdin prompt out, the reply back), 1.5 to 2 ms more than the chain
  // itself (bench:bridge), and a notebook's traffic is mostly reads. The
  // browser decides: it shares a URL only where it reads from it too (its
  // built-in wallet on the active network) and only a loopback one. The
  // kernel checks once per URL that it serves the chain the browser named
  // (a kernel on another machine finds another chain or none there and
  // keeps asking the browser). Whatever fails on the way is asked of the
  // browser, which says what is wrong. Deno has no subshells and cannot
  // receive comm messages, so everything else stays on stdin.
  const directChains = new Map<string, Promise<number | null>>();

  async function postRpc(url: string, method: string, params: Json) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    return response.json();
  }

  /** `{ answered: true, result }` when read here, else `{ answered: false }`. */
  async function directRead(
    method: string,
    params: Json
  ): Promise<{ answered: boolean; result?: Json }> {
    const url = typeof state?.rpcUrl === 'string' ? state.rpcUrl : null;
    const chain = url ? Number.parseInt(String(state.chainId), 16) : NaN;
    if (
      !url ||
      Number.isNaN(chain) ||
      performance.now() - heard >= DIRECT_READ_FRESH_MS ||
      !DIRECT_READ_METHODS.includes(method) ||
      // Binary params travel as {$bytes} for the browser to decode.
      JSON.stringify(params ?? []).includes('"$bytes"')
    ) {
      return { answered: false };
    }
    if (!directChains.has(url)) {
      directChains.set(
        url,
        postRpc(url, 'eth_chainId', []).then(
          body => Number.parseInt(String(body?.result), 16),
          () => null
        )
      );
    }
    if ((await directChains.get(url)) !== chain) {
      return { answered: false };
    }
    if (method === 'eth_chainId') {
      return { answered: true, result: state.chainId };
    }
    let body: Json;
    try {
      body = await postRpc(url, method, params ?? []);
    } catch {
      return { answered: false };
    }
    if (body?.error && typeof body.error === 'object') {
      // The node's own refusal (a revert, a bad param), as the browser
      // would pass it on: its JSON-RPC code, message and data.
      throw new OceanBridgeError(
        body.error.code ?? 'OCEAN_NETWORK_UNREACHABLE',
        `The network refused ${method}: ${body.error.message ?? ''}`,
        body.error.data
      );
    }
    if (!body || typeof body !== 'object' || !('result' in body)) {
      return { answered: false };
    }
    return { answered: true, result: body.result };
  }

  // ----- the EIP-1193 provider ----------------------------------------------

  const provider = {
    isOcean: true,
    /**
     * Chain reads (DIRECT_READ_METHODS) go straight to the network's
     * JSON-RPC URL when the browser shares it; false sends every request
     * through the browser. Signatures always go through the wallet dialog.
     */
    directReads: true,
    async request(args: { method: string; params?: unknown }): Promise<Json> {
      if (!args || typeof args.method !== 'string') {
        throw new OceanBridgeError(
          -32600,
          'request() takes { method, params }.'
        );
      }
      if (provider.directReads) {
        const read = await directRead(
          args.method,
          args.params === undefined ? undefined : encode(args.params)
        );
        if (read.answered) {
          return read.result;
        }
      }
      const message: Json = { op: 'rpc', method: args.method };
      if (args.params !== undefined) {
        message.params = encode(args.params);
      }
      return result(await call(message));
    },
    on(event: string, listener: (value: unknown) => void) {
      if (!listeners.has(event)) {
        listeners.set(event, new Set());
      }
      listeners.get(event)!.add(listener);
      return provider;
    },
    removeListener(event: string, listener: (value: unknown) => void) {
      listeners.get(event)?.delete(listener);
      return provider;
    },
    off(event: string, listener: (value: unknown) => void) {
      return provider.removeListener(event, listener);
    },
    get state() {
      return state;
    }
  };

  // ----- the wallet widget --------------------------------------------------

  /**
   * Opens the widget model with a broadcast comm_open and returns its
   * view. Deno cannot receive comm messages, so the model is display-only:
   * the browser keeps the view current from the wallet itself.
   */
  async function walletWidget(): Promise<Json> {
    const info = await command('wallet');
    const commId = crypto.randomUUID();
    await g.Deno.jupyter.broadcast(
      'comm_open',
      {
        comm_id: commId,
        target_name: info.target ?? 'jupyter.widget',
        data: { state: info.state, buffer_paths: [] }
      },
      { metadata: { version: info.protocol ?? '2.1.0' } }
    );
    return {
      modelId: commId,
      state: info.state,
      [DISPLAY]: () => ({
        'application/vnd.jupyter.widget-view+json': {
          model_id: commId,
          version_major: 2,
          version_minor: 1
        },
        'text/plain': String(info.text ?? 'Ocean wallet')
      })
    };
  }

  // ----- commands -----------------------------------------------------------

  function command(name: string, ...args: unknown[]): Promise<Json> {
    const payload: Record<string, Json> = { _: [] };
    const last = args[args.length - 1];
    const options =
      last &&
      typeof last === 'object' &&
      !Array.isArray(last) &&
      !(last instanceof Uint8Array) &&
      Object.getPrototypeOf(last) === Object.prototype
        ? (args.pop() as Record<string, unknown>)
        : {};
    payload._ = args.map(encode);
    for (const [key, value] of Object.entries(options)) {
      payload[key] = encode(value);
    }
    return call({ op: 'command', name, args: payload }).then(result);
  }

  const base: Record<string | symbol, unknown> = {
    version: VERSION,
    provider,
    OceanBridgeError,
    command,
    request: provider.request,
    on: provider.on,
    removeListener: provider.removeListener,
    account: () => command('account'),
    chain: () => command('chain'),
    sign: (message: string) => command('sign', { message: String(message) }),
    help: () => command('help'),
    balance: (address?: string) =>
      address === undefined ? command('balance') : command('balance', address),
    // Amounts as decimal text ("0.5"): a JavaScript number loses digits.
    send: (to: string, amount: string | number, token?: string) =>
      token === undefined
        ? command('send', String(to), String(amount))
        : command('send', String(to), String(amount), String(token)),
    authToken: async (options: { minutes?: number } = {}) =>
      (
        await command('token', {
          minutes: String(options.minutes ?? 30)
        })
      ).value,
    wallet: () => walletWidget(),
    [DISPLAY]: () => ({
      'text/plain':
        'ocean: the JupyterLab Ocean bridge. Try `await ocean.help()`.'
    })
  };

  // Names that tools probe on any object (await, inspection, JSON) must not
  // turn into commands.
  const NOT_COMMANDS = new Set([
    'then',
    'catch',
    'finally',
    'toJSON',
    'toString',
    'valueOf',
    'constructor',
    'inspect',
    'asymmetricMatch',
    'nodeType',
    '$$typeof'
  ]);

  const ocean = new Proxy(base, {
    get(target, name) {
      if (name in target) {
        return target[name];
      }
      if (
        typeof name !== 'string' ||
        NOT_COMMANDS.has(name) ||
        name.startsWith('_')
      ) {
        return undefined;
      }
      return (...args: unknown[]) => command(name, ...args);
    }
  });

  g.ocean = ocean;
  g.__jupyterlabOceanBridge = {
    version: VERSION,
    pushState: (next: Json) => observe(next)
  };
})();
