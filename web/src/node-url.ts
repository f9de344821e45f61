// Which node the app connects to. The manifest's node, always, except that a devnet
// deployment may be pointed at another node on this machine with `?rpc=ws://127.0.0.1:PORT`
// (several local devnets). Anything else is ignored: a link must not be able to choose the
// node, since the node answers every read and dry run the app shows and signs by (review
// W2), and its genesis-hash answer proves nothing about it. No imports (unit-tested in Node).

/** The node to use, and why a given `?rpc=` was ignored (to tell the user). */
export interface NodeChoice {
  url: string;
  ignored?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether `url` is a ws(s):// node on this machine (by its parsed host, not a substring). */
export function isLocalNode(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'ws:' || parsed.protocol === 'wss:') && LOOPBACK.has(parsed.hostname);
  } catch {
    return false;
  }
}

/** The node for a deployment of `kind` whose manifest names `manifestUrl`, given `?rpc=` (or null). */
export function chooseNode(manifestUrl: string, kind: string, rpc: string | null): NodeChoice {
  if (rpc === null) return { url: manifestUrl };
  if (kind === 'devnet' && isLocalNode(rpc)) return { url: rpc };
  const why = kind === 'devnet' ? 'it is not a ws:// node on this machine' : `this is a ${kind} deployment`;
  return { url: manifestUrl, ignored: `The link's ?rpc= node was ignored (${why}); connected to the deployment's own node.` };
}

/** A node URL for display: scheme, host and port only (no credentials, path or query). */
export function nodeLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'the node';
  }
}
