import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { EventPrincipal, NewEvent } from './envelope';
import { chain, hashEnvelope } from './hash-chain';

const principal: fc.Arbitrary<EventPrincipal> = fc.record({
  keyId: fc.string({ minLength: 1, maxLength: 12 }),
  role: fc.constantFrom('ngo', 'finance', 'system'),
  via: fc.constantFrom('http' as const, 'kafka' as const, 'system' as const),
});

const newEvent = fc.record({
  eventId: fc.uuid(),
  type: fc.constantFrom('HouseholdEnrolled', 'HouseholdWithdrawn'),
  data: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })),
  principal: fc.option(principal, { nil: undefined }),
}).map(({ principal: p, ...e }): NewEvent => ({
  ...e,
  ...(p === undefined ? {} : { principal: p }),
  data: e.data as NewEvent['data'],
  schemaVersion: 1,
  occurredAt: '2026-01-01T00:00:00Z',
  recordedAt: '2026-01-01T00:00:01Z',
  source: 'mis',
  actor: 'ngo',
  correlationId: 'c',
  causationId: null,
  contentDigest: 'd',
}));

describe('per-stream hash chain', () => {
  it('links each event to the previous one and hashes every envelope field (property)', () => {
    fc.assert(fc.property(fc.array(newEvent, { minLength: 1, maxLength: 10 }), (events) => {
      const chained = chain('household-H1', events, undefined);
      chained.forEach((e, i) => {
        expect(e.revision).toBe(i);
        expect(e.prevHash).toBe(i === 0 ? null : chained[i - 1]!.hash);
        expect(e.hash).toBe(hashEnvelope(e));
        expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
      });
    }));
  });

  it('continues a stream from its last event', () => {
    const [first] = chain('s-1', [{ ...sample(), eventId: 'a' }], undefined);
    const [second] = chain('s-1', [{ ...sample(), eventId: 'b' }], { revision: first!.revision, hash: first!.hash });
    expect(second!.revision).toBe(1);
    expect(second!.prevHash).toBe(first!.hash);
  });

  it('changes the hash when any single field changes (property)', () => {
    const fields = ['streamId', 'revision', 'eventId', 'type', 'schemaVersion', 'occurredAt', 'recordedAt', 'source', 'actor', 'correlationId', 'causationId', 'data', 'prevHash', 'principal'] as const;
    fc.assert(fc.property(newEvent, fc.constantFrom(...fields), (event, field) => {
      const [e] = chain('s-1', [event], undefined);
      const altered: Record<string, unknown> = { ...e! };
      const value = altered[field];
      altered[field] =
        typeof value === 'number' ? value + 1
        : field === 'data' ? { ...e!.data, tampered: true }
        // Adding, removing or changing any member of the principal changes the hash.
        : field === 'principal' ? (value === undefined ? { keyId: 'k', role: 'ngo', via: 'http' } : { ...(value as EventPrincipal), keyId: `${(value as EventPrincipal).keyId}x` })
        : `${String(value)}x`;
      expect(hashEnvelope(altered as never)).not.toBe(e!.hash);
    }));
  });

  it('does not cover the position, which only the store assigns', () => {
    const [e] = chain('s-1', [sample()], undefined);
    expect(hashEnvelope({ ...e!, position: 1 } as never)).toBe(hashEnvelope({ ...e!, position: 99 } as never));
  });
});

describe('hash of a known envelope (what an independent verifier recomputes)', () => {
  const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
  const base: NewEvent = {
    eventId: 'e-1', type: 'HouseholdEnrolled', schemaVersion: 1, occurredAt: '2026-03-01T09:00:00+02:00',
    recordedAt: '2026-03-01T07:00:01.000Z', source: 'rmf-mis', actor: 'admin:0000000000', correlationId: 'req-1',
    causationId: null, data: { householdId: 'H-1', amountMinor: 1500, 'é': [true, null] }, contentDigest: 'ignored',
  };

  it('without a principal (events recorded before principals): no principal member, the bytes they were written with', () => {
    const [e] = chain('household-H-1', [base], undefined);
    const bytes =
      '{"actor":"admin:0000000000","causationId":null,"correlationId":"req-1","data":{"amountMinor":1500,"householdId":"H-1","é":[true,null]},' +
      '"eventId":"e-1","occurredAt":"2026-03-01T09:00:00+02:00","prevHash":null,"recordedAt":"2026-03-01T07:00:01.000Z",' +
      '"revision":0,"schemaVersion":1,"source":"rmf-mis","streamId":"household-H-1","type":"HouseholdEnrolled"}';
    expect(e!.hash).toBe(sha256(bytes));
    expect(e).not.toHaveProperty('principal');
  });

  it('with a principal: an object member between prevHash and recordedAt, its keys sorted', () => {
    const [e] = chain('household-H-1', [{ ...base, principal: { via: 'http', role: 'ngo', keyId: '3f9a1c07be' } as EventPrincipal }], undefined);
    const bytes =
      '{"actor":"admin:0000000000","causationId":null,"correlationId":"req-1","data":{"amountMinor":1500,"householdId":"H-1","é":[true,null]},' +
      '"eventId":"e-1","occurredAt":"2026-03-01T09:00:00+02:00","prevHash":null,"principal":{"keyId":"3f9a1c07be","role":"ngo","via":"http"},' +
      '"recordedAt":"2026-03-01T07:00:01.000Z","revision":0,"schemaVersion":1,"source":"rmf-mis","streamId":"household-H-1","type":"HouseholdEnrolled"}';
    expect(e!.hash).toBe(sha256(bytes));
  });
});

function sample(): NewEvent {
  return { eventId: 'e', type: 't', schemaVersion: 1, occurredAt: 'o', recordedAt: 'r', source: 's', actor: 'a', correlationId: 'c', causationId: null, data: { x: 1 }, contentDigest: 'd' };
}

describe('canonicalEnvelope', () => {
  it('writes exactly the bytes of the general canonicaliser (property)', () => {
    const { canonicalJson } = jest.requireActual('./canonical-json') as typeof import('./canonical-json');
    const { canonicalEnvelope, hashedPart } = jest.requireActual('./hash-chain') as typeof import('./hash-chain');
    fc.assert(fc.property(fc.array(newEvent, { minLength: 1, maxLength: 3 }), fc.string(), (events, stream) => {
      for (const e of chain(stream, events, undefined)) {
        expect(canonicalEnvelope(e)).toBe(canonicalJson(hashedPart(e)));
      }
    }));
  });
});
