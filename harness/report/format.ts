/** Number formatting shared by the reporters, so every output shows the same numbers the same way. */

export function ms(value: number): string {
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function rate(value: number): string {
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)}/s`;
}

export function seconds(valueMs: number): string {
  return `${(valueMs / 1000).toFixed(1)} s`;
}

export function signedPercent(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '+∞ %' : '−∞ %';
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)} %`;
}

/** A gate's measured value or threshold with its unit: `12.35 ms`, `2491.8/s`, `0.125%`, `3`. */
export function withUnit(value: number | null, unit: string): string {
  if (value === null) return 'no samples';
  if (unit === 'ms') return Number.isInteger(value) && value < 1000 ? `${value} ms` : ms(value);
  const digits = Number.isInteger(value) ? 0 : Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  const number = value.toFixed(digits);
  if (unit === '') return number;
  if (unit === '/s' || unit === '%') return `${number}${unit}`;
  return `${number} ${unit}`;
}

/** `2026-11-25 10:00:00 UTC`: an ISO instant a person reads at a glance. */
export function instant(iso: string): string {
  return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
}

/** Errors the client saw, whatever their cause (remote error reply, lost connection, other). */
export function errorCount(counters: { remoteErrors: number; connectionLost: number; otherErrors: number }): number {
  return counters.remoteErrors + counters.connectionLost + counters.otherErrors;
}
