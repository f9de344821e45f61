// Fixed-point helpers. Every on-chain figure stays a bigint; strings are made only for
// display, and user input is parsed exactly (or refused with the reason).

export const WAD = 10n ** 18n;
export const U128_MAX = (1n << 128n) - 1n;
export const SECONDS_PER_YEAR = 31_536_000;

/** A codec's JSON (number, decimal string or 0x-hex) as a bigint. */
export function big(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  if (typeof value === 'string') {
    if (value.startsWith('0x')) return value.length > 2 ? BigInt(value) : 0n;
    return BigInt(value.replace(/,/g, ''));
  }
  if (value && typeof value === 'object' && 'toString' in value) return big(String(value));
  throw new Error(`not a number: ${JSON.stringify(value)}`);
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** `units` with `decimals` as a grouped decimal string with at most `shown` fraction digits (rounded down). */
export function formatUnits(units: bigint, decimals: number, shown = 4): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / pow10(decimals);
  let fraction = (abs % pow10(decimals)).toString().padStart(decimals, '0').slice(0, shown).replace(/0+$/, '');
  const grouped = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (fraction === '' && whole === 0n && abs !== 0n) return `${negative ? '-' : ''}<0.${'0'.repeat(Math.max(shown - 1, 0))}1`;
  return `${negative ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/** A plain (ungrouped, full precision) decimal string, for amount inputs. */
export function plainUnits(units: bigint, decimals: number): string {
  const whole = units / pow10(decimals);
  const fraction = (units % pow10(decimals)).toString().padStart(decimals, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole.toString();
}

/** Parses a decimal amount into token units; throws a readable reason when it cannot. */
export function parseUnits(text: string, decimals: number, symbol: string): bigint {
  const trimmed = text.trim().replace(/[_,\s]/g, '');
  if (trimmed === '') throw new Error('Enter an amount.');
  if (!/^\d*\.?\d*$/.test(trimmed) || trimmed === '.') throw new Error(`"${text}" is not a number.`);
  const [whole, fraction = ''] = trimmed.split('.');
  if (fraction.length > decimals) {
    throw new Error(`${symbol} has ${decimals} decimals; "${text}" has ${fraction.length}.`);
  }
  const units = BigInt(whole || '0') * pow10(decimals) + BigInt((fraction || '').padEnd(decimals, '0') || '0');
  if (units === 0n) throw new Error('The amount must be more than zero.');
  if (units > U128_MAX) throw new Error('The amount is too large.');
  return units;
}

/** A WAD value in quote units (dollars). */
export function usd(wad: bigint, shown = 2): string {
  return `$${formatUnits(wad, 18, shown)}`;
}

/** A WAD ratio as a percentage. */
export function pct(wad: bigint, shown = 2): string {
  return `${formatUnits(wad * 100n, 18, shown)} %`;
}

export function wadToNumber(wad: bigint): number {
  return Number(wad / 10n ** 9n) / 1e9;
}

/** Yearly borrow rate (WAD) compounded per second, as the borrow index does. */
export function borrowApy(rateWad: bigint): number {
  const r = wadToNumber(rateWad);
  return Math.expm1(SECONDS_PER_YEAR * Math.log1p(r / SECONDS_PER_YEAR));
}

export function pctNumber(x: number, shown = 2): string {
  return `${(x * 100).toFixed(shown)} %`;
}

/** Health factor (WAD; u128::MAX without debt) for display. */
export function healthText(hf: bigint | null): string {
  if (hf === null) return '—';
  if (hf >= U128_MAX / 2n) return '∞';
  // Two decimals, rounded down (1.70, not 1.7): a health factor is never shown better than it is.
  const hundredths = hf / 10n ** 16n;
  return `${formatUnits(hundredths / 100n, 0)}.${(hundredths % 100n).toString().padStart(2, '0')}`;
}

export function shortAddress(address: string): string {
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-6)}` : address;
}

export function duration(secs: number): string {
  if (secs < 0) return `in ${duration(-secs)}`;
  if (secs < 90) return `${secs} s`;
  if (secs < 5400) return `${Math.round(secs / 60)} min`;
  if (secs < 172800) return `${(secs / 3600).toFixed(1)} h`;
  return `${(secs / 86400).toFixed(1)} d`;
}
