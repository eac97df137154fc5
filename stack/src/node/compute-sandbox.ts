/**
 * The sandbox a compute-to-data algorithm runs in: a Deno subprocess that may read only the
 * job's inputs and its own code, write only its output folder, and nothing else — no network,
 * no environment, no subprocesses, no FFI — under a wall-time and a memory limit.
 *
 * Two layers, because Deno's permission flags alone do not cover module loading: `import()` of
 * a local .js or .json file is not checked against --allow-read, so an algorithm could read any
 * JSON or JS file on the host that way. Where Linux user namespaces are available (they are on
 * this project's machines) the process therefore also runs in fresh user, mount, network and PID
 * namespaces, chrooted into an empty tmpfs that holds only the deno binary, the few shared
 * libraries it links, the inputs (read-only), the algorithm (read-only) and the outputs folder:
 * the rest of the host's file system is simply not there, and the network namespace has no
 * interface to reach anything. Without namespaces the engine falls back to Deno's permissions
 * only and says so (`isolation: 'deno-permissions'`).
 *
 * Limits: the wall clock is enforced here (SIGKILL to the whole process group); memory by V8's
 * heap cap, an RSS watchdog polling /proc, and RLIMIT_DATA as a backstop (V8 needs ~600 MB of
 * address space just to start, so RLIMIT_DATA cannot be the tight limit); output file size by
 * RLIMIT_FSIZE; CPU time by RLIMIT_CPU.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  readFileSync,
  readdirSync
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Isolation = 'namespaces' | 'deno-permissions';

export interface SandboxLimits {
  /** Wall-clock limit, in milliseconds. */
  wallTimeMs: number;
  /** Resident memory of the algorithm process, in bytes. */
  memoryBytes: number;
  /** Largest single output file, in bytes. */
  maxFileBytes: number;
  /** Largest algorithm log kept (stdout + stderr), in bytes. */
  maxLogBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  wallTimeMs: 60_000,
  memoryBytes: 256 * 1024 * 1024,
  maxFileBytes: 64 * 1024 * 1024,
  maxLogBytes: 1024 * 1024
};

export interface SandboxJob {
  /** Holds one folder per dataset, each holding that dataset's files named 0, 1, ... */
  inputsDir: string;
  /** Holds the algorithm file (and nothing the algorithm should not read). */
  algorithmDir: string;
  /** File name of the algorithm inside algorithmDir (algorithm.js or algorithm.ts). */
  algorithmFile: string;
  outputsDir: string;
  /** Where stdout and stderr of the algorithm go (truncated at maxLogBytes). */
  logFile: string;
  /** An empty folder the namespace sandbox mounts its private root on. */
  rootDir: string;
  limits: SandboxLimits;
}

export type SandboxEnd =
  'completed' | 'failed' | 'timeout' | 'memory' | 'stopped' | 'error';

export interface SandboxOutcome {
  end: SandboxEnd;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** Highest RSS seen by the watchdog, in bytes (0 where /proc is unavailable). */
  peakRssBytes: number;
  /** One sentence for the job's status text and the configuration log. */
  message: string;
}

export interface SandboxRunning {
  pid: number | undefined;
  done: Promise<SandboxOutcome>;
  stop(): void;
}

const here = dirname(fileURLToPath(import.meta.url));

/** The deno binary: OCEAN_NODE_DENO, the npm `deno` package's binary in this repo, or PATH. */
export function findDeno(): string | undefined {
  const explicit = process.env.OCEAN_NODE_DENO;
  if (explicit) return existsSync(explicit) ? resolve(explicit) : undefined;
  const roots = [resolve(here, '..', '..', '..'), resolve(here, '..', '..')];
  for (const root of roots) {
    const scope = join(root, 'node_modules', '@deno');
    if (!existsSync(scope)) continue;
    for (const name of readdirSync(scope)) {
      for (const candidate of [
        join(scope, name, 'deno'),
        join(scope, name, 'bin', 'deno')
      ])
        if (existsSync(candidate)) return candidate;
    }
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'deno');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

function which(tool: string): string | undefined {
  for (const dir of SYSTEM_PATH.split(':')) {
    const candidate = join(dir, tool);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

let isolationCache: Isolation | undefined;

/**
 * Whether this host lets us build the namespace sandbox. OCEAN_NODE_SANDBOX=permissions forces
 * the weaker mode (for hosts where user namespaces are forbidden and the probe would be noisy).
 */
export function detectIsolation(): Isolation {
  if (isolationCache) return isolationCache;
  if (process.env.OCEAN_NODE_SANDBOX === 'permissions') {
    isolationCache = 'deno-permissions';
    return isolationCache;
  }
  const tools = ['unshare', 'mount', 'chroot', 'sh'].every(which);
  const probe = tools
    ? spawnSync(
        which('unshare')!,
        [
          '--user',
          '--map-root-user',
          '--mount',
          '--net',
          '--pid',
          '--fork',
          'sh',
          '-c',
          'mount -t tmpfs tmpfs /mnt 2>/dev/null || mount -t tmpfs tmpfs /tmp'
        ],
        { timeout: 5000, stdio: 'ignore', env: { PATH: SYSTEM_PATH } }
      )
    : undefined;
  isolationCache = probe?.status === 0 ? 'namespaces' : 'deno-permissions';
  return isolationCache;
}

/** Shared libraries the deno binary links (from ldd), to be the only ones in the sandbox. */
function linkedLibraries(deno: string): string[] {
  const ldd = which('ldd');
  if (!ldd) return [];
  const result = spawnSync(ldd, [deno], { encoding: 'utf8', timeout: 5000 });
  const libraries = new Set<string>();
  for (const match of (result.stdout ?? '').matchAll(/(\/[^\s)]+)/g))
    if (existsSync(match[1])) libraries.add(match[1]);
  return [...libraries];
}

const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/** Deno's own flags: the permission set is the same in both modes, only the paths differ. */
function denoArguments(
  paths: { inputs: string; algorithm: string; outputs: string; code: string },
  limits: SandboxLimits
): string[] {
  const heapMb = Math.max(16, Math.floor(limits.memoryBytes / (1024 * 1024)));
  return [
    'run',
    '--no-prompt',
    '--no-config',
    '--no-lock',
    '--no-npm',
    '--no-remote',
    '--cached-only',
    `--allow-read=${paths.inputs},${paths.algorithm}`,
    `--allow-write=${paths.outputs}`,
    `--v8-flags=--max-old-space-size=${heapMb}`,
    paths.code,
    paths.inputs,
    paths.outputs
  ];
}

/**
 * The shell script run inside the new namespaces: a private tmpfs root with read-only bind
 * mounts of exactly what the algorithm may see, resource limits, then chroot + exec deno.
 */
function namespaceScript(
  deno: string,
  job: SandboxJob,
  libraries: string[]
): string {
  const limits = job.limits;
  const root = job.rootDir;
  const lines = [
    'set -e',
    `R=${quote(root)}`,
    'mount -t tmpfs -o size=8m,mode=755 tmpfs "$R"',
    'mkdir -p "$R/data/inputs" "$R/data/transformations" "$R/data/outputs" "$R/dev" "$R/tmp"',
    'bind_ro() { mkdir -p "$(dirname "$R$2")"; if [ -d "$1" ]; then mkdir -p "$R$2"; else touch "$R$2"; fi; mount --bind "$1" "$R$2"; mount -o remount,bind,ro "$R$2"; }'
  ];
  for (const library of libraries)
    lines.push(`bind_ro ${quote(library)} ${quote(library)}`);
  lines.push(
    `bind_ro ${quote(deno)} /deno`,
    `bind_ro ${quote(job.inputsDir)} /data/inputs`,
    `bind_ro ${quote(job.algorithmDir)} /data/transformations`,
    `mount --bind ${quote(job.outputsDir)} "$R/data/outputs"`,
    'touch "$R/dev/null"; mount --bind /dev/null "$R/dev/null"',
    ...ulimitLines(limits),
    `cd "$R"`,
    `exec chroot "$R" /deno ${denoArguments(
      {
        inputs: '/data/inputs',
        algorithm: '/data/transformations',
        outputs: '/data/outputs',
        code: `/data/transformations/${job.algorithmFile}`
      },
      limits
    )
      .map(quote)
      .join(' ')}`
  );
  return lines.join('\n');
}

function ulimitLines(limits: SandboxLimits): string[] {
  // dash's ulimit: -d in KiB, -f in 512-byte blocks, -t in seconds.
  const dataKib = Math.floor(limits.memoryBytes / 1024) + 700 * 1024;
  return [
    `ulimit -d ${dataKib}`,
    `ulimit -f ${Math.max(1, Math.ceil(limits.maxFileBytes / 512))}`,
    `ulimit -t ${Math.ceil(limits.wallTimeMs / 1000) + 2}`
  ];
}

/** Sum of VmRSS over `pid` and its descendants, in bytes. */
function treeRss(pid: number): number {
  let total = 0;
  const stack = [pid];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    try {
      const status = readFileSync(`/proc/${current}/status`, 'utf8');
      const rss = /VmRSS:\s+(\d+)\s+kB/.exec(status);
      if (rss) total += Number(rss[1]) * 1024;
      const children = readFileSync(
        `/proc/${current}/task/${current}/children`,
        'utf8'
      )
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
      stack.push(...children);
    } catch {
      // the process ended between two reads
    }
  }
  return total;
}

const OOM_PATTERN =
  /out of memory|allocation failed|heap limit|Failed to reserve virtual memory/i;

/** Starts the algorithm; `done` resolves once it has ended, whatever the reason. */
export async function runInSandbox(job: SandboxJob): Promise<SandboxRunning> {
  const deno = findDeno();
  if (!deno) {
    return {
      pid: undefined,
      stop() {},
      done: Promise.resolve({
        end: 'error',
        exitCode: null,
        signal: null,
        durationMs: 0,
        peakRssBytes: 0,
        message:
          'The node has no deno binary (install the npm "deno" package or set OCEAN_NODE_DENO).'
      })
    };
  }
  await mkdir(job.outputsDir, { recursive: true });
  await mkdir(job.rootDir, { recursive: true });
  const isolation = detectIsolation();
  const env = {
    PATH: SYSTEM_PATH,
    HOME: '/tmp',
    DENO_DIR: '/tmp/deno',
    NO_COLOR: '1',
    DENO_NO_UPDATE_CHECK: '1'
  };
  const child =
    isolation === 'namespaces'
      ? spawn(
          which('unshare')!,
          [
            '--user',
            '--map-root-user',
            '--mount',
            '--net',
            '--pid',
            '--ipc',
            '--uts',
            '--fork',
            '--kill-child',
            'sh',
            '-c',
            namespaceScript(deno, job, linkedLibraries(deno))
          ],
          { cwd: job.rootDir, env, detached: true, stdio: 'pipe' }
        )
      : spawn(
          which('sh') ?? '/bin/sh',
          [
            '-c',
            [
              ...ulimitLines(job.limits),
              `exec ${quote(deno)} ${denoArguments(
                {
                  inputs: job.inputsDir,
                  algorithm: job.algorithmDir,
                  outputs: job.outputsDir,
                  code: join(job.algorithmDir, job.algorithmFile)
                },
                job.limits
              )
                .map(quote)
                .join(' ')}`
            ].join('\n')
          ],
          {
            cwd: job.rootDir,
            env: { ...env, DENO_DIR: join(job.rootDir, '.deno') },
            detached: true,
            stdio: 'pipe'
          }
        );
  child.stdin?.end();

  const log = createWriteStream(job.logFile);
  let logged = 0;
  let truncated = false;
  let tail = '';
  const capture = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
    if (logged >= job.limits.maxLogBytes) {
      if (!truncated) {
        truncated = true;
        log.write(
          '\n[log truncated: the algorithm wrote more than the limit]\n'
        );
      }
      return;
    }
    const room = job.limits.maxLogBytes - logged;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    logged += part.length;
    log.write(part);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);

  const started = performance.now();
  let forced: SandboxEnd | undefined;
  let peakRssBytes = 0;
  const killTree = (): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    forced ??= 'timeout';
    killTree();
  }, job.limits.wallTimeMs);
  const watchdog = setInterval(() => {
    if (child.pid === undefined) return;
    const rss = treeRss(child.pid);
    peakRssBytes = Math.max(peakRssBytes, rss);
    if (rss > job.limits.memoryBytes) {
      forced ??= 'memory';
      killTree();
    }
  }, 100);

  const done = new Promise<SandboxOutcome>(resolveDone => {
    let finished = false;
    const finish = (exitCode: number | null, signal: string | null): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearInterval(watchdog);
      const durationMs = Math.round(performance.now() - started);
      let end: SandboxEnd;
      if (forced) end = forced;
      else if (exitCode === 0) end = 'completed';
      else if (OOM_PATTERN.test(tail)) end = 'memory';
      else end = 'failed';
      const seconds = (job.limits.wallTimeMs / 1000).toString();
      const megabytes = Math.round(job.limits.memoryBytes / (1024 * 1024));
      const message = {
        completed: 'The algorithm finished.',
        failed: `The algorithm failed (exit code ${exitCode ?? signal}); see its log.`,
        timeout: `The algorithm was stopped: it ran longer than the ${seconds} s limit.`,
        memory: `The algorithm was stopped: it used more than the ${megabytes} MB memory limit.`,
        stopped: 'The job was stopped at the owner’s request.',
        error: 'The sandbox could not start the algorithm.'
      }[end];
      log.end(`\n[${message}]\n`, () =>
        resolveDone({
          end,
          exitCode,
          signal,
          durationMs,
          peakRssBytes,
          message
        })
      );
    };
    child.once('error', () => finish(null, null));
    child.once('close', (code, signal) => finish(code, signal));
  });

  return {
    pid: child.pid,
    done,
    stop() {
      forced ??= 'stopped';
      killTree();
    }
  };
}
