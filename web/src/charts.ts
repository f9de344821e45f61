// Small SVG pictures: a market's utilization-vs-rate curve and the health bar.

import { WAD, wadToNumber } from './format';
import { html, type SafeHtml } from './html';

export interface RateModel {
  baseRateWad: bigint;
  slopeLowWad: bigint;
  slopeHighWad: bigint;
  optimalUtilizationWad: bigint;
}

const MAX_BORROW_RATE = 10; // carrack-core MAX_BORROW_RATE_WAD: 1000 %/yr

/** carrack-core's kinked borrow rate per year at utilization `u` (0..1), as a number. */
export function borrowRateAt(model: RateModel, u: number): number {
  const base = wadToNumber(model.baseRateWad);
  const low = wadToNumber(model.slopeLowWad);
  const high = wadToNumber(model.slopeHighWad);
  const kink = wadToNumber(model.optimalUtilizationWad);
  const x = Math.min(Math.max(u, 0), 1);
  const rate = x <= kink ? base + (kink === 0 ? 0 : (low * x) / kink) : base + low + (high * (x - kink)) / (1 - kink);
  return Math.min(rate, MAX_BORROW_RATE);
}

const TICK_FONT_PX = 9; // svg .tick in style.css
/** A generous width estimate for a .tick label (sans-serif glyphs are narrower than 0.62 em). */
export function tickTextWidth(text: string): number {
  return text.length * TICK_FONT_PX * 0.62;
}

/**
 * The kink's label: on its own row above the plot (the axis row below holds "0%" and
 * "100% utilization", which a kink near either end would run into), centred over the
 * kink line and slid sideways to stay within the plot's width [left, right]. The only
 * other text near that row is the top rate tick, which ends left of the plot.
 */
function kinkLabel(at: number, left: number, right: number, y: number, text: string): SafeHtml {
  const half = tickTextWidth(text) / 2;
  const cx = Math.min(Math.max(at, left + half), right - half);
  return html`<text x="${cx.toFixed(1)}" y="${y}" text-anchor="middle" class="tick kink-label">${text}</text>`;
}

/** The curve as SVG markup; `label` (a token symbol, from its contract) is escaped. */
export function rateCurveSvg(model: RateModel, reserveFactorWad: bigint, utilizationWad: bigint, label: string): SafeHtml {
  const W = 300;
  const H = 150;
  const L = 40;
  const B = 22;
  const T = 20; // room above the plot for the kink's label
  const R = 10;
  const rf = wadToNumber(reserveFactorWad);
  const samples = 100;
  const borrow: [number, number][] = [];
  const supply: [number, number][] = [];
  for (let i = 0; i <= samples; i += 1) {
    const u = i / samples;
    const b = borrowRateAt(model, u);
    borrow.push([u, b]);
    supply.push([u, b * u * (1 - rf)]);
  }
  const maxRate = Math.max(...borrow.map(([, r]) => r), 0.01);
  const x = (u: number) => L + u * (W - L - R);
  const y = (r: number) => H - B - (r / maxRate) * (H - B - T);
  const path = (pts: [number, number][]) => pts.map(([u, r], i) => `${i ? 'L' : 'M'}${x(u).toFixed(1)},${y(r).toFixed(1)}`).join(' ');
  const uNow = Number(utilizationWad * 10_000n / WAD) / 10_000;
  const kink = wadToNumber(model.optimalUtilizationWad);
  const rNow = borrowRateAt(model, uNow);
  const ticks = [0, 0.5, 1].map((f) => html`<text x="${L - 4}" y="${y(maxRate * f) + 3}" text-anchor="end" class="tick">${(maxRate * f * 100).toFixed(0)}%</text>`);
  return html`<svg viewBox="0 0 ${W} ${H}" class="curve" role="img" aria-label="${label}: borrow and supply rate by utilization">
    <line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" class="axis"/>
    <line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" class="axis"/>
    ${ticks}
    <text x="${L}" y="${H - 6}" class="tick">0%</text>
    <text x="${W - R}" y="${H - 6}" text-anchor="end" class="tick">100% utilization</text>
    ${kinkLabel(x(kink), L, W - R, T - 6, `kink ${(kink * 100).toFixed(0)}%`)}
    <line x1="${x(kink)}" y1="${T}" x2="${x(kink)}" y2="${H - B}" class="kink"/>
    <path d="${path(borrow)}" class="borrow-line"/>
    <path d="${path(supply)}" class="supply-line"/>
    <line x1="${x(uNow)}" y1="${T}" x2="${x(uNow)}" y2="${H - B}" class="now"/>
    <circle cx="${x(uNow)}" cy="${y(rNow)}" r="3.5" class="now-dot"/>
  </svg>`;
}

/** Health bar: 0 .. 3 on a log-ish scale, red below 1, amber to 1.5, green above. */
export function healthBar(hf: bigint | null, testId: string): SafeHtml {
  let fill = 100;
  let cls = 'ok';
  let label = 'no debt';
  if (hf !== null && hf < (1n << 127n)) {
    const v = wadToNumber(hf);
    fill = Math.max(2, Math.min(100, (v / 3) * 100));
    cls = v < 1 ? 'bad' : v < 1.5 ? 'warn' : 'ok';
    label = v.toFixed(2);
  }
  return html`<div class="hbar" data-testid="${testId}" title="Health factor ${label}: below 1.00 the account can be liquidated">
    <div class="hbar-fill ${cls}" style="width:${fill}%"></div>
    <div class="hbar-mark" style="left:${100 / 3}%"><span>1.0</span></div>
  </div>`;
}
