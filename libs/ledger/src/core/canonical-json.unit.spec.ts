import fc from 'fast-check';
import { canonicalJson, NotCanonicalisableError } from './canonical-json';

const json = fc.jsonValue({ maxDepth: 4 });

describe('canonical JSON', () => {
  it('sorts keys by UTF-16 code units and drops insignificant whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], A: { d: 1.5, c: -0 } })).toBe('{"A":{"c":0,"d":1.5},"a":[true,null,"x"],"b":1}');
    // "é" (U+00E9) sorts after "z" by code unit, whatever the locale says.
    expect(canonicalJson({ é: 1, z: 2 })).toBe('{"z":2,"é":1}');
  });

  it('prints numbers in their shortest round-trip form', () => {
    expect(canonicalJson([1e21, 1e-7, 100, 0.1 + 0.2])).toBe('[1e+21,1e-7,100,0.30000000000000004]');
  });

  it('refuses values JSON cannot represent, naming where', () => {
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow(NotCanonicalisableError);
    expect(() => canonicalJson({ a: new Date(0) })).toThrow(/value at a cannot be canonicalised: not a plain object/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/unsupported type bigint/);
  });

  it('is valid JSON that parses back to an equal value (property)', () => {
    fc.assert(fc.property(json, (v) => {
      expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
    }));
  });

  it('is a fixed point: canonicalising the parsed canonical form gives the same bytes (property)', () => {
    fc.assert(fc.property(json, (v) => {
      const once = canonicalJson(v);
      expect(canonicalJson(JSON.parse(once))).toBe(once);
    }));
  });

  it('does not depend on key insertion order (property)', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), json), (obj) => {
      const reversed = Object.fromEntries(Object.entries(obj).reverse());
      expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
    }));
  });

  it('contains no whitespace outside strings (property)', () => {
    fc.assert(fc.property(json, (v) => {
      const withoutStrings = canonicalJson(v).replace(/"(?:[^"\\]|\\.)*"/g, '""');
      expect(withoutStrings).not.toMatch(/\s/);
    }));
  });

  it('gives the bytes of the straightforward definition, holes, undefined and -0 included (property)', () => {
    // The definition canonicalJson had before its fast path, kept here as the reference.
    const reference = (value: unknown): string => {
      if (value === null) return 'null';
      if (typeof value === 'boolean') return value ? 'true' : 'false';
      if (typeof value === 'string' || typeof value === 'number') return JSON.stringify(value);
      if (Array.isArray(value)) return `[${value.map((item) => reference(item)).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(record[k])}`).join(',')}}`;
    };
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(null, true, false, 0, -0, 1e21, 1e-7, 0.1, -5),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string({ unit: 'binary' }),
        fc.sparseArray(tie('v'), { maxLength: 5 }),
        fc.dictionary(fc.string({ unit: 'binary' }), fc.option(tie('v'), { nil: undefined }), { maxKeys: 6 }),
      ),
    })).v;
    fc.assert(fc.property(value, (v) => {
      expect(canonicalJson(v)).toBe(reference(v));
    }), { numRuns: 2000 });
  });
});
