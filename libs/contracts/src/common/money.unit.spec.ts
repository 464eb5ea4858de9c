import fc from 'fast-check';
import { Money, divideHalfEven, moneySchema, moneyViolation, parseDecimal, toUsdMinor } from './money';

/** A decimal rate string from an integer part and a fraction (0–12 digits), never zero. */
const rate = fc
  .tuple(fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 0, max: 12 }), fc.bigInt({ min: 0n, max: 10n ** 12n - 1n }))
  .map(([whole, digits, fraction]) => (digits === 0 ? String(whole) : `${whole}.${(fraction % 10n ** BigInt(digits)).toString().padStart(digits, '0')}`))
  .filter((s) => /[1-9]/.test(s));
const lbpAmount = fc.integer({ min: 1, max: 10_000_000_000_000 });

/**
 * The reference: c is the correctly rounded value of amount × 100 / rate exactly when it is within
 * half a cent of it, and on an exact tie it is even. Checked with integers only (no float anywhere).
 */
function isHalfEvenRounding(amount: number, rateText: string, cents: number): boolean {
  const { numerator, denominator } = parseDecimal(rateText);
  const exact = BigInt(amount) * 100n * denominator; // the value is exact / numerator
  const distance = exact - BigInt(cents) * numerator;
  const twice = 2n * (distance < 0n ? -distance : distance);
  if (twice > numerator) return false;
  if (twice === numerator) return cents % 2 === 0;
  return true;
}

describe('toUsdMinor', () => {
  it('converts the programme examples: 2,900,000 LBP at 89,500 is US$32.40, 4,475,000 LBP is US$50.00', () => {
    expect(toUsdMinor(2_900_000, 'LBP', '89500')).toBe(3240);
    expect(toUsdMinor(4_475_000, 'LBP', '89500')).toBe(5000);
    expect(toUsdMinor(8_950_000, 'LBP', '89500')).toBe(10_000);
  });
  it('keeps USD cents as they are', () => {
    expect(toUsdMinor(250_000, 'USD')).toBe(250_000);
    expect(toUsdMinor(250_000, 'USD', '1')).toBe(250_000);
  });
  it('rounds half to even: 2.5 cents → 2, 3.5 → 4, 22.5 → 22', () => {
    expect(toUsdMinor(5, 'LBP', '200')).toBe(2); // 500 / 200 = 2.5
    expect(toUsdMinor(7, 'LBP', '200')).toBe(4); // 700 / 200 = 3.5
    expect(toUsdMinor(9, 'LBP', '40')).toBe(22); // 900 / 40 = 22.5
    expect(toUsdMinor(1, 'LBP', '40')).toBe(2); // 2.5
    expect(toUsdMinor(3, 'LBP', '40')).toBe(8); // 7.5
  });
  it('rounds away from the tie in both directions', () => {
    expect(toUsdMinor(1_000, 'LBP', '89500')).toBe(1); // 1.117…
    expect(toUsdMinor(1_400, 'LBP', '89500')).toBe(2); // 1.564…
    expect(toUsdMinor(400, 'LBP', '89500')).toBe(0); // 0.446…
  });
  it('uses decimal rates exactly ("89500.25", "1507.5")', () => {
    // 10,000,000 × 100 / 89500.25 = 11173.15…
    expect(toUsdMinor(10_000_000, 'LBP', '89500.25')).toBe(11_173);
    // 1,507,500 × 100 / 1507.5 = 100000 exactly
    expect(toUsdMinor(1_507_500, 'LBP', '1507.5')).toBe(100_000);
    expect(toUsdMinor(1_507_500, 'LBP', '1507.500000000000')).toBe(100_000);
  });
  it('refuses what the schemas refuse', () => {
    expect(() => toUsdMinor(100, 'LBP')).toThrow(RangeError);
    expect(() => toUsdMinor(100, 'LBP', '0')).toThrow(RangeError);
    expect(() => toUsdMinor(100, 'LBP', '1e5')).toThrow(RangeError);
    expect(() => toUsdMinor(1.5, 'USD')).toThrow(RangeError);
    expect(() => toUsdMinor(Number.MAX_SAFE_INTEGER, 'LBP', '1')).toThrow(RangeError);
  });

  it('is the correctly rounded half-even value of amount × 100 / rate (property, against an exact reference)', () => {
    fc.assert(
      fc.property(lbpAmount, rate, (amount, r) => {
        const { numerator, denominator } = parseDecimal(r);
        if ((BigInt(amount) * 100n * denominator) / numerator >= BigInt(Number.MAX_SAFE_INTEGER)) {
          // A tiny rate can make more cents than a number counts exactly: refused, never rounded silently.
          expect(() => toUsdMinor(amount, 'LBP', r)).toThrow(RangeError);
          return;
        }
        const cents = toUsdMinor(amount, 'LBP', r);
        expect(isHalfEvenRounding(amount, r, cents)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
  it('resolves every exact tie to the even neighbour (property)', () => {
    // With rate = 200·r and amount = (2k + 1)·r, amount × 100 / rate = (2k + 1) / 2 = k + ½ exactly.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 10_000 }), (k, r) => {
        const cents = toUsdMinor((2 * k + 1) * r, 'LBP', String(200 * r));
        expect(cents).toBe(k % 2 === 0 ? k : k + 1);
      }),
    );
  });
  it('does not depend on trailing zeros of the rate (property)', () => {
    fc.assert(fc.property(lbpAmount, fc.integer({ min: 1, max: 999_999 }), fc.integer({ min: 1, max: 6 }), (amount, r, zeros) => {
      expect(toUsdMinor(amount, 'LBP', `${r}.${'0'.repeat(zeros)}`)).toBe(toUsdMinor(amount, 'LBP', String(r)));
    }));
  });
  it('never decreases when the amount grows, and splitting an amount moves the total by at most a cent (property)', () => {
    fc.assert(fc.property(lbpAmount, lbpAmount, rate.filter((r) => Number(r) >= 1), (a, b, r) => {
      const [small, large] = a <= b ? [a, b] : [b, a];
      expect(toUsdMinor(large, 'LBP', r)).toBeGreaterThanOrEqual(toUsdMinor(small, 'LBP', r));
      if (Number.isSafeInteger(a + b)) {
        const drift = toUsdMinor(a + b, 'LBP', r) - toUsdMinor(a, 'LBP', r) - toUsdMinor(b, 'LBP', r);
        expect(Math.abs(drift)).toBeLessThanOrEqual(1);
      }
    }));
  });
  it('divides half-even for any integers (property)', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.bigInt({ min: 1n, max: 10n ** 20n }), (n, d) => {
      const q = divideHalfEven(n, d);
      const twice = 2n * (n - q * d);
      expect(twice <= d && twice >= -d).toBe(true);
      if (twice === d || twice === -d) expect(q % 2n).toBe(0n);
    }));
  });
});

describe('Money schema', () => {
  const codeOf = (value: unknown) => {
    const parsed = Money.safeParse(value);
    if (parsed.success) return 'ok';
    const issue = parsed.error.issues[0]!;
    return `${(issue as { params?: { code?: string } }).params?.code ?? issue.code}@${issue.path.join('.')}`;
  };

  it('accepts USD cents and LBP with a rate', () => {
    expect(codeOf({ amountMinor: 250_000, currency: 'USD' })).toBe('ok');
    expect(codeOf({ amountMinor: 250_000, currency: 'USD', fxRateToUsd: '1' })).toBe('ok');
    expect(codeOf({ amountMinor: 2_900_000, currency: 'LBP', fxRateToUsd: '89500' })).toBe('ok');
    expect(codeOf({ amountMinor: 2_900_000, currency: 'LBP', fxRateToUsd: '89500.25' })).toBe('ok');
  });
  it.each([
    ['a fractional amount', { amountMinor: 12.5, currency: 'USD' }, 'invalid_type@amountMinor'],
    ['a negative amount', { amountMinor: -100, currency: 'USD' }, 'too_small@amountMinor'],
    ['a zero amount', { amountMinor: 0, currency: 'USD' }, 'too_small@amountMinor'],
    ['an amount beyond safe integers', { amountMinor: 2 ** 60, currency: 'USD' }, 'too_big@amountMinor'],
    ['an amount as a string', { amountMinor: '100', currency: 'USD' }, 'invalid_type@amountMinor'],
    ['an unknown currency', { amountMinor: 100, currency: 'EUR' }, 'invalid_value@currency'],
    ['LBP without a rate', { amountMinor: 2_900_000, currency: 'LBP' }, 'fx_rate_required@fxRateToUsd'],
    ['USD with a rate other than 1', { amountMinor: 100, currency: 'USD', fxRateToUsd: '89500' }, 'fx_rate_not_applicable@fxRateToUsd'],
    ['a zero rate', { amountMinor: 100, currency: 'LBP', fxRateToUsd: '0.000' }, 'custom@fxRateToUsd'],
    ['a negative rate', { amountMinor: 100, currency: 'LBP', fxRateToUsd: '-89500' }, 'invalid_format@fxRateToUsd'],
    ['a rate in exponent notation', { amountMinor: 100, currency: 'LBP', fxRateToUsd: '8.95e4' }, 'invalid_format@fxRateToUsd'],
    ['a rate with 13 decimals', { amountMinor: 100, currency: 'LBP', fxRateToUsd: '89500.1234567890123' }, 'invalid_format@fxRateToUsd'],
    ['a rate as a number', { amountMinor: 100, currency: 'LBP', fxRateToUsd: 89500 }, 'invalid_type@fxRateToUsd'],
    ['a conversion beyond safe integers', { amountMinor: 9_000_000_000_000_000, currency: 'LBP', fxRateToUsd: '0.5' }, 'amount_out_of_range@amountMinor'],
  ])('rejects %s', (_label, value, expected) => {
    expect(codeOf(value)).toBe(expected);
  });
  it('builds the same rules under another amount name (unitCostMinor)', () => {
    const UnitCost = moneySchema('unitCostMinor');
    expect(UnitCost.safeParse({ unitCostMinor: 3_500, currency: 'USD' }).success).toBe(true);
    const missingRate = UnitCost.safeParse({ unitCostMinor: 3_500, currency: 'LBP' });
    expect(missingRate.success).toBe(false);
    expect(missingRate.error?.issues[0]).toMatchObject({ path: ['fxRateToUsd'], params: { code: 'fx_rate_required' } });
    const typed: { unitCostMinor: number; currency: 'USD' | 'LBP'; fxRateToUsd?: string | undefined } = UnitCost.parse({ unitCostMinor: 1, currency: 'USD' });
    expect(typed.unitCostMinor).toBe(1);
  });
  it('reports the same rules as values, for deciders that answer with their own codes', () => {
    expect(moneyViolation(100, 'LBP', undefined)).toMatchObject({ code: 'fx_rate_required', field: 'fxRateToUsd' });
    expect(moneyViolation(100, 'USD', '1.000')).toBeUndefined();
    expect(moneyViolation(100, 'USD', '2')).toMatchObject({ code: 'fx_rate_not_applicable' });
    expect(moneyViolation(100, 'LBP', '89500')).toBeUndefined();
  });
});

describe('money fields inside events', () => {
  it('names the rule a paid training session breaks without its currency (currency_required)', () => {
    const { TrainingSessionHeld } = jest.requireActual('../training/training.events') as typeof import('../training/training.events');
    const parsed = TrainingSessionHeld.safeParse({ sessionId: 'S1', module: 'technical', governorate: 'North', district: 'Tripoli', costMinor: 100 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['currency'], params: { code: 'currency_required' } });
    const lbp = TrainingSessionHeld.safeParse({ sessionId: 'S1', module: 'technical', governorate: 'North', district: 'Tripoli', costMinor: 100, currency: 'LBP' });
    expect(lbp.error?.issues[0]).toMatchObject({ path: ['fxRateToUsd'], params: { code: 'fx_rate_required' } });
  });
});
