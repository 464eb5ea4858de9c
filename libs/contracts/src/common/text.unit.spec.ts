import fc from 'fast-check';
import { firstTextIssue, textProblem } from './text';

const FORBIDDEN_UNITS = [
  ...Array.from({ length: 0x20 }, (_, i) => i).filter((c) => c !== 0x09 && c !== 0x0a),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i), // DEL and C1
  0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
];

/** The reference, written plainly: code point by code point. */
function acceptable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
      continue;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return false;
    if (FORBIDDEN_UNITS.includes(unit)) return false;
  }
  return true;
}

/** Strings mixing Arabic, Latin, marks, pairs and every refused kind of unit. */
const units = fc.oneof(
  fc.constantFrom('a', 'Z', ' ', '\t', '\n', 'ط', 'ر', '\u200E', '\u200F', '\u061C', '😀', 'é', 'e\u0301', '١'),
  fc.constantFrom(...FORBIDDEN_UNITS.map((u) => String.fromCharCode(u))),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)),
  fc.string({ unit: 'binary', maxLength: 3 }),
);
const text = fc.array(units, { maxLength: 20 }).map((parts) => parts.join(''));

describe('textProblem', () => {
  it('refuses exactly lone surrogates, C0 (but tab and newline), DEL, C1 and bidi overrides/isolates (property, against a plain reference)', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(textProblem(s) === undefined).toBe(acceptable(s));
      }),
      { seed: 20260301, numRuns: 2000 },
    );
  });

  it('accepts well-formed text of any script, with LRM, RLM and ALM (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        const clean = [...s].filter((ch) => acceptable(ch)).join('');
        expect(textProblem(`${clean}\u200E\u200F\u061C`)).toBeUndefined();
      }),
      { seed: 20260301, numRuns: 2000 },
    );
  });

  it('names the code point and where it is', () => {
    expect(textProblem('No\u0000rth')).toBe('contains the control character U+0000 at character 3');
    expect(textProblem('ab\uD800')).toMatch(/lone surrogate U\+D800 at character 3/);
    expect(textProblem('\u202Eabc')).toMatch(/bidirectional formatting character U\+202E at character 1/);
    expect(textProblem('\r')).toMatch(/U\+000D/);
  });
});

describe('firstTextIssue', () => {
  it('walks values and member names, and says where', () => {
    expect(firstTextIssue({ data: { skills: ['ok', 'b\u0007ad'] } })).toEqual({ code: 'invalid_text', path: 'data.skills[1]', message: expect.stringContaining('data.skills[1]: contains the control character U+0007') });
    expect(firstTextIssue({ data: { ['x\u202Ey']: 1 } })).toMatchObject({ code: 'invalid_text', path: 'data' });
    expect(firstTextIssue({ data: { a: 1, b: [true, null, 'fine\tand\nlines'] } })).toBeUndefined();
  });

  it('bounds depth without recursion, however deep the value', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(firstTextIssue(deep, '', 64)).toMatchObject({ code: 'too_deep' });
    let ok: unknown = 'x';
    for (let i = 0; i < 64; i++) ok = { a: ok };
    expect(firstTextIssue(ok, '', 64)).toBeUndefined();
    expect(firstTextIssue({ a: ok }, '', 64)).toMatchObject({ code: 'too_deep' });
  });
});
