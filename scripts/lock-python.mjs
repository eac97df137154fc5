// `npm run lock:python`: regenerates requirements/*.txt from their .in files
// with pip-tools (exact versions of everything, and a hash for every file
// pip may download, so `pip install --require-hashes` checks each one).
// pip-tools runs from a throwaway venv: it is a tool for maintainers, not
// something the project's own venv carries.
//
//   npm run lock:python [-- requirements/matrix-lab-4.5.in ...]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { basePython, root, venvBin } from './lib/venv.mjs';

const PIP_TOOLS = 'pip-tools==7.6.2';

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` failed (exit ${result.status}).`
    );
  }
}

const inputs = process.argv.slice(2).length
  ? process.argv.slice(2)
  : fs
      .readdirSync(path.join(root, 'requirements'))
      .filter(name => name.endsWith('.in'))
      .map(name => path.join('requirements', name));
const tools = fs.mkdtempSync(path.join(os.tmpdir(), 'jlo-lock-'));
try {
  run(basePython(), ['-m', 'venv', tools]);
  run(venvBin('python', tools), ['-m', 'pip', 'install', '--quiet', PIP_TOOLS]);
  for (const input of inputs) {
    const output = input.replace(/\.in$/, '.txt');
    console.log(`lock:python: ${input} -> ${output}`);
    run(venvBin('pip-compile', tools), [
      '--quiet',
      '--generate-hashes',
      // pip and setuptools pinned too: nothing in the venv goes unlisted.
      '--allow-unsafe',
      '--strip-extras',
      '--no-header',
      '--upgrade',
      '--output-file',
      output,
      input
    ]);
  }
} finally {
  fs.rmSync(tools, { recursive: true, force: true });
}
