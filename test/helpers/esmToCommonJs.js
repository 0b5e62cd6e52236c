'use strict';
// A Jest transform for dependencies that ship ES modules only and read `import.meta.url`
// (@platformatic/kafka and its helpers): Node 20 require()s them, Jest's CommonJS runtime needs them
// turned into CommonJS, with `import.meta.url` as the file's own URL.
const { transformSync } = require('esbuild');
const { createHash } = require('node:crypto');

const IMPORT_META_URL = '__sdpImportMetaUrl';

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: 'js',
      format: 'cjs',
      target: 'node20',
      sourcefile: filename,
      sourcemap: true,
      define: { 'import.meta.url': IMPORT_META_URL },
      banner: `const ${IMPORT_META_URL} = require('node:url').pathToFileURL(__filename).href;`,
    });
    return { code, map };
  },
  getCacheKey(source, filename) {
    return createHash('sha256')
      .update('esmToCommonJs-1\0')
      .update(filename)
      .update('\0')
      .update(source)
      .digest('hex');
  },
};
