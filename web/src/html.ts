// Building HTML from data without injection: the `html` tagged template escapes every
// interpolated value unless it is already a `SafeHtml` (another `html` result, or a
// trusted fragment wrapped in `raw`). Markup reaches the DOM only through `setHtml`,
// which takes a `SafeHtml`, so a plain string cannot be assigned by mistake.
//
//   setHtml(cell, html`<b>${symbol}</b> ${healthBar(hf)}`);   // symbol escaped, bar kept
//
// Token symbols and names come from token contracts, i.e. from whoever deployed them (or
// from the node the app talks to): they must never be able to add markup or script.
// This module has no imports, so `node --test` can load it on its own (tests/html.test.mjs).

/** Markup that is safe to insert as it is. Only `html` and `raw` make one. */
export class SafeHtml {
  readonly #markup: string;

  /** Use `html` or `raw` rather than this. */
  constructor(markup: string) {
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** `text` with the characters that are special in HTML text and quoted attributes escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

/** A value interpolated into `html`: escaped, unless already safe; arrays are concatenated. */
export type HtmlValue = SafeHtml | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined) return '';
  return escapeHtml(String(value));
}

/**
 * The tagged template: `html\`<td>${value}</td>\`` escapes `value` (strings, numbers,
 * nested arrays) and keeps `SafeHtml` values as they are. `null` and `undefined` render as
 * nothing. Interpolate attribute values only inside quotes (`title="${x}"`).
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** Marks `markup` as trusted (written in this code base, never derived from data). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Concatenates fragments (escaping plain strings) into one `SafeHtml`. */
export function joinHtml(parts: readonly HtmlValue[], separator: SafeHtml = raw('')): SafeHtml {
  return new SafeHtml(parts.map(render).join(separator.toString()));
}

/** Replaces `element`'s content with `content`: the only way markup enters the page. */
export function setHtml(element: Element, content: SafeHtml): void {
  element.innerHTML = content.toString();
}
