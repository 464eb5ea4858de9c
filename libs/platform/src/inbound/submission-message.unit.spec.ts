import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { SqliteEventStore } from '@peil/ledger';
import { ConfigError } from '@peil/config';
import { ManualClock } from '../clock/clock';
import { SubmissionProcessor } from '../submissions/submission-processor';
import { loadKafkaPrincipals } from './kafka-principals';
import { authorise, parseSubmissionMessage, recordsFor, type MessageOrigin } from './submission-message';
import { SubmissionIntake } from './submission-intake';
import { submissionsServerFromEnv } from './submissions-from-env';
import { SubmissionsServer } from './submissions.server';

const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const event = (data: Record<string, unknown> = { name: 'a' }) => ({ eventId: randomUUID(), type: 'ThingNamed', occurredAt: '2026-03-01T09:00:00+02:00', data });
const principals = new Map([['rmf-mis', 'ngo' as const], ['finance-erp', 'finance' as const]]);

describe('parseSubmissionMessage', () => {
  it('takes one event envelope, or the HTTP batch body in order', () => {
    const one = event();
    const two = event();
    expect(parseSubmissionMessage(bytes(one))).toEqual({ ok: true, events: [one], batch: false });
    expect(parseSubmissionMessage(bytes({ events: [one, two] }))).toEqual({ ok: true, events: [one, two], batch: true });
  });

  it.each([
    ['an empty value', ''],
    ['a value that is not JSON', 'HouseholdEnrolled;HH-1'],
    ['a JSON array', '[{"eventId":"x"}]'],
    ['a JSON string', '"event"'],
    ['JSON null', 'null'],
  ])('answers %s malformed_message', (_, value) => {
    expect(parseSubmissionMessage(bytes(value))).toMatchObject({ ok: false, error: { code: 'malformed_message' } });
  });

  it('applies the batch limits of the HTTP API, with its codes', () => {
    expect(parseSubmissionMessage(bytes({ events: [] }))).toMatchObject({ ok: false, error: { code: 'invalid_request', path: 'events' } });
    expect(parseSubmissionMessage(bytes({ events: 'all' }))).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    const tooMany = Array.from({ length: 1001 }, () => event());
    expect(parseSubmissionMessage(bytes({ events: tooMany }))).toMatchObject({ ok: false, error: { code: 'too_many_events' } });
  });
});

describe('authorise', () => {
  it('maps a known principal to its role, named apart from HTTP callers', () => {
    expect(authorise('rmf-mis', principals, ['ngo', 'admin'], 'enrolment')).toEqual({
      ok: true,
      principal: { role: 'ngo', name: 'kafka:rmf-mis', requestId: '', recordAs: { keyId: 'rmf-mis', role: 'ngo', via: 'kafka' } },
    });
  });

  it('refuses a missing or unknown principal (unauthenticated) and a role that may not write the context (forbidden)', () => {
    expect(authorise(undefined, principals, ['ngo'], 'enrolment')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(authorise('', principals, ['ngo'], 'enrolment')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(authorise('someone', principals, ['ngo'], 'enrolment')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(authorise('finance-erp', principals, ['ngo', 'admin'], 'enrolment')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

describe('recordsFor', () => {
  const origin: MessageOrigin = { topic: 'peil.grant.submissions', partition: 2, offset: '41', principal: 'finance-erp' };

  it('puts every result on peil.submission-results keyed by eventId, and rejections also on the DLQ with the error in headers', () => {
    const accepted = { eventId: 'e1', status: 'accepted' as const, position: 7, streamId: 'grant-G', revision: 0, hash: 'ab' };
    const rejected = { eventId: 'e2', status: 'rejected' as const, error: { code: 'over_allocation', message: 'too much', path: 'data.amountMinor' } };
    const records = recordsFor('grant', origin, [{ result: accepted }, { result: rejected, deadLetter: bytes('{"eventId":"e2"}') }]);
    expect(records).toEqual([
      { topic: 'peil.submission-results', key: 'e1', value: JSON.stringify(accepted), headers: { context: 'grant', status: 'accepted' } },
      { topic: 'peil.submission-results', key: 'e2', value: JSON.stringify(rejected), headers: { context: 'grant', status: 'rejected' } },
      {
        topic: 'peil.grant.submissions.dlq',
        key: 'e2',
        value: bytes('{"eventId":"e2"}'),
        headers: {
          context: 'grant',
          eventId: 'e2',
          errorCode: 'over_allocation',
          error: JSON.stringify(rejected.error),
          origin: 'peil.grant.submissions/2/41',
          principal: 'finance-erp',
        },
      },
    ]);
  });

  it('keys the answers to a message without eventId by null', () => {
    const malformed = { eventId: null, status: 'rejected' as const, error: { code: 'malformed_message', message: 'the value is not JSON' } };
    const records = recordsFor('grant', { ...origin, principal: undefined }, [{ result: malformed, deadLetter: bytes('x') }]);
    expect(records.map((r) => [r.topic, r.key])).toEqual([['peil.submission-results', null], ['peil.grant.submissions.dlq', null]]);
    expect(records[1]!.headers).not.toHaveProperty('principal');
  });
});

describe('SubmissionIntake over a real SubmissionProcessor and ledger', () => {
  let store: SqliteEventStore;
  let intake: SubmissionIntake;
  beforeEach(() => {
    store = new SqliteEventStore(':memory:');
    const handlers = {
      ThingNamed: {
        schema: z.object({ name: z.string() }),
        decide: async (s: { eventId: string; occurredAt: string; data: { name: string } }) => ({
          kind: 'append' as const,
          streamId: `thing-${s.data.name}`,
          expectedRevision: 'no_stream' as const,
          events: [{ eventId: s.eventId, type: 'ThingNamed', occurredAt: s.occurredAt, data: { name: s.data.name } }],
        }),
      },
    };
    const processor = new SubmissionProcessor(store, handlers, Buffer.alloc(32, 1), new ManualClock(new Date('2026-03-02T00:00:00Z')));
    intake = new SubmissionIntake('enrolment', ['ngo', 'admin'], principals, processor);
  });
  afterEach(() => store.close());

  it('answers each event of a batch; a rejected one is its own dead letter, the accepted ones are in the ledger once', async () => {
    const a = event({ name: 'a' });
    const bad = event({ name: 42 });
    const answers = await intake.take(bytes({ events: [a, bad] }), 'rmf-mis');
    expect(answers.map((x) => x.result.status)).toEqual(['accepted', 'rejected']);
    expect(answers[0]!.deadLetter).toBeUndefined();
    expect(JSON.parse(answers[1]!.deadLetter!.toString())).toEqual(bad);
    const again = await intake.take(bytes(a), 'rmf-mis');
    expect(again[0]!.result).toEqual({ ...answers[0]!.result, status: 'duplicate' });
    expect((await store.readAll(null, 100)).map((e) => [e.eventId, e.source, e.principal])).toEqual([
      [a.eventId, 'kafka:rmf-mis', { keyId: 'rmf-mis', role: 'ngo', via: 'kafka' }],
    ]);
  });

  it('refuses a whole message for its principal: every event named, the message once on the DLQ as produced, nothing written', async () => {
    const value = bytes({ events: [event(), event()] });
    const answers = await intake.take(value, 'finance-erp');
    expect(answers.map((x) => x.result.error?.code)).toEqual(['forbidden', 'forbidden']);
    expect(answers.filter((x) => x.deadLetter).map((x) => x.deadLetter)).toEqual([value]);
    expect(await store.readAll(null, 100)).toEqual([]);
  });

  it('answers a tombstone (null value) malformed_message', async () => {
    expect(await intake.take(null, 'rmf-mis')).toEqual([
      { result: { eventId: null, status: 'rejected', error: expect.objectContaining({ code: 'malformed_message' }) }, deadLetter: Buffer.alloc(0) },
    ]);
  });
});

describe('PEIL_KAFKA_PRINCIPALS', () => {
  it('maps principals to roles; unset means nobody', () => {
    expect(loadKafkaPrincipals({})).toEqual(new Map());
    expect(loadKafkaPrincipals({ PEIL_KAFKA_PRINCIPALS: '{"rmf-mis":"ngo","User:erp":"finance"}' })).toEqual(new Map([['rmf-mis', 'ngo'], ['User:erp', 'finance']]));
  });

  it.each([
    ['not JSON', 'rmf-mis=ngo'],
    ['an array', '["ngo"]'],
    ['an unknown role', '{"rmf-mis":"owner"}'],
    ['the services\' own role', '{"rmf-mis":"system"}'],
    ['a principal name with spaces', '{"rmf mis":"ngo"}'],
  ])('refuses %s with a ConfigError naming the variable', (_, value) => {
    expect(() => loadKafkaPrincipals({ PEIL_KAFKA_PRINCIPALS: value })).toThrow(ConfigError);
    expect(() => loadKafkaPrincipals({ PEIL_KAFKA_PRINCIPALS: value })).toThrow(/PEIL_KAFKA_PRINCIPALS/);
  });
});

describe('submissionsServerFromEnv', () => {
  const kafka = { PEIL_BUS: 'kafka', PEIL_KAFKA_BROKERS: '127.0.0.1:9092' };

  it('creates no Kafka transport on PEIL_BUS=store, nor for services that write no context', () => {
    expect(submissionsServerFromEnv('enrolment', {})).toBeNull();
    expect(submissionsServerFromEnv('enrolment', { PEIL_BUS: 'store', PEIL_KAFKA_PRINCIPALS: 'ignored here' })).toBeNull();
    expect(submissionsServerFromEnv('ledger', { ...kafka })).toBeNull();
    expect(submissionsServerFromEnv('reporting', { ...kafka })).toBeNull();
  });

  it('creates one, not yet connected, for a writing context on PEIL_BUS=kafka', () => {
    expect(submissionsServerFromEnv('grant', { ...kafka, PEIL_KAFKA_PRINCIPALS: '{"erp":"finance"}' })).toBeInstanceOf(SubmissionsServer);
  });

  it('stops the start on a bad bus or principals variable', () => {
    expect(() => submissionsServerFromEnv('grant', { PEIL_BUS: 'kafka' })).toThrow(/PEIL_KAFKA_BROKERS/);
    expect(() => submissionsServerFromEnv('grant', { ...kafka, PEIL_KAFKA_PRINCIPALS: '{"erp":"root"}' })).toThrow(/PEIL_KAFKA_PRINCIPALS/);
  });
});
