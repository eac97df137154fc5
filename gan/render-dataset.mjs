// Renders the training set: DiceBear "Pixel Art" avatars (design CC0 1.0,
// code MIT), drawn offline from numbered seeds. The avatars are 16×16 SVGs
// made of axis-aligned paths, so a small exact rasteriser (pixel-centre
// sampling, the same as shape-rendering="crispEdges") turns them into pixels
// without a browser or a native canvas.
//
// Output: data/pixel-art-<n>.u8, n × 16 × 16 × 3 bytes (RGB, row-major), and
// data/pixel-art-<n>.json describing it. Usage: node render-dataset.mjs [n]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAvatar } from '@dicebear/core';
import * as pixelArt from '@dicebear/pixel-art';

const here = path.dirname(fileURLToPath(import.meta.url));
const SIZE = 16;
// Pastel backgrounds so the generator learns a filled frame, not transparency.
const BACKGROUNDS = ['b6e3f4', 'c0aede', 'd1d4f9', 'ffd5dc', 'ffdfbf'];

/** A minimal XML reader for DiceBear's output: elements and attributes only. */
function parseSvg(text) {
  const source = text.replace(/<metadata[\s\S]*?<\/metadata>/, '');
  const root = { tag: '#root', attrs: {}, children: [] };
  const stack = [root];
  const tagPattern = /<(\/?)([\w:-]+)((?:\s+[\w:-]+\s*=\s*"[^"]*")*)\s*(\/?)>/g;
  for (const match of source.matchAll(tagPattern)) {
    const [, closing, tag, attrText, selfClosing] = match;
    if (closing) {
      stack.pop();
      continue;
    }
    const attrs = {};
    for (const a of attrText.matchAll(/([\w:-]+)\s*=\s*"([^"]*)"/g)) {
      attrs[a[1]] = a[2];
    }
    const node = { tag, attrs, children: [] };
    stack[stack.length - 1].children.push(node);
    if (!selfClosing) {
      stack.push(node);
    }
  }
  return root.children[0];
}

/** Rectilinear path data (M m H h V v Z z) → closed polygons. */
function pathPolygons(d) {
  const polygons = [];
  let current = null;
  let x = 0;
  let y = 0;
  const tokens = d.match(/[MmHhVvZz]|-?\d*\.?\d+(?:e-?\d+)?/g) ?? [];
  let command = 'M';
  for (let i = 0; i < tokens.length;) {
    if (/[A-Za-z]/.test(tokens[i])) {
      command = tokens[i++];
    }
    switch (command) {
      case 'M':
      case 'm': {
        const nx = Number(tokens[i++]);
        const ny = Number(tokens[i++]);
        x = command === 'm' ? x + nx : nx;
        y = command === 'm' ? y + ny : ny;
        current = [[x, y]];
        polygons.push(current);
        // Further pairs after a moveto are implicit linetos; DiceBear never
        // writes them, so refuse rather than guess.
        command = command === 'm' ? 'l?' : 'L?';
        break;
      }
      case 'H':
      case 'h':
        x = command === 'h' ? x + Number(tokens[i++]) : Number(tokens[i++]);
        current.push([x, y]);
        break;
      case 'V':
      case 'v':
        y = command === 'v' ? y + Number(tokens[i++]) : Number(tokens[i++]);
        current.push([x, y]);
        break;
      case 'Z':
      case 'z':
        x = current[0][0];
        y = current[0][1];
        command = 'M';
        break;
      default:
        throw new Error(`Unsupported path data near "${tokens[i]}" in ${d}`);
    }
  }
  return polygons;
}

/** Is the pixel centre (px, py) inside the polygons under the fill rule? */
function inside(polygons, px, py, evenOdd) {
  let winding = 0;
  let crossings = 0;
  for (const polygon of polygons) {
    for (let i = 0; i < polygon.length; i++) {
      const [x0, y0] = polygon[i];
      const [x1, y1] = polygon[(i + 1) % polygon.length];
      if (x0 !== x1 || x0 <= px) {
        continue; // only vertical edges right of the centre cross the ray
      }
      if (y0 <= py && y1 > py) {
        winding += 1;
        crossings += 1;
      } else if (y1 <= py && y0 > py) {
        winding -= 1;
        crossings += 1;
      }
    }
  }
  return evenOdd ? crossings % 2 === 1 : winding !== 0;
}

function parseColor(value) {
  let hex = value.replace('#', '');
  if (hex.length === 3) {
    hex = [...hex].map(c => c + c).join('');
  }
  return [0, 2, 4].map(i => parseInt(hex.slice(i, i + 2), 16) / 255);
}

/** Premultiplied RGBA float layer. */
const layer = () => new Float32Array(SIZE * SIZE * 4);

function over(dst, i, rgb, alpha) {
  for (let c = 0; c < 3; c++) {
    dst[i + c] = rgb[c] * alpha + dst[i + c] * (1 - alpha);
  }
  dst[i + 3] = alpha + dst[i + 3] * (1 - alpha);
}

function drawChildren(node, target, inherited, masks) {
  for (const child of node.children) {
    drawNode(child, target, inherited, masks);
  }
}

function drawNode(node, target, inherited, masks) {
  const style = { ...inherited };
  for (const key of ['fill', 'fill-rule']) {
    if (node.attrs[key] !== undefined) {
      style[key] = node.attrs[key];
    }
  }
  const opacity =
    Number(node.attrs.opacity ?? 1) * Number(node.attrs['fill-opacity'] ?? 1);
  switch (node.tag) {
    case 'mask':
      masks.set(node.attrs.id, node);
      return;
    case 'g':
    case 'svg': {
      const maskRef = node.attrs.mask?.match(/url\(#(.+)\)/)?.[1];
      if (!maskRef) {
        drawChildren(node, target, style, masks);
        return;
      }
      // Draw the group alone, then composite it through the mask's
      // luminance × alpha (mask-type luminance, SVG's default).
      const group = layer();
      drawChildren(node, group, style, masks);
      const maskLayer = layer();
      drawChildren(masks.get(maskRef), maskLayer, { fill: '#000' }, masks);
      for (let i = 0; i < SIZE * SIZE * 4; i += 4) {
        const luminance =
          0.2125 * maskLayer[i] +
          0.7154 * maskLayer[i + 1] +
          0.0721 * maskLayer[i + 2]; // premultiplied: already × alpha
        const a = group[i + 3] * luminance;
        if (a > 0) {
          const rgb = [0, 1, 2].map(c => group[i + c] / group[i + 3]);
          over(target, i, rgb, a);
        }
      }
      return;
    }
    case 'rect':
    case 'path': {
      const fill = style.fill;
      if (!fill || fill === 'none') {
        return;
      }
      let polygons;
      if (node.tag === 'rect') {
        const x = Number(node.attrs.x ?? 0);
        const y = Number(node.attrs.y ?? 0);
        const w = Number(node.attrs.width);
        const h = Number(node.attrs.height);
        polygons = [
          [
            [x, y],
            [x + w, y],
            [x + w, y + h],
            [x, y + h]
          ]
        ];
      } else {
        polygons = pathPolygons(node.attrs.d);
      }
      const rgb = parseColor(fill);
      const evenOdd = style['fill-rule'] === 'evenodd';
      for (let py = 0; py < SIZE; py++) {
        for (let px = 0; px < SIZE; px++) {
          if (inside(polygons, px + 0.5, py + 0.5, evenOdd)) {
            over(target, (py * SIZE + px) * 4, rgb, opacity);
          }
        }
      }
      return;
    }
    default:
      drawChildren(node, target, style, masks);
  }
}

export function rasterise(svgText) {
  const svg = parseSvg(svgText);
  const target = layer();
  drawNode(svg, target, { fill: svg.attrs.fill }, new Map());
  const rgb = new Uint8Array(SIZE * SIZE * 3);
  for (let p = 0; p < SIZE * SIZE; p++) {
    for (let c = 0; c < 3; c++) {
      // Backgrounds are opaque, so premultiplied RGB is the colour itself.
      rgb[p * 3 + c] = Math.round(Math.min(1, target[p * 4 + c]) * 255);
    }
  }
  return rgb;
}

function main() {
  const count = Number(process.argv[2] ?? 10000);
  const outDir = path.join(here, 'data');
  fs.mkdirSync(outDir, { recursive: true });
  const pixels = new Uint8Array(count * SIZE * SIZE * 3);
  const started = Date.now();
  for (let i = 0; i < count; i++) {
    const svg = createAvatar(pixelArt, {
      seed: `jupyterlab-ocean-${i}`,
      backgroundColor: BACKGROUNDS
    }).toString();
    pixels.set(rasterise(svg), i * SIZE * SIZE * 3);
  }
  const base = path.join(outDir, `pixel-art-${count}`);
  fs.writeFileSync(`${base}.u8`, pixels);
  fs.writeFileSync(
    `${base}.json`,
    JSON.stringify(
      {
        count,
        height: SIZE,
        width: SIZE,
        channels: 3,
        layout: 'NHWC uint8',
        source: '@dicebear/pixel-art (design CC0 1.0, code MIT)',
        seeds: `jupyterlab-ocean-0 … jupyterlab-ocean-${count - 1}`,
        backgrounds: BACKGROUNDS
      },
      null,
      2
    )
  );
  console.log(
    `rendered ${count} avatars in ${Date.now() - started} ms → ${base}.u8`
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main();
}
