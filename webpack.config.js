// Extra webpack settings for the labextension build (merged by
// @jupyterlab/builder through package.json "jupyterlab.webpackConfig").
//
// @oceanprotocol/lib pulls in Node-only code (jsonwebtoken, ddo-js' SHACL
// validation) that the browser paths never call: `fs` is stubbed and
// `stream` mapped to its browser port. JupyterLab's own base config already
// covers path, process, url, buffer and crypto. The lib itself is loaded
// with a dynamic import() (src/ocean/lib.ts), so it lands in chunks of its
// own and stays out of the start-up bundle.
//
// A lab start fetches three files of ours: remoteEntry, the 'startup'
// chunk (the plugins and the CSS, see cacheGroups below) and the vault
// worker. The worker is one file because idb is not a shared module
// (package.json, jupyterlab.sharedPackages: "idb": false): a worker has
// no share scope, so a shared idb was a fallback chunk it fetched in a
// second round trip, and no other extension shares idb with us.
// A CommonJS file: webpack-merge loads it with require().
/* eslint-disable @typescript-eslint/no-require-imports */
const fs = require('fs');
const path = require('path');

/**
 * Writes build-modules.json beside the built labextension's package.json
 * (jupyterlab_ocean/labextension/): for each emitted file, the source
 * modules inside it (package names for node_modules, paths for our own
 * code). The start-up test (ui-tests/startup.spec.ts) reads it to name what
 * the files a fresh lab fetches contain; minified output keeps no names.
 */
class ModuleMapPlugin {
  apply(compiler) {
    compiler.hooks.done.tap('ModuleMapPlugin', stats => {
      const { compilation } = stats;
      const root = compiler.context;
      const nameOf = module => {
        const resource = module.resource;
        if (!resource) return null;
        const relative = path.relative(root, resource.split('?')[0]);
        // The last node_modules segment: the package the code belongs to.
        const packages = relative.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
        if (packages) {
          return packages[packages.length - 1].slice('node_modules/'.length);
        }
        return relative;
      };
      const files = {};
      for (const chunk of compilation.chunks) {
        const names = new Set();
        for (const module of compilation.chunkGraph.getChunkModulesIterable(
          chunk
        )) {
          for (const inner of module.modules ?? [module]) {
            const name = nameOf(inner);
            if (name) names.add(name);
          }
        }
        for (const file of chunk.files) {
          // Chunk names carry a ?v=<hash> query; the file has none.
          files[file.split('?')[0]] = [...names].sort();
        }
      }
      for (const asset of compilation.getAssets()) {
        const source = asset.info.sourceFilename;
        if (source && !files[asset.name]) {
          files[asset.name] = [source];
        }
      }
      // Beside the labextension's package.json: a copy of the build
      // (JLO_LABEXTENSION_DIR) carries the map that names its own files.
      const out = path.join(compiler.outputPath, '..', 'build-modules.json');
      fs.writeFileSync(out, JSON.stringify({ files }, null, 1) + '\n');
    });
  }
}

/**
 * The chunks JupyterLab asks for at start-up: the container's exposed
 * modules ('./index' and './extension', the plugins; './style', the CSS).
 * Their chunk groups are opened by the container entry itself.
 */
function isExposed(chunk) {
  for (const group of chunk.groupsIterable) {
    for (const origin of group.origins) {
      if (origin.module?.constructor?.name === 'ContainerEntryModule') {
        return true;
      }
    }
  }
  return false;
}

module.exports = {
  plugins: [new ModuleMapPlugin()],
  optimization: {
    splitChunks: {
      cacheGroups: {
        // What a lab start fetches after remoteEntry, as one file: the
        // plugins and the CSS were two requests to the same server, side
        // by side with the lab's own start-up requests. JupyterLab still
        // gets './extension' and './style' separately; both resolve to
        // this chunk (and the CSS is still applied only by './style').
        startup: {
          name: 'startup',
          chunks: isExposed,
          minChunks: 1,
          minSize: 0,
          priority: 100,
          enforce: true
        }
      }
    }
  },
  resolve: {
    fallback: {
      fs: false,
      stream: require.resolve('stream-browserify'),
      // jws/jwa (via jsonwebtoken) call util.inherits when they load.
      util: require.resolve('util/')
    }
  }
};
