import { z } from 'zod';

/**
 * Money, the one place that parses it. Amounts are integers in minor units:
 *   - USD: US cents;
 *   - LBP: whole Lebanese pounds. The piastre has not circulated for decades and every invoice,
 *     receipt and survey answer in Lebanon is in whole pounds, so the "minor unit" of LBP is the pound
 *     (2,900,000 LBP is `amountMinor: 2900000`).
 * A non-USD amount carries `fxRateToUsd`, a decimal string of currency units per 1 USD ("89500",
 * "89500.25"), and is converted to US cents with round-half-even, in exact integer arithmetic.
 * A USD amount needs no rate; it may carry one only when it is exactly 1 ("1", "1.00").
 */

export const CURRENCIES = ['USD', 'LBP'] as const;
export const Currency = z.enum(CURRENCIES);
export type Currency = z.infer<typeof Currency>;

/** A positive amount in minor units: an integer, above zero, exactly representable (safe integer). */
export const MinorAmount = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Up to 12 integer digits and 12 decimals, no sign, no exponent, no leading zeros. */
const DECIMAL = /^(?:0|[1-9]\d{0,11})(?:\.\d{1,12})?$/;

/** Units of the currency per 1 USD, as a decimal string: "89500", "89500.25", "1507.5". Above zero. */
export const FxRate = z
  .string()
  .regex(DECIMAL, 'a positive decimal string such as "89500" or "89500.25" (at most 12 decimals)')
  .refine((s) => /[1-9]/.test(s), 'must be above zero');

/** Stable codes of the money rules that span fields (a zod issue carries them in `params.code`). */
export type MoneyRuleCode = 'fx_rate_required' | 'fx_rate_not_applicable' | 'amount_out_of_range';

export interface MoneyViolation {
  code: MoneyRuleCode;
  message: string;
  /** The offending field, relative to the object holding the money fields. */
  field: string;
}

/**
 * The cross-field rules of a money value, or undefined when it is sound: an LBP amount needs its
 * rate, a USD amount may not carry a rate other than 1, and the converted amount must stay exact.
 * Field-level validity (integer, positive, known currency, decimal rate) is the schemas' job.
 */
export function moneyViolation(amountMinor: number, currency: Currency, fxRateToUsd: string | undefined, amountField = 'amountMinor'): MoneyViolation | undefined {
  if (currency === 'USD') {
    if (fxRateToUsd !== undefined && !isOne(fxRateToUsd)) {
      return { code: 'fx_rate_not_applicable', field: 'fxRateToUsd', message: `a USD amount is already in US cents; fxRateToUsd may only be "1", not "${fxRateToUsd}"` };
    }
    return undefined;
  }
  if (fxRateToUsd === undefined) {
    return { code: 'fx_rate_required', field: 'fxRateToUsd', message: `an ${currency} amount needs fxRateToUsd (${currency} per 1 USD)` };
  }
  // zod runs object refinements even when a field failed; a malformed field is reported by its own check.
  if (!Number.isSafeInteger(amountMinor) || !FxRate.safeParse(fxRateToUsd).success) return undefined;
  if (!Number.isSafeInteger(convert(amountMinor, fxRateToUsd))) {
    return { code: 'amount_out_of_range', field: amountField, message: `${amountMinor} ${currency} at ${fxRateToUsd} is more US cents than can be counted exactly` };
  }
  return undefined;
}

/** A zod refinement applying moneyViolation to an object holding `[amountField]`, `currency` and `fxRateToUsd`. */
export function refineMoney(amountField: string) {
  // Typed loosely so it fits any object schema holding the fields; the schema has already checked each field.
  return (value: object, ctx: z.RefinementCtx): void => {
    const money = value as { [field: string]: unknown; currency: Currency; fxRateToUsd?: string };
    const violation = moneyViolation(money[amountField] as number, money.currency, money.fxRateToUsd, amountField);
    if (violation) ctx.addIssue({ code: 'custom', path: [violation.field], message: violation.message, params: { code: violation.code } });
  };
}

/** The fields of a money value under a given amount name (`amountMinor`, `unitCostMinor`, `costMinor`…), to spread into an event's object schema. */
export function moneyFields<K extends string>(amountField: K) {
  return { [amountField]: MinorAmount, currency: Currency, fxRateToUsd: FxRate.optional() } as { [P in K]: typeof MinorAmount } & {
    currency: typeof Currency;
    fxRateToUsd: z.ZodOptional<typeof FxRate>;
  };
}

/** A money object schema with its cross-field rules, under a given amount name. */
export function moneySchema<K extends string = 'amountMinor'>(amountField: K = 'amountMinor' as K) {
  return z.object(moneyFields(amountField)).superRefine(refineMoney(amountField));
}

/** `{ amountMinor, currency, fxRateToUsd? }`. */
export const Money = moneySchema();
export type Money = z.infer<typeof Money>;

/**
 * US cents of an amount: USD as is (a rate on USD is ignored, the schemas only let "1" through);
 * LBP converted at its rate, round-half-even, exactly. Throws RangeError on input the schemas refuse
 * (no rate for LBP, a malformed or zero rate, a non-integer amount, a result beyond safe integers).
 */
export function toUsdMinor(amountMinor: number, currency: Currency, fxRateToUsd?: string): number {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) throw new RangeError(`amount must be a non-negative safe integer, got ${amountMinor}`);
  if (currency === 'USD') return amountMinor;
  if (currency !== 'LBP') throw new RangeError(`unsupported currency ${String(currency)}`);
  if (fxRateToUsd === undefined) throw new RangeError('an LBP amount needs fxRateToUsd');
  const cents = convert(amountMinor, fxRateToUsd);
  if (!Number.isSafeInteger(cents)) throw new RangeError(`${amountMinor} LBP at ${fxRateToUsd} is beyond safe integers`);
  return cents;
}

/** amount × 100 / rate, rounded half to even; a number (possibly unsafe) so callers can check the range. */
function convert(amount: number, rate: string): number {
  const { numerator, denominator } = parseDecimal(rate);
  // amount / (numerator / denominator) pounds-per-dollar → dollars; × 100 → cents.
  return Number(divideHalfEven(BigInt(amount) * 100n * denominator, numerator));
}

/** A decimal string as an exact fraction numerator / 10^decimals. */
export function parseDecimal(value: string): { numerator: bigint; denominator: bigint } {
  if (!DECIMAL.test(value)) throw new RangeError(`not a decimal rate: "${value}"`);
  const [whole, fraction = ''] = value.split('.') as [string, string?];
  const numerator = BigInt(whole + fraction);
  if (numerator === 0n) throw new RangeError('a rate must be above zero');
  return { numerator, denominator: 10n ** BigInt(fraction.length) };
}

/** n / d for n ≥ 0, d > 0, rounded to the nearest integer, ties to the even one (banker's rounding). */
export function divideHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d;
  const twiceRemainder = 2n * (n % d);
  if (twiceRemainder > d) return q + 1n;
  if (twiceRemainder < d) return q;
  return q % 2n === 0n ? q : q + 1n;
}

function isOne(rate: string): boolean {
  return DECIMAL.test(rate) && /^1(?:\.0+)?$/.test(rate);
}
