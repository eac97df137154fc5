#!/usr/bin/env node
// Builds the lab host: a real JupyterLab frontend (the release pinned by
// lab/package.json, generated from @jupyterlab/core-meta) bundled with rspack
// and module federation, so prebuilt extensions load exactly as they do in a
// pip-installed JupyterLab.
//
//   node lab/build.mjs           production build (minimized)
//   node lab/build.mjs --dev     development build (fast, source maps)
//   node lab/build.mjs --force   rebuild even if nothing changed
//
// Output, all in lab/static/ (gitignored), read by lab/server.py:
//   app/            the bundles (served as the server's static files)
//   templates/      index.html, the page jupyterlab_server renders
//   schemas/        settings schemas of the core extensions
//   themes/         the light and dark themes' CSS
//   labextensions/  @jupyter-widgets/jupyterlab-manager, built as a prebuilt
//                   extension (npm ships none), always loaded by server.py
//   build-stamp.json  what was built from what; an unchanged input skips the build
//
// Steps run only when needed: `npm ci` when lab/package.json or its lockfile
// changed since the last install, the bundling when any input changed.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const labDir = dirname(fileURLToPath(import.meta.url));
const staticDir = join(labDir, 'static');
const workDir = join(labDir, 'build');
const stampFile = join(staticDir, 'build-stamp.json');
const installStampFile = join(labDir, 'node_modules', '.lab-host-install.json');
const WIDGET_MANAGER = '@jupyter-widgets/jupyterlab-manager';

const args = new Set(process.argv.slice(2));
for (const arg of args) {
  if (!['--dev', '--force'].includes(arg)) {
    console.error(`lab/build: unknown argument ${arg} (use --dev, --force)`);
    process.exit(2);
  }
}
const mode = args.has('--dev') ? 'development' : 'production';
const started = performance.now();
const seconds = since => ((performance.now() - since) / 1000).toFixed(1) + ' s';

function sha256(...parts) {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function fileOrEmpty(path) {
  return existsSync(path) ? readFileSync(path) : '';
}

// ---------------------------------------------------------------- install

function installKey() {
  return sha256(
    readFileSync(join(labDir, 'package.json')),
    fileOrEmpty(join(labDir, 'package-lock.json'))
  );
}

function ensureInstalled() {
  const key = installKey();
  if (existsSync(installStampFile) && readJson(installStampFile).key === key) {
    return false;
  }
  const since = performance.now();
  const hasLock = existsSync(join(labDir, 'package-lock.json'));
  const npmArgs = [hasLock ? 'ci' : 'install', '--no-audit', '--no-fund'];
  console.log(`lab/build: npm ${npmArgs.join(' ')} in lab/ ...`);
  const result = spawnSync('npm', npmArgs, { cwd: labDir, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(
      `lab/build: npm ${npmArgs[0]} failed (exit ${result.status})`
    );
    process.exit(1);
  }
  // `npm install` writes the lockfile, so the key is taken again.
  writeFileSync(installStampFile, JSON.stringify({ key: installKey() }) + '\n');
  console.log(`lab/build: dependencies installed in ${seconds(since)}`);
  return true;
}

// ---------------------------------------------------------------- stamp

function buildKey() {
  const appDir = join(labDir, 'app');
  const appFiles = readdirSync(appDir)
    .sort()
    .map(name => readFileSync(join(appDir, name)));
  return sha256(
    mode,
    installKey(),
    readFileSync(fileURLToPath(import.meta.url)),
    ...appFiles
  );
}

function isUpToDate(key) {
  if (args.has('--force') || !existsSync(stampFile)) return false;
  const stamp = readJson(stampFile);
  return (
    stamp.key === key &&
    existsSync(join(staticDir, 'templates', 'index.html')) &&
    existsSync(join(staticDir, 'labextensions', WIDGET_MANAGER, 'package.json'))
  );
}

// ---------------------------------------------------------------- build

async function build(outDir) {
  // Resolve everything from lab/node_modules, never the root one.
  const require = createRequire(join(labDir, 'package.json'));
  const { rspack } = require('@rspack/core');
  const { Build } = require('@jupyter/builder');
  const baseConfig = require('@jupyter/builder/lib/webpack.config.base');

  const labPackage = readJson(join(labDir, 'package.json'));
  const corePath = require.resolve('@jupyterlab/core-meta/core.package.json');
  const core = readJson(corePath);
  const { extensions, mimeExtensions, singletonPackages } = core.jupyterlab;
  const corePackages = [
    ...Object.keys(mimeExtensions),
    ...Object.keys(extensions)
  ].filter((name, index, all) => all.indexOf(name) === index);

  // Sources of the entry point: copied app files plus generated lists.
  const appSrc = join(workDir, 'app');
  rmSync(appSrc, { recursive: true, force: true });
  mkdirSync(appSrc, { recursive: true });
  for (const name of readdirSync(join(labDir, 'app'))) {
    cpSync(join(labDir, 'app', name), join(appSrc, name));
  }
  const loaderList = entries =>
    Object.entries(entries)
      .map(
        ([name, subpath]) =>
          `    { name: ${JSON.stringify(name)}, load: () => import(${JSON.stringify(subpath ? `${name}/${subpath}` : name)}) }`
      )
      .join(',\n');
  writeFileSync(
    join(appSrc, 'index.js'),
    `// Generated by lab/build.mjs from @jupyterlab/core-meta ${core.version}.
import './style.js';
import { startLab } from './main.js';

export function main() {
  return startLab({
    mimeExtensions: [
${loaderList(mimeExtensions)}
    ],
    extensions: [
${loaderList(extensions)}
    ]
  });
}
`
  );

  // Schemas and themes of the core packages, and style.js (their CSS), the
  // same assets JupyterLab's own staging build gathers.
  const themeConfigs = Build.ensureAssets({
    packageNames: corePackages,
    output: appSrc,
    schemaOutput: outDir,
    themeOutput: outDir
  });

  // Everything a core package may need is shared, so a prebuilt extension
  // gets the very same module instead of a second copy.
  const shared = {};
  for (const [name, range] of Object.entries(core.resolutions)) {
    shared[name] = { requiredVersion: range };
  }
  for (const name of corePackages) {
    const data = require(`${name}/package.json`);
    shared[name] ??= { requiredVersion: `~${data.version}` };
    for (const [dependency, range] of Object.entries(data.dependencies ?? {})) {
      shared[dependency] ??= { requiredVersion: range };
    }
  }
  for (const name of singletonPackages) {
    shared[name] = { ...(shared[name] ?? {}), singleton: true };
  }

  const production = mode === 'production';
  const appOut = join(outDir, 'app');
  const appConfig = {
    ...baseConfig,
    name: 'lab',
    mode,
    context: labDir,
    entry: { main: join(appSrc, 'bootstrap.js') },
    output: {
      path: appOut,
      // Set at run time from the page config (bootstrap.js).
      publicPath: 'auto',
      filename: production ? '[name].[contenthash].js' : '[name].js',
      chunkFilename: production ? '[name].[contenthash].js' : '[id].js',
      hashFunction: 'xxhash64'
    },
    resolve: {
      ...baseConfig.resolve,
      modules: [join(labDir, 'node_modules'), 'node_modules']
    },
    resolveLoader: { modules: [join(labDir, 'node_modules'), 'node_modules'] },
    devtool: production ? false : 'eval-cheap-module-source-map',
    optimization: {
      minimize: production,
      moduleIds: production ? 'deterministic' : 'named'
    },
    performance: { hints: false },
    infrastructureLogging: { level: 'error' },
    plugins: [
      ...baseConfig.plugins,
      new rspack.container.ModuleFederationPluginV1({
        name: 'CORE_FEDERATION',
        library: {
          type: 'var',
          name: ['_JUPYTERLAB', 'CORE_LIBRARY_FEDERATION']
        },
        shared
      })
    ]
  };
  const themes = themeConfigs.map(config => ({
    ...config,
    resolveLoader: { modules: [join(labDir, 'node_modules'), 'node_modules'] },
    infrastructureLogging: { level: 'error' }
  }));

  const bundleSince = performance.now();
  const stats = await new Promise((resolve, reject) => {
    const compiler = rspack([appConfig, ...themes]);
    compiler.run((error, result) => {
      compiler.close(() => (error ? reject(error) : resolve(result)));
    });
  });
  const info = stats.toJson({
    all: false,
    errors: true,
    warnings: true,
    entrypoints: true,
    assets: true
  });
  if (stats.hasErrors()) {
    for (const child of info.children ?? [info]) {
      for (const error of child.errors ?? []) console.error(error.message);
    }
    throw new Error('LAB_BUILD_BUNDLE: rspack reported errors (above)');
  }
  const labInfo = info.children?.find(child => child.name === 'lab') ?? info;
  const warnings = (labInfo.warnings ?? []).length;
  if (process.env.LAB_BUILD_VERBOSE) {
    for (const warning of labInfo.warnings ?? []) console.warn(warning.message);
  }
  const mainFiles = labInfo.entrypoints.main.assets
    .map(asset => asset.name)
    .filter(name => name.endsWith('.js'));
  let bytes = 0;
  for (const asset of labInfo.assets ?? []) bytes += asset.size;
  console.log(
    `lab/build: bundled JupyterLab ${core.version} (${mode}) in ${seconds(bundleSince)}: ` +
      `${(labInfo.assets ?? []).length} files, ${(bytes / 1048576).toFixed(1)} MiB` +
      (warnings
        ? `, ${warnings} warning(s) (LAB_BUILD_VERBOSE=1 shows them)`
        : '')
  );

  // The page jupyterlab_server renders (Jinja): page config, then the entry.
  mkdirSync(join(outDir, 'templates'), { recursive: true });
  const scripts = mainFiles
    .map(
      name =>
        `    <script defer src="{{ page_config.fullStaticUrl | e }}/${name}"></script>`
    )
    .join('\n');
  writeFileSync(
    join(outDir, 'templates', 'index.html'),
    `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>{{ page_config['appName'] | e }}</title>
    {% set page_config_full = page_config.copy() %}
    {% set _ = page_config_full.update(baseUrl=base_url, wsUrl=ws_url) %}
    <script id="jupyter-config-data" type="application/json">
      {{ page_config_full | tojson }}
    </script>
${scripts}
  </head>
  <body>
    <script>
      // The token is in the session cookie now; keep it out of the address bar.
      (function () {
        const url = new URL(window.location.href);
        if (url.searchParams.has('token')) {
          url.searchParams.delete('token');
          window.history.replaceState({}, '', url.href);
        }
      })();
    </script>
  </body>
</html>
`
  );
  // jupyterlab_server's app metadata (name, version, extensions) lives here
  // in a pip-installed JupyterLab.
  writeFileSync(
    join(appOut, 'package.json'),
    JSON.stringify({ ...core, jupyterlab: { ...core.jupyterlab } }, null, 2) +
      '\n'
  );

  // The widget manager as a prebuilt extension, built the way
  // `jupyter labextension build` would: into its own outputDir, then copied.
  const widgetSince = performance.now();
  const widgetPackageDir = dirname(
    require.resolve(`${WIDGET_MANAGER}/package.json`)
  );
  const builderCli =
    require.resolve('@jupyter/builder/lib/build-labextension.js');
  const builderArgs = [builderCli, '--core-package-file', corePath];
  if (!production) builderArgs.push('--development');
  builderArgs.push(widgetPackageDir);
  const built = spawnSync(process.execPath, builderArgs, {
    cwd: labDir,
    encoding: 'utf8'
  });
  if (built.status !== 0) {
    console.error(built.stdout, built.stderr);
    throw new Error(`LAB_BUILD_WIDGETS: building ${WIDGET_MANAGER} failed`);
  }
  const widgetOut = join(outDir, 'labextensions', WIDGET_MANAGER);
  mkdirSync(dirname(widgetOut), { recursive: true });
  cpSync(
    join(
      widgetPackageDir,
      readJson(join(widgetPackageDir, 'package.json')).jupyterlab.outputDir
    ),
    widgetOut,
    {
      recursive: true
    }
  );
  console.log(
    `lab/build: built ${WIDGET_MANAGER}@${readJson(join(widgetOut, 'package.json')).version} as a prebuilt extension in ${seconds(widgetSince)}`
  );
  return {
    version: core.version,
    versionOfManager: labPackage.dependencies[WIDGET_MANAGER]
  };
}

// ---------------------------------------------------------------- main

const installed = ensureInstalled();
const key = buildKey();
if (!installed && isUpToDate(key)) {
  console.log(
    `lab/build: up to date (${mode}), nothing to do (${seconds(started)}); --force rebuilds`
  );
  process.exit(0);
}

// Build next to the live folder and swap, so a server reading lab/static
// never sees a half-written tree.
const nextDir = join(labDir, 'static.next');
rmSync(nextDir, { recursive: true, force: true });
mkdirSync(nextDir, { recursive: true });
try {
  const result = await build(nextDir);
  writeFileSync(
    join(nextDir, 'build-stamp.json'),
    JSON.stringify(
      {
        key,
        mode,
        jupyterlab: result.version,
        builtAt: new Date().toISOString()
      },
      null,
      2
    ) + '\n'
  );
} catch (error) {
  console.error(`lab/build: ${error.message}`);
  rmSync(nextDir, { recursive: true, force: true });
  process.exit(1);
}
const oldDir = join(labDir, 'static.old');
rmSync(oldDir, { recursive: true, force: true });
if (existsSync(staticDir)) renameSync(staticDir, oldDir);
renameSync(nextDir, staticDir);
rmSync(oldDir, { recursive: true, force: true });
console.log(
  `lab/build: done in ${seconds(started)} -> ${relative(process.cwd(), staticDir) || '.'}`
);
