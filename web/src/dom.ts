// The page's shared pieces: looking up the skeleton's elements (index.html) and the
// banner, which says what went wrong, or that the app stopped for good.

/** The element `sel` of the page; throws when the skeleton lacks it. */
export function $<T extends HTMLElement = HTMLElement>(sel: string): T {
  const el = document.querySelector<T>(sel);
  if (!el) throw new Error(`missing element ${sel}`);
  return el;
}

/** Why the app stopped for good (wrong chain, wrong code): the banner keeps saying it. */
let halted: string | null = null;

/** Shows `text` in the banner (hidden when empty); a halt is not replaced by later news. */
export function banner(text: string, kind: 'error' | 'info' | 'warn' = 'error'): void {
  const el = $('#banner');
  // A halt is not replaced by later news (a reconnection, a wallet that did not answer).
  if (halted !== null) {
    text = halted;
    kind = 'error';
  }
  el.className = `banner ${kind}`;
  el.textContent = text;
  el.hidden = !text;
}

/** Stops the app for good with `text` in the banner: no accounts, nothing signed (body[data-halted]). */
export function halt(reason: 'genesis-mismatch' | 'code-mismatch', text: string): void {
  halted = text;
  document.body.dataset.halted = reason;
  banner(text);
}
