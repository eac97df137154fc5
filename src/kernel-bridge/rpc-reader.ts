/**
 * Chain reads for the kernel bridge: one JSON-RPC request to the active
 * network's endpoint per kernel read, nothing cached.
 *
 * Why a WebSocket where it can be had: measured in Chromium on the dev
 * machine (bench:bridge), a `fetch` to a local chain costs about 4–5 ms a
 * round trip (the browser's network service, CORS, HTTP framing) against
 * about 1 ms for the same request on an open WebSocket, and reads are most
 * of a notebook's bridge traffic. Only loopback endpoints are tried: the
 * dev chains (Hardhat, Anvil, Ganache) answer JSON-RPC over WebSocket on the
 * same port as over HTTP, whereas hosted RPCs usually publish their
 * WebSocket at another URL, and a refused handshake leaves an error in the
 * browser console. Wherever the WebSocket is not there, or drops, reads go
 * over `fetch` as before; a read caught by a drop is sent again over
 * `fetch`, which is safe because reads change nothing.
 */

/** A JSON-RPC response as the node sent it. */
export interface IRpcResponse {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** The browser's WebSocket class; tests may pass another with its shape. */
export type WebSocketClass = new (url: string) => WebSocket;

interface IPendingRead {
  body: string;
  resolve: (response: IRpcResponse) => void;
  reject: (error: unknown) => void;
}

interface ISocket {
  socket: WebSocket;
  /** True once open, false if it closed first. */
  opened: Promise<boolean>;
  pending: Map<number, IPendingRead>;
  /** Closed by us (network switched), not refused by the endpoint. */
  dropped: boolean;
}

export class RpcReader {
  constructor(
    options: {
      webSocket?: WebSocketClass | null;
      fetch?: typeof fetch;
    } = {}
  ) {
    this._WebSocket =
      options.webSocket !== undefined
        ? options.webSocket
        : typeof WebSocket === 'undefined'
          ? null
          : WebSocket;
    this._fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /**
   * Sends `method` to `url` and returns the node's response (its `error`
   * included). Throws when the endpoint cannot be reached.
   */
  async read(
    url: string,
    method: string,
    params: unknown
  ): Promise<IRpcResponse> {
    const socket = this._socketFor(url);
    if (socket && (await socket.opened)) {
      const id = this._nextId++;
      const body = JSON.stringify({ jsonrpc: '2.0', id, method, params });
      if (socket.socket.readyState === 1) {
        return new Promise((resolve, reject) => {
          socket.pending.set(id, { body, resolve, reject });
          socket.socket.send(body);
        });
      }
    }
    return this._post(
      url,
      JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
    );
  }

  /** Closes every socket (the plugin is going away). */
  dispose(): void {
    for (const url of [...this._sockets.keys()]) {
      this._close(url);
    }
  }

  private async _post(url: string, body: string): Promise<IRpcResponse> {
    const response = await this._fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body
    });
    return (await response.json()) as IRpcResponse;
  }

  /** The socket to `url`, opened on first use; null where fetch is used. */
  private _socketFor(url: string): ISocket | null {
    const existing = this._sockets.get(url);
    if (existing) {
      return existing;
    }
    // One endpoint at a time: the active network changed, so the socket to
    // the previous one has no more reads to carry.
    for (const other of [...this._sockets.keys()]) {
      this._close(other);
    }
    const wsUrl = this._WebSocket ? loopbackWebSocketUrl(url) : null;
    if (!wsUrl || this._refused.has(url)) {
      return null;
    }
    let socket: WebSocket;
    try {
      socket = new this._WebSocket!(wsUrl);
    } catch {
      this._refused.add(url);
      return null;
    }
    let wasOpen = false;
    const entry: ISocket = {
      socket,
      pending: new Map(),
      dropped: false,
      opened: new Promise(resolve => {
        socket.addEventListener('open', () => {
          wasOpen = true;
          resolve(true);
        });
        socket.addEventListener('close', () => resolve(false));
      })
    };
    // A failed handshake or a drop also fires 'close', which does the work;
    // Node's `ws` (unit tests) throws on an 'error' nobody listens to.
    socket.addEventListener('error', () => undefined);
    socket.addEventListener('message', event =>
      this._receive(url, entry, event.data)
    );
    socket.addEventListener('close', () => {
      if (!wasOpen && !entry.dropped) {
        // No WebSocket here (plain HTTP endpoint): fetch from now on.
        this._refused.add(url);
      }
      if (this._sockets.get(url) === entry) {
        this._sockets.delete(url);
      }
      // Reads change nothing, so the ones the drop caught go again by fetch.
      for (const read of entry.pending.values()) {
        this._post(url, read.body).then(read.resolve, read.reject);
      }
      entry.pending.clear();
    });
    this._sockets.set(url, entry);
    return entry;
  }

  private _receive(url: string, entry: ISocket, data: unknown): void {
    let message: { id?: unknown } & IRpcResponse;
    try {
      message = JSON.parse(String(data));
    } catch {
      // Not a JSON-RPC server after all: give up the socket (its pending
      // reads go by fetch) and do not try it again.
      this._refused.add(url);
      this._close(url);
      return;
    }
    const read =
      typeof message?.id === 'number' ? entry.pending.get(message.id) : null;
    if (!read) {
      // Subscription notifications and strays: nothing asked for them.
      return;
    }
    entry.pending.delete(message.id as number);
    read.resolve(message);
  }

  private _close(url: string): void {
    const entry = this._sockets.get(url);
    if (!entry) {
      return;
    }
    this._sockets.delete(url);
    entry.dropped = true;
    entry.socket.close();
    // 'close' arrives later; the reads still out go by fetch now.
    for (const read of entry.pending.values()) {
      this._post(url, read.body).then(read.resolve, read.reject);
    }
    entry.pending.clear();
  }

  private _WebSocket: WebSocketClass | null;
  private _fetch: typeof fetch;
  private _sockets = new Map<string, ISocket>();
  /** Endpoints whose WebSocket handshake failed: fetch only. */
  private _refused = new Set<string>();
  private _nextId = 1;
}

/**
 * Whether `rpcUrl` is an http(s) endpoint on this machine's loopback with no
 * credentials in it (the dev chains; never a hosted RPC, whose URL may
 * carry an API key).
 */
export function isLoopbackRpcUrl(rpcUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(rpcUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return false;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback =
    host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  return loopback && !url.username && !url.password;
}

/** `ws://` form of a loopback `http://` endpoint, else null. */
export function loopbackWebSocketUrl(rpcUrl: string): string | null {
  if (!isLoopbackRpcUrl(rpcUrl)) {
    return null;
  }
  const url = new URL(rpcUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
