// Extra webpack settings for the labextension build (merged by
// @jupyterlab/builder through package.json "jupyterlab.webpackConfig").
//
// @oceanprotocol/lib pulls in Node-only code (jsonwebtoken, ddo-js' SHACL
// validation) that the browser paths never call: `fs` is stubbed and
// `stream` mapped to its browser port. JupyterLab's own base config already
// covers path, process, url, buffer and crypto. The lib itself is loaded
// with a dynamic import() (src/ocean/lib.ts), so it lands in chunks of its
// own and stays out of the start-up bundle.
module.exports = {
  resolve: {
    fallback: {
      fs: false,
      stream: require.resolve('stream-browserify'),
      // jws/jwa (via jsonwebtoken) call util.inherits when they load.
      util: require.resolve('util/')
    }
  }
};
