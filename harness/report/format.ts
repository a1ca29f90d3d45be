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
