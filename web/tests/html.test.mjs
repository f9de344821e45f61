// Unit test of src/html.ts (the escaping `html` template), of the markup built from
// token symbols in src/charts.ts, and that src/ writes markup only through it, in Node
// without a browser or a chain.
//   node --test tests/html.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { loadSrc } from './transpile.mjs';

const { html, raw, joinHtml, escapeHtml, SafeHtml } = await loadSrc('html');
const charts = await loadSrc('charts');

const HOSTILE = '"><img src=x onerror="document.title=\'XSS\'">`';

test('every interpolated string is escaped, in text and in attributes', () => {
  const out = html`<td data-symbol="${HOSTILE}"><b>${HOSTILE}</b></td>`.toString();
  assert.equal(
    out,
    '<td data-symbol="&quot;&gt;&lt;img src=x onerror=&quot;document.title=&#39;XSS&#39;&quot;&gt;&#96;">' +
      '<b>&quot;&gt;&lt;img src=x onerror=&quot;document.title=&#39;XSS&#39;&quot;&gt;&#96;</b></td>',
  );
  assert.ok(!out.includes('<img'));
  assert.equal(escapeHtml('a & b'), 'a &amp; b');
});

test('nested html and raw fragments are kept; arrays are joined; null renders nothing', () => {
  const cell = html`<b>${'<T>'}</b>`;
  const rows = ['<A>', '<B>'].map((s) => html`<li>${s}</li>`);
  const out = html`<ul>${rows}</ul>${cell}${raw('<hr>')}${null}${undefined}${42}${10n}`.toString();
  assert.equal(out, '<ul><li>&lt;A&gt;</li><li>&lt;B&gt;</li></ul><b>&lt;T&gt;</b><hr>4210');
  assert.ok(html`x` instanceof SafeHtml);
  assert.equal(joinHtml(['<a>', html`<i>b</i>`], raw('<br>')).toString(), '&lt;a&gt;<br><i>b</i>');
});

test('a plain string is never treated as markup, however it was built', () => {
  const built = `<b>${HOSTILE}</b>`; // an ordinary template literal: just a string
  assert.ok(!html`${built}`.toString().includes('<'));
  // Objects that merely look like SafeHtml are escaped too.
  const fake = { toString: () => '<script>alert(1)</script>' };
  assert.equal(html`${fake}`.toString(), '&lt;script&gt;alert(1)&lt;/script&gt;');
});

test('the rate curve escapes the token symbol it is labelled with', () => {
  const model = { baseRateWad: 0n, slopeLowWad: 4n * 10n ** 16n, slopeHighWad: 6n * 10n ** 17n, optimalUtilizationWad: 9n * 10n ** 17n };
  const svg = charts.rateCurveSvg(model, 10n ** 17n, 5n * 10n ** 17n, HOSTILE).toString();
  assert.ok(!svg.includes('<img'), svg);
  assert.match(svg, /aria-label="&quot;&gt;&lt;img src=x onerror=/);
  assert.ok(svg.startsWith('<svg') && svg.trim().endsWith('</svg>'));
});

test('markup reaches the page only through setHtml, and raw() wraps only string literals', () => {
  const src = new URL('../src/', import.meta.url);
  const sinks = /\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment/;
  const literalRaw = /raw\('(?:[^'\\]|\\.)*'\)|raw\("(?:[^"\\]|\\.)*"\)/g;
  const problems = [];
  for (const file of readdirSync(src).filter((f) => f.endsWith('.ts') && f !== 'html.ts')) {
    readFileSync(new URL(file, src), 'utf8').split('\n').forEach((line, i) => {
      if (sinks.test(line)) problems.push(`${file}:${i + 1}: writes markup without setHtml: ${line.trim()}`);
      if (/\braw\(/.test(line.replace(literalRaw, ''))) problems.push(`${file}:${i + 1}: raw() of something other than a string literal: ${line.trim()}`);
    });
  }
  assert.deepEqual(problems, []);
});
