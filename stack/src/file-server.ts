/**
 * The sample assets' storage: a static file server on 127.0.0.1.
 *
 * Two kinds of file live here. Public previews (`/public/<name>`) are open to
 * anyone, like the sample links in a DDO. Paid content (`/private/<name>`)
 * answers only with the bearer secret that is written into the asset's
 * encrypted `files` object, so only the Ocean Node, which decrypts that
 * object after checking an order, can fetch it. Without that check anyone
 * could skip the purchase by reading the URL.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';

import type { SampleFile } from './sample-data.ts';

export interface FileServer {
  url: string;
  /** The header (name → value) that unlocks `/private/` files. */
  privateHeaders: Record<string, string>;
  publicUrl(name: string): string;
  privateUrl(name: string): string;
  stop(): Promise<void>;
}

export interface FileServerOptions {
  dir: string;
  files: SampleFile[];
  host?: string;
  port?: number;
  /** Reuse a secret (so URLs in already published DDOs stay valid); a new one otherwise. */
  secret?: string;
}

export function newFileSecret(): string {
  return randomBytes(24).toString('hex');
}

export async function startFileServer(
  options: FileServerOptions
): Promise<FileServer> {
  const host = options.host ?? '127.0.0.1';
  const secret = options.secret ?? newFileSecret();
  const expected = Buffer.from(`Bearer ${secret}`);
  const byName = new Map(options.files.map(file => [file.name, file]));

  const server: Server = createServer((request, response) => {
    const send = (status: number, code: string, message: string) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code, message } }));
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(405, 'METHOD_NOT_ALLOWED', 'Only GET and HEAD are served.');
      return;
    }
    const match = /^\/(public|private)\/([A-Za-z0-9._-]+)$/.exec(
      new URL(request.url ?? '/', 'http://localhost').pathname
    );
    const file = match ? byName.get(match[2]) : undefined;
    if (!match || !file || (match[1] === 'public') !== file.public) {
      send(404, 'FILE_NOT_FOUND', 'No such sample file.');
      return;
    }
    if (match[1] === 'private') {
      const given = Buffer.from(request.headers.authorization ?? '');
      if (
        given.length !== expected.length ||
        !timingSafeEqual(given, expected)
      ) {
        send(
          401,
          'FILE_NEEDS_ORDER',
          'This file is only served through the Ocean Node after an order.'
        );
        return;
      }
    }
    const filePath = path.join(options.dir, file.name);
    stat(filePath).then(
      info => {
        const headers: Record<string, string | number> = {
          'content-type': file.contentType,
          'content-length': info.size,
          'content-disposition': `attachment;filename=${file.name}`,
          'accept-ranges': 'bytes',
          // A public sample is for anyone to read, JupyterLab's page
          // included (its "Show sample rows" reads it from another origin).
          // Paid files stay unreadable cross-origin: only the node fetches them.
          ...(file.public
            ? {
                'access-control-allow-origin': '*',
                'access-control-expose-headers': 'content-length, content-range'
              }
            : {})
        };
        const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
        if (range && (range[1] || range[2])) {
          const start = range[1]
            ? Number(range[1])
            : Math.max(0, info.size - Number(range[2]));
          const end =
            range[1] && range[2]
              ? Math.min(Number(range[2]), info.size - 1)
              : info.size - 1;
          if (start > end || start >= info.size) {
            response.writeHead(416, {
              'content-range': `bytes */${info.size}`
            });
            response.end();
            return;
          }
          headers['content-range'] = `bytes ${start}-${end}/${info.size}`;
          headers['content-length'] = end - start + 1;
          response.writeHead(206, headers);
          if (request.method === 'HEAD') response.end();
          else createReadStream(filePath, { start, end }).pipe(response);
          return;
        }
        response.writeHead(200, headers);
        if (request.method === 'HEAD') response.end();
        else createReadStream(filePath).pipe(response);
      },
      () => send(404, 'FILE_NOT_FOUND', 'No such sample file.')
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8003, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://${host}:${port}`;
  return {
    url,
    privateHeaders: { Authorization: `Bearer ${secret}` },
    publicUrl: name => `${url}/public/${name}`,
    privateUrl: name => `${url}/private/${name}`,
    stop: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      })
  };
}
