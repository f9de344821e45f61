#!/usr/bin/env node
// Serves the built Carrack web app (web/dist) together with what it reads at run time:
//
//   /carrack/manifest.json              the carrack-deploy manifest (re-read on every request,
//                                        so a redeployed devnet is picked up by a page reload)
//   /carrack/metadata/<bundle>.json     each contract's ink! metadata, taken from the release
//                                        bundles (<bundles>/<bundle>/<bundle>.contract, wasm
//                                        stripped) once at start-up
//
//   node web/server.mjs --manifest .devnet/manifest.json --bundles <dir> [--port 8080]
//                       [--host 127.0.0.1] [--dist web/dist]
//
// Prints `Carrack web app: http://HOST:PORT/` once listening. No dependencies.

import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const out = { port: '8080', host: '127.0.0.1', dist: join(HERE, 'dist') };
  for (let i = 0; i < argv.length; i += 1) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!key.startsWith('--') || value === undefined) {
      throw new Error(`bad argument ${key}: expected --manifest, --bundles, --port, --host or --dist with a value`);
    }
    out[key.slice(2)] = value;
    i += 1;
  }
  for (const required of ['manifest', 'bundles']) {
    if (!out[required]) throw new Error(`--${required} is required`);
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
const dist = resolve(args.dist);
if (!existsSync(join(dist, 'index.html'))) {
  console.error(`web/server.mjs: ${dist}/index.html is missing; build the app first (cd web && npm run build)`);
  process.exit(1);
}

// The bundles the app uses. Snapshot their metadata now, so a rebuild while the page is
// open cannot serve metadata that no longer matches the deployed code.
const BUNDLES = ['carrack_pool', 'carrack_oracle', 'carrack_token', 'carrack_governor', 'carrack_gov_token'];
const metadata = new Map();
for (const name of BUNDLES) {
  const bundle = join(args.bundles, name, `${name}.contract`);
  const plain = join(args.bundles, name, `${name}.json`);
  let json;
  if (existsSync(bundle)) {
    json = JSON.parse(readFileSync(bundle, 'utf8'));
    if (json.source) delete json.source.wasm;
  } else if (existsSync(plain)) {
    json = JSON.parse(readFileSync(plain, 'utf8'));
  } else {
    console.error(`web/server.mjs: no metadata for ${name}: neither ${bundle} nor ${plain} exists (build the contracts in release mode first)`);
    process.exit(1);
  }
  metadata.set(name, JSON.stringify(json));
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = decodeURIComponent(url.pathname);
  if (path === '/carrack/manifest.json') {
    try {
      return send(res, 200, TYPES['.json'], readFileSync(args.manifest));
    } catch (err) {
      return send(res, 404, 'text/plain', `manifest ${args.manifest} is not readable: ${err.message}`);
    }
  }
  const meta = path.match(/^\/carrack\/metadata\/([a-z_]+)\.json$/);
  if (meta) {
    const body = metadata.get(meta[1]);
    return body ? send(res, 200, TYPES['.json'], body) : send(res, 404, 'text/plain', `no metadata for ${meta[1]}`);
  }
  let file = normalize(join(dist, path));
  if (file !== dist && !file.startsWith(dist + sep)) return send(res, 403, 'text/plain', 'forbidden');
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(dist, 'index.html');
  return send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file));
});

server.on('error', (err) => {
  console.error(`web/server.mjs: cannot listen on ${args.host}:${args.port}: ${err.message}`);
  process.exit(1);
});
server.listen(Number(args.port), args.host, () => {
  const { port } = server.address();
  console.log(`Carrack web app: http://${args.host}:${port}/`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
