// `npm run train:gan`: render the CC0 training set, then train the generator
// with Debian's python3-torch on the CPU and export gan/model/. Not part of
// `npm test`: the shipped model is committed, training only reproduces it.
// Fixed seeds and a fixed epoch count make a rerun produce the same figures
// (to float rounding of the torch build).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const IMAGES = 10000;

function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    cwd: here,
    ...options
  });
  if (result.status !== 0) {
    console.error(`train:gan: \`${command} ${args.join(' ')}\` failed.`);
    process.exit(result.status ?? 1);
  }
}

if (!fs.existsSync(path.join(here, 'node_modules', '@dicebear', 'pixel-art'))) {
  run('npm', ['install', '--no-audit', '--no-fund']);
}

const torch = spawnSync(PYTHON, ['-c', 'import torch, PIL, numpy'], {
  stdio: 'ignore'
});
if (torch.status !== 0) {
  if (process.getuid?.() === 0) {
    console.log('train:gan: installing Debian python3-torch (training only)');
    run('apt-get', [
      'install',
      '-y',
      'python3-torch',
      'python3-pil',
      'python3-numpy'
    ]);
  } else {
    console.error(
      'train:gan: needs Debian python3-torch, python3-pil and python3-numpy: sudo apt-get install -y python3-torch python3-pil python3-numpy'
    );
    process.exit(1);
  }
}

const dataset = path.join(here, 'data', `pixel-art-${IMAGES}.u8`);
if (!fs.existsSync(dataset)) {
  run(process.execPath, ['render-dataset.mjs', String(IMAGES)]);
}

// nice: the machine is shared; training is the least urgent thing on it.
run('nice', [
  '-n',
  '10',
  PYTHON,
  'train.py',
  '--data',
  dataset,
  ...process.argv.slice(2)
]);
