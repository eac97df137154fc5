// A loopback page for running the generator with the onnxruntime-web files
// the extension ships (labextension/static/ort, from `npm run build`), used
// by `npm run bench:gan` and ui-tests/gan-webgpu.spec.ts: '/' answers the
// given HTML, '/model.onnx' the model file, '/ort/<file>' the runtime.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The runtime files of the build (JLO_LABEXTENSION_DIR: a private copy, see scripts/lib/services.mjs). */
export const ORT_DIR = path.join(
  process.env.JLO_LABEXTENSION_DIR ??
    path.join(root, 'jupyterlab_ocean', 'labextension'),
  'static',
  'ort'
);

/** The shipped generator. */
export const MODEL_PATH = path.join(root, 'gan', 'model', 'generator.onnx');

/**
 * Starts the page's server on 127.0.0.1 (a free port).
 * @returns {Promise<{origin: string, close: () => void}>}
 */
export async function serveOrtPage({ html, modelPath = MODEL_PATH }) {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    if (url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(html);
      return;
    }
    let file = null;
    let type = 'application/octet-stream';
    if (url.pathname === '/model.onnx') {
      file = modelPath;
    } else if (/^\/ort\/[\w.-]+$/.test(url.pathname)) {
      file = path.join(ORT_DIR, path.basename(url.pathname));
      type = file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    }
    if (!file || !fs.existsSync(file)) {
      response.writeHead(404);
      response.end();
      return;
    }
    response.writeHead(200, { 'content-type': type });
    fs.createReadStream(file).pipe(response);
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => server.close()
  };
}
