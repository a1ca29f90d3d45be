const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses k6-style durations: '500ms', '30s', '2m', '1h', '1m30s'. A bare number is refused. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (trimmed === '' || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new Error(`"${text}" is not a duration: use a number with a unit, e.g. 500ms, 30s, 2m, 1m30s`);
  }
  return parts.reduce((total, [, value, unit]) => total + Number(value) * UNITS_MS[unit!]!, 0);
}
