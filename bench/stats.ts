// Medians and ranges over repetitions, and how they are printed. Pure.

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median (mean of the two middle values for an even count), min and max; undefined without values. */
export function spread(values: readonly number[]): Spread | undefined {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { median, min: v[0]!, max: v[v.length - 1]!, n: v.length };
}

/** A number with `digits` decimals, or with none from 100 on when digits is "auto". */
export function num(x: number, digits: number | "auto" = "auto"): string {
  if (!Number.isFinite(x)) return "–";
  const d = digits === "auto" ? (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2) : digits;
  return x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** "12.3 (11.9–13.0)": the median and, over more than one repetition, the range. */
export function fmt(s: Spread | undefined, digits: number | "auto" = "auto", unit = ""): string {
  if (!s) return "–";
  const range = s.n > 1 ? ` (${num(s.min, digits)}–${num(s.max, digits)})` : "";
  return `${num(s.median, digits)}${unit}${range}`;
}

/** Ratio of two medians, as "×1.85". */
export function ratio(a: Spread | undefined, b: Spread | undefined): string {
  if (!a || !b || b.median === 0) return "–";
  return `×${num(a.median / b.median, 2)}`;
}
