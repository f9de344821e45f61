#!/usr/bin/env node
// Serves the built Carrack web app (web/dist) together with what it reads at run time:
//
//   /carrack/manifest.json              the carrack-deploy manifest (re-read on every request,
//                                        so a redeployed devnet is picked up by a page reload)
//   /carrack/metadata/<bundle>.json     each contract's ink! metadata, taken from the release
//                                        bundles (<bundles>/<bundle>/<bundle>.contract, wasm
//                                        stripped) once at start-up
//
//   /carrack/keeper/api/...             with --keeper: the carrack-keeper's read-only JSON API
//                                        (borrowers by health, liquidations, an account's
//                                        positions), proxied so the page needs no other origin
//
//   node web/server.mjs --manifest .devnet/manifest.json --bundles <dir> [--port 8080]
//                       [--host 127.0.0.1] [--dist web/dist] [--public-name app.example.org]
//                       [--keeper http://127.0.0.1:10144]
//
// Prints `Carrack web app: http://HOST:PORT/` once listening. No dependencies.
//
// Hardening (tests/server.test.mjs): only GET and HEAD; a malformed request target is a
// 400, never a crash; nothing outside dist/ is served, symlinks included; every answer
// carries a Content-Security-Policy (no inline script, no framing) and nosniff; the
// manifest is served without local paths and with the node URL's credentials removed;
// a request whose Host header names anything but this server (127.0.0.1, localhost, [::1]
// or --host, at its port, or --public-name) gets a 421, so a page on another site that
// rebinds its DNS name to this machine cannot read the manifest or the app (review S3).

import { createServer, get as httpGet } from 'node:http';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const out = { port: '8080', host: '127.0.0.1', dist: join(HERE, 'dist') };
  for (let i = 0; i < argv.length; i += 1) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!key.startsWith('--') || value === undefined) {
      throw new Error(`bad argument ${key}: expected --manifest, --bundles, --port, --host, --dist, --public-name or --keeper with a value`);
    }
    out[key.slice(2)] = value;
    i += 1;
  }
  for (const required of ['manifest', 'bundles']) {
    if (!out[required]) throw new Error(`--${required} is required`);
  }
  if (out.keeper !== undefined) {
    const url = new URL(out.keeper);
    if (url.protocol !== 'http:' || url.pathname !== '/' || url.search || url.username) {
      throw new Error(`--keeper ${out.keeper}: give the keeper's API as http://HOST:PORT`);
    }
    out.keeper = url;
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
if (!existsSync(join(resolve(args.dist), 'index.html'))) {
  console.error(`web/server.mjs: ${resolve(args.dist)}/index.html is missing; build the app first (cd web && npm run build)`);
  process.exit(1);
}
// The real path, so that symlinks can be checked against it.
const dist = realpathSync(resolve(args.dist));

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

// 'wasm-unsafe-eval': @polkadot/util-crypto compiles its WebAssembly; inline styles: the
// health bars and tallies set widths with style attributes.
const SECURITY_HEADERS = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "connect-src 'self' ws: wss:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

function send(req, res, status, type, body, extra = {}) {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The node URL without credentials (a browser cannot use them, and the manifest is public). */
function publicNodeUrl(text) {
  try {
    const url = new URL(text);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return '';
  }
}

/** What the app needs of the carrack-deploy manifest: no local paths, no credentials. */
function publicManifest(text) {
  const m = JSON.parse(text);
  const contracts = {};
  for (const [name, c] of Object.entries(m.contracts ?? {})) {
    contracts[name] = { bundle: c.bundle, address: c.address, code_hash: c.code_hash };
  }
  return JSON.stringify({
    chain: {
      genesis_hash: m.chain?.genesis_hash,
      node_url: publicNodeUrl(m.chain?.node_url ?? ''),
      start_block: m.chain?.start_block,
      last_block: m.chain?.last_block,
    },
    config: { kind: m.config?.kind },
    deployer: m.deployer,
    contracts,
  });
}

/** Whether `file` (which exists) resolves, symlinks followed, to a regular file inside dist/. */
function insideDist(file) {
  const real = realpathSync(file);
  return real === dist || real.startsWith(dist + sep);
}

// The names this server answers to, lower-case "host:port" (set once listening, when the
// port is known), and --public-name as given (a reverse proxy's name, with or without port).
const allowedHosts = new Set();

/** Whether the request's Host header names this server (DNS rebinding defence). */
function hostAllowed(req) {
  const host = (req.headers.host ?? '').toLowerCase();
  return allowedHosts.has(host);
}

function handle(req, res) {
  if (!hostAllowed(req)) return send(req, res, 421, 'text/plain', 'misdirected request: unknown Host');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(req, res, 405, 'text/plain', 'method not allowed', { Allow: 'GET, HEAD' });
  }
  // Origin-form targets only ("/path?query"): not "//host", "*" or absolute URLs.
  const target = req.url ?? '';
  if (!target.startsWith('/') || target.startsWith('//')) return send(req, res, 400, 'text/plain', 'bad request');
  let path;
  try {
    path = decodeURIComponent(target.split(/[?#]/, 1)[0]);
  } catch {
    return send(req, res, 400, 'text/plain', 'bad request');
  }
  if (path.includes('\0')) return send(req, res, 400, 'text/plain', 'bad request');
  if (path === '/carrack/manifest.json') {
    let body;
    try {
      body = publicManifest(readFileSync(args.manifest, 'utf8'));
    } catch (err) {
      console.error(`web/server.mjs: the manifest ${args.manifest} is not readable: ${err.message}`);
      return send(req, res, 404, 'text/plain', 'no deployment manifest (see the server log)');
    }
    return send(req, res, 200, TYPES['.json'], body);
  }
  if (path.startsWith('/carrack/keeper/')) return proxyKeeper(req, res, path, target);
  const meta = path.match(/^\/carrack\/metadata\/([a-z_]+)\.json$/);
  if (meta) {
    const body = metadata.get(meta[1]);
    return body ? send(req, res, 200, TYPES['.json'], body) : send(req, res, 404, 'text/plain', 'no such metadata');
  }
  let file = normalize(join(dist, path));
  if (file !== dist && !file.startsWith(dist + sep)) return send(req, res, 403, 'text/plain', 'forbidden');
  if (existsSync(file) && !insideDist(file)) return send(req, res, 403, 'text/plain', 'forbidden');
  if (!existsSync(file) || !statSync(file).isFile()) file = join(dist, 'index.html');
  return send(req, res, 200, TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file));
}

// The keeper's API paths the page may read (SS58 addresses are base58, the limit a number).
const KEEPER_PATHS = [
  /^\/api\/status$/,
  /^\/api\/at-risk$/,
  /^\/api\/liquidations$/,
  /^\/api\/accounts\/[1-9A-HJ-NP-Za-km-z]{40,60}$/,
  /^\/api\/accounts\/[1-9A-HJ-NP-Za-km-z]{40,60}\/history$/,
  /^\/api\/markets\/[1-9A-HJ-NP-Za-km-z]{40,60}\/history$/,
];
const KEEPER_TIMEOUT_MS = 5000;
const KEEPER_MAX_BYTES = 8 * 1024 * 1024;

/**
 * `GET /carrack/keeper/api/...`: the same request to the keeper (`--keeper`), its JSON
 * answer passed on. Only the API's own paths and a `limit=N` query go through; a missing
 * or slow keeper is a 502 or 504 the page reports, never a hang; without --keeper, `null`.
 */
function proxyKeeper(req, res, path, target) {
  const rest = path.slice('/carrack/keeper'.length);
  const query = target.includes('?') ? target.slice(target.indexOf('?') + 1) : '';
  if (!KEEPER_PATHS.some((re) => re.test(rest)) || (query && !/^limit=[0-9]{1,5}$/.test(query))) {
    return send(req, res, 404, 'text/plain', 'not a keeper API path');
  }
  // Without a keeper the answer is JSON null: the page then scans the chain itself (a
  // normal state, not an error for the browser's console).
  if (!args.keeper) return send(req, res, 200, TYPES['.json'], 'null');
  const upstream = httpGet(new URL(`${rest}${query ? `?${query}` : ''}`, args.keeper), { timeout: KEEPER_TIMEOUT_MS }, (answer) => {
    const chunks = [];
    let size = 0;
    answer.on('data', (chunk) => {
      size += chunk.length;
      if (size > KEEPER_MAX_BYTES) answer.destroy(new Error('answer too large'));
      else chunks.push(chunk);
    });
    answer.on('end', () => {
      if (res.headersSent) return;
      const body = Buffer.concat(chunks).toString('utf8');
      const type = answer.statusCode === 200 ? TYPES['.json'] : 'text/plain';
      send(req, res, answer.statusCode === 200 ? 200 : 502, type, answer.statusCode === 200 ? body : `the keeper answered ${answer.statusCode}: ${body}`);
    });
    answer.on('error', (err) => {
      if (!res.headersSent) send(req, res, 502, 'text/plain', `the keeper's answer failed: ${err.message}`);
    });
  });
  upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
  upstream.on('error', (err) => {
    if (res.headersSent) return;
    const status = err.message === 'timeout' ? 504 : 502;
    send(req, res, status, 'text/plain', `the keeper is not reachable: ${err.message}`);
  });
}

const server = createServer((req, res) => {
  try {
    handle(req, res);
  } catch (err) {
    console.error(`web/server.mjs: ${req.method} ${JSON.stringify(req.url)} failed: ${err.message}`);
    if (res.headersSent) res.destroy();
    else send(req, res, 500, 'text/plain', 'internal error');
  }
});
// Requests Node's parser refuses (bad request lines, oversized headers) end with a 400.
server.on('clientError', (err, socket) => {
  if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  else socket.destroy();
});

server.on('error', (err) => {
  console.error(`web/server.mjs: cannot listen on ${args.host}:${args.port}: ${err.message}`);
  process.exit(1);
});
server.listen(Number(args.port), args.host, () => {
  const { port } = server.address();
  const bracketed = (name) => (name.includes(':') && !name.startsWith('[') ? `[${name}]` : name);
  for (const name of ['127.0.0.1', 'localhost', '[::1]', args.host]) {
    allowedHosts.add(`${bracketed(name.toLowerCase())}:${port}`);
  }
  if (args['public-name']) allowedHosts.add(args['public-name'].toLowerCase());
  console.log(`Carrack web app: http://${args.host}:${port}/`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
