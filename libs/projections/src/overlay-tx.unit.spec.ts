import fc from 'fast-check';
import { OverlayTx, storedForm } from './overlay-tx';
import { encodeDoc } from './read-model-names';
import type { Doc } from './read-store.port';

/** Deep equality that also compares key order and tells -0 from 0 (toStrictEqual does neither fully). */
function sameShape(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameShape((a as Doc)[k], (b as Doc)[k]));
}

const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -0, 1e21, 1e-7, 0.1, -5, 2 ** 53),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: 'binary' }),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('__proto__', '10', '9', 'a')), fc.option(tie('v'), { nil: undefined }), { maxKeys: 6 }),
  ),
})).v;
const doc = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', '1', 'b')), fc.option(value, { nil: undefined }), { maxKeys: 8 });

describe('OverlayTx', () => {
  it('buffers a document in the form parsing its canonical JSON gives: key order, -0, __proto__ members (property)', () => {
    fc.assert(fc.property(doc, (d) => {
      expect(sameShape(storedForm(d), JSON.parse(encodeDoc(d)))).toBe(true);
    }), { numRuns: 2000 });
  });

  it('refuses at put() what canonical JSON refuses, with its error', () => {
    expect(() => storedForm({ a: [1, Number.NaN] })).toThrow(/value at a\[1\] cannot be canonicalised: non-finite number/);
    expect(() => storedForm({ a: new Date(0) })).toThrow(/not a plain object/);
    expect(() => storedForm([1] as unknown as Doc)).toThrow(/plain JSON object/);
  });

  it('hands out copies: mutating what was put or read changes nothing buffered, and writes are canonical JSON', async () => {
    const tx = new OverlayTx({ get: () => undefined, all: () => [] });
    const put = { b: [1, { c: 2 }], a: 'x', gone: undefined };
    await tx.put('c', 'd', put);
    (put.b[1] as Doc).c = 99;
    const read = (await tx.get('c', 'd'))!;
    (read.b as unknown[]).push('mutated');
    expect(await tx.get('c', 'd')).toEqual({ a: 'x', b: [1, { c: 2 }] });
    expect((await tx.all('c')).map((e) => e.doc)).toEqual([{ a: 'x', b: [1, { c: 2 }] }]);
    await tx.delete('c', 'e');
    expect(tx.close()).toEqual([
      { collection: 'c', id: 'd', json: '{"a":"x","b":[1,{"c":2}]}' },
      { collection: 'c', id: 'e', json: null },
    ]);
  });
});
