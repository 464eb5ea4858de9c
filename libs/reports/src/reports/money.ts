/** Mean of integer cents, rounded half to even, so a mean is still integer minor units. */
export function meanMinor(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const total = BigInt(values.reduce((s, v) => s + v, 0));
  const n = BigInt(values.length);
  const q = total / n;
  const twice = 2n * (total % n);
  return Number(twice > n || (twice === n && q % 2n !== 0n) ? q + 1n : q);
}

/** A share as a decimal string with four places ("0.3750"), so reports never carry float noise. */
export function share(part: number, whole: number): string | null {
  if (whole === 0) return null;
  const scaled = (BigInt(part) * 100_000n) / BigInt(whole);
  const rounded = (scaled + 5n) / 10n;
  const s = rounded.toString().padStart(5, '0');
  return `${s.slice(0, -4)}.${s.slice(-4)}`;
}
