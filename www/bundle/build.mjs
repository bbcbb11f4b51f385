// Builds the browser bundles the tutorial pages load: kurento-client.js (global
// `kurentoClient`), kurento-utils.js (global `kurentoUtils`) and kurento-module-chroma.js (global
// `kurentoModuleChroma`, for `kurentoClient.register(kurentoModuleChroma)`), UMD bundles made by
// browserify from the npm packages pinned in package-lock.json (browserify supplies the Node
// built-ins they use: events, url, domain). Usage: node build.mjs <output folder>
// Run by the CMake target `www_bundles` (www/CMakeLists.txt) after `npm ci`.
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const browserify = require('browserify');

const outDir = path.resolve(process.argv[2] || 'dist');
fs.mkdirSync(outDir, { recursive: true });

// A module package (kurento-module-chroma) extends the kurento-client it requires: in its bundle
// that require is the page's kurentoClient global, loaded before it, not a second copy.
function clientFromPage() {
  let text = '';
  return new Transform({
    transform(chunk, encoding, done) { text += chunk; done(); },
    flush(done) { this.push(text.replace(/require\((['"])kurento-client\1\)/g, 'globalThis.kurentoClient')); done(); },
  });
}

const bundles = [
  { module: 'kurento-client', global: 'kurentoClient' },
  { module: 'kurento-utils', global: 'kurentoUtils' },
  { module: 'kurento-module-chroma', global: 'kurentoModuleChroma', usesClient: true },
];

function bundle({ module, global, usesClient }) {
  const version = require(`${module}/package.json`).version;
  const b = browserify(require.resolve(module), { standalone: global });
  if (usesClient) b.transform(clientFromPage, { global: true });
  return new Promise((resolve, reject) => {
    b.bundle((err, buf) => {
      if (err) return reject(err);
      const banner = `/* ${module} ${version} for the browser (global ${global}), built by Pipewright's ` +
        `www/bundle/build.mjs with browserify. License: see the ${module} package (Apache-2.0). */\n`;
      const file = path.join(outDir, `${module}.js`);
      // Written under a temporary name and renamed: a half-written bundle is never served.
      fs.writeFileSync(`${file}.tmp`, banner + buf.toString('utf8'));
      fs.renameSync(`${file}.tmp`, file);
      resolve(`${file} (${Math.round(buf.length / 1024)} KiB)`);
    });
  });
}

for (const b of bundles) console.log(`bundle: ${await bundle(b)}`);
