import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { get, kafkaEnv, kafkaTargets, removeDir, startSystem, type RunningSystem, type TestKafka } from '@peil/testing';
import { enrolment } from './fixtures';

/**
 * Issue 6 item 2, on the running system (mock cluster; a Kafka container too where Docker is, 0017): NGO systems produce submissions to
 * `peil.<context>.submissions`; each is decided by the same SubmissionProcessor as over HTTP, its
 * result goes to `peil.submission-results` keyed by eventId, rejections also to the context's DLQ.
 * Producers are authenticated by the principal header mapped in PEIL_KAFKA_PRINCIPALS (0014).
 */
const TOPIC = 'peil.enrolment.submissions';
const RESULTS = 'peil.submission-results';
const DLQ = 'peil.enrolment.submissions.dlq';

interface Received {
  topic: string;
  key: string | null;
  value: string;
  headers: { [name: string]: string };
}

describe.each(kafkaTargets('kafka-submissions.e2e'))('submissions over Kafka ($name)', (target) => {
  let mock: TestKafka;
  let system: RunningSystem;
  let kafka: Kafka;
  let producer: Producer;
  let consumer: Consumer;
  const received: Received[] = [];

  const env = (): { [name: string]: string } => ({
    ...kafkaEnv(mock),
    PEIL_KAFKA_PRINCIPALS: JSON.stringify({ 'rmf-mis': 'ngo', 'finance-erp': 'finance' }),
    // The mock ignores LeaveGroup: a restarted service rejoins once its old member timed out.
    PEIL_KAFKA_SESSION_TIMEOUT_MS: '6000',
  });

  beforeAll(async () => {
    mock = await target.start();
    kafka = new Kafka({ clientId: 'ngo-mis', brokers: mock.brokers, logLevel: logLevel.NOTHING, connectionTimeout: 1_000 });
    // Started first: the mock waits ~3 s before a group's first assignment, while the system starts.
    consumer = kafka.consumer({ groupId: `results-spec-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [RESULTS, DLQ], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers: Received['headers'] = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
        received.push({ topic, key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers });
      },
    });
    producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    system = await startSystem({ env: env() });
  }, 60_000 + target.startupMs);

  afterAll(async () => {
    await system?.stop();
    await producer?.disconnect();
    await consumer?.disconnect();
    await mock?.stop();
    if (system) removeDir(system.dataDir);
  });

  const produce = (value: unknown, principal: string | null = 'rmf-mis') =>
    producer.send({
      topic: TOPIC,
      acks: -1,
      messages: [{ value: typeof value === 'string' ? value : JSON.stringify(value), headers: principal === null ? {} : { principal } }],
    });

  const waitFor = async (what: string, match: (r: Received) => boolean, count = 1): Promise<Received[]> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = received.filter(match);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`${what}: ${found.length} of ${count} records within 20 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const results = (eventId: string, count = 1) =>
    waitFor(`results of ${eventId}`, (r) => r.topic === RESULTS && r.key === eventId, count).then((rs) => rs.map((r) => JSON.parse(r.value)));
  const deadLetters = (match: (r: Received) => boolean) => waitFor('dead letters', (r) => r.topic === DLQ && match(r));
  const inLedger = async (eventId: string) => {
    const res = await get(system, '/ledger/events?limit=10000');
    expect(res.status).toBe(200);
    return (res.body.events as Array<{ eventId: string }>).filter((e) => e.eventId === eventId);
  };

  it('accepts a valid submission: its result is on peil.submission-results keyed by eventId, its event in the ledger', async () => {
    const submission = enrolment();
    await produce(submission);
    const [result] = await results(submission.eventId);
    expect(result).toEqual({
      eventId: submission.eventId,
      status: 'accepted',
      position: expect.any(Number),
      streamId: `household-${submission.data.householdId}`,
      revision: 0,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const [event] = await inLedger(submission.eventId);
    // The claims as produced; the principal is the producer the principal header named (via kafka).
    expect(event).toMatchObject({ position: result.position, hash: result.hash, source: 'rmf-mis', actor: 'field-officer-7', principal: { keyId: 'rmf-mis', role: 'ngo', via: 'kafka' } });
    expect(received.find((r) => r.key === submission.eventId)!.headers).toEqual({ context: 'enrolment', status: 'accepted' });
  }, 30_000);

  it('answers a submission produced twice `duplicate` with the original position: one event in the ledger', async () => {
    const submission = enrolment();
    await produce(submission);
    await results(submission.eventId);
    await produce(submission);
    const [first, second] = await results(submission.eventId, 2);
    expect(first.status).toBe('accepted');
    expect(second).toEqual({ ...first, status: 'duplicate' });
    expect(await inLedger(submission.eventId)).toHaveLength(1);
  }, 30_000);

  it('rejects an invalid submission to the results and the DLQ (original value, error code in headers); nothing is written', async () => {
    const submission = enrolment({ consent: false });
    const value = JSON.stringify(submission);
    await produce(value);
    const [result] = await results(submission.eventId);
    expect(result).toMatchObject({ eventId: submission.eventId, status: 'rejected', error: { code: expect.any(String), path: 'data.consent' } });
    const [dead] = await deadLetters((r) => r.key === submission.eventId);
    expect(dead!.value).toBe(value);
    expect(dead!.headers).toMatchObject({ context: 'enrolment', eventId: submission.eventId, errorCode: result.error.code, principal: 'rmf-mis' });
    expect(JSON.parse(dead!.headers.error!)).toEqual(result.error);
    expect(dead!.headers.origin).toMatch(/^peil\.enrolment\.submissions\/\d+\/\d+$/);
    expect(await inLedger(submission.eventId)).toHaveLength(0);
  }, 30_000);

  it('sends a message that is not an event at all to the DLQ as malformed_message', async () => {
    const value = `not json ${randomUUID()}`;
    await produce(value);
    const [dead] = await deadLetters((r) => r.value === value);
    expect(dead!.headers.errorCode).toBe('malformed_message');
    expect(dead!.key).toBeNull();
  }, 30_000);

  it('refuses an unknown principal (unauthenticated), a missing one, and a role that may not write the context (forbidden); nothing is written', async () => {
    const unknown = enrolment();
    const anonymous = enrolment();
    const finance = enrolment();
    await produce(unknown, 'someone-else');
    await produce(anonymous, null);
    await produce(finance, 'finance-erp');
    expect((await results(unknown.eventId))[0]).toMatchObject({ status: 'rejected', error: { code: 'unauthenticated' } });
    expect((await results(anonymous.eventId))[0]).toMatchObject({ status: 'rejected', error: { code: 'unauthenticated' } });
    expect((await results(finance.eventId))[0]).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
    const [dead] = await deadLetters((r) => r.key === unknown.eventId);
    expect(dead!.headers).toMatchObject({ errorCode: 'unauthenticated', principal: 'someone-else' });
    for (const s of [unknown, anonymous, finance]) expect(await inLedger(s.eventId)).toHaveLength(0);
  }, 30_000);

  it('takes the HTTP batch body too, in order: each event its own result, only the rejected one on the DLQ', async () => {
    const first = enrolment();
    const again = { ...enrolment(), data: first.data }; // the same household a second time: rejected
    await produce({ events: [first, again] });
    expect((await results(first.eventId))[0]).toMatchObject({ status: 'accepted' });
    const [rejected] = await results(again.eventId);
    expect(rejected).toMatchObject({ status: 'rejected', error: { code: expect.any(String) } });
    const [dead] = await deadLetters((r) => r.key === again.eventId);
    expect(JSON.parse(dead!.value)).toEqual(again);
    expect(received.filter((r) => r.topic === DLQ && r.key === first.eventId)).toHaveLength(0);
  }, 30_000);

  it('commits offsets only once answered: a restarted service resumes after the last answered message, not from the start', async () => {
    const before = enrolment();
    await produce(before);
    await results(before.eventId);
    const answered = received.filter((r) => r.topic === RESULTS).length;
    await system.stop();
    system = await startSystem({ dataDir: system.dataDir, env: env() });
    const after = enrolment();
    await produce(after);
    await results(after.eventId);
    // Everything answered before the restart stayed answered once: only the new message got a result.
    expect(received.filter((r) => r.topic === RESULTS).length).toBe(answered + 1);
  }, 60_000);
});
