// `npm test`: set-up if missing, then every check the project has, in the
// order that fails fastest. Each step runs even if an earlier one failed,
// so one run shows everything that is wrong; the exit code is non-zero if
// any step failed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root, setup } from './setup.mjs';

const only = process.argv.slice(2);

/** Each step: a name and the command that runs it, when its files exist. */
const steps = [
  { name: 'typecheck', command: ['npm', 'run', '--silent', 'typecheck'] },
  { name: 'lint', command: ['npm', 'run', '--silent', 'lint'] },
  { name: 'unit', command: ['npm', 'run', '--silent', 'test:unit'] },
  {
    // The venv holds exactly the lock; the lab's kernel runs from it.
    name: 'venv',
    command: [process.execPath, 'scripts/test-venv.mjs']
  },
  {
    name: 'stack',
    when: () => fs.existsSync(path.join(root, 'stack', 'test')),
    command: ['npm', '--prefix', 'stack', 'run', '--silent', 'test']
  },
  {
    // The extension's client against the stack: the one place using both.
    name: 'integration',
    when: () => fs.existsSync(path.join(root, 'test', 'integration')),
    command: ['npm', 'run', '--silent', 'test:integration']
  },
  {
    name: 'packaging',
    command: [process.execPath, 'scripts/test-packaging.mjs'],
    when: () => fs.existsSync(path.join(root, 'scripts', 'test-packaging.mjs'))
  },
  {
    // The Hugging Face Space's Dockerfile steps, run outside Docker.
    name: 'spaces',
    command: [process.execPath, 'scripts/test-spaces.mjs'],
    when: () => fs.existsSync(path.join(root, 'Dockerfile'))
  },
  { name: 'ui', command: ['npm', 'run', '--silent', 'test:ui'] }
];

setup();

const results = [];
for (const step of steps) {
  if (only.length && !only.includes(step.name)) {
    continue;
  }
  if (step.when && !step.when()) {
    console.log(`\n=== ${step.name}: nothing to run yet`);
    continue;
  }
  console.log(`\n=== ${step.name}: ${step.command.join(' ')}`);
  const started = Date.now();
  const [command, ...args] = step.command;
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: process.env
  });
  const seconds = (Date.now() - started) / 1000;
  results.push({ name: step.name, ok: result.status === 0, seconds });
  console.log(
    `=== ${step.name}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${seconds.toFixed(1)} s`
  );
}

console.log('\nSummary:');
for (const result of results) {
  console.log(
    `  ${result.ok ? 'ok    ' : 'FAILED'} ${result.name} (${result.seconds.toFixed(1)} s)`
  );
}
const failed = results.filter(result => !result.ok).length;
console.log(`steps: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
