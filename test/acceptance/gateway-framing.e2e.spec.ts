import { connect } from 'node:net';
import { get, post, useSharedSystem } from '@peil/testing';
import { enrolment } from './fixtures';

/**
 * The reported request-smuggling reproduction, on the system `npm start` runs: an attacker's
 * chunked GET carrying the start of a request line, then an NGO posting an enrolment, which would
 * travel on the same pooled gateway→enrolment connection.
 */
describe('request smuggling through the gateway (embedded profile)', () => {
  const system = useSharedSystem();

  /** Raw bytes on a fresh connection; everything received until the gateway closes it (10 s at most). */
  const raw = (bytes: string) =>
    new Promise<{ text: string; closed: boolean }>((resolve, reject) => {
      const url = new URL(system.baseUrl);
      const socket = connect(Number(url.port), url.hostname, () => socket.write(bytes));
      let text = '';
      const deadline = setTimeout(() => {
        socket.destroy();
        resolve({ text, closed: false });
      }, 10_000);
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.on('close', () => {
        clearTimeout(deadline);
        resolve({ text, closed: true });
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ECONNRESET') reject(err);
      });
    });

  it('refuses the chunked GET and closes; the next enrolment is recorded and answered as its own', async () => {
    const target = enrolment();
    expect((await post(system, '/enrolment/events', { events: [target] })).body.results[0].status).toBe('accepted');
    const householdX = target.data.householdId;
    // A read first, so the gateway holds an idle pooled connection to enrolment.
    expect((await get(system, `/enrolment/households/${householdX}`, 'ngo')).status).toBe(200);

    const smuggled = `GET /v1/enrolment/households/${householdX} HTTP/1.1\r\nX-Pad: `;
    const attack = await raw(
      `GET /v1/enrolment/households/${householdX} HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${system.keys.ngo}\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`,
    );
    expect(attack.closed).toBe(true);
    expect(attack.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(attack.text).toContain('"code":"body_not_allowed"');
    expect(attack.text).not.toContain('Rima');

    const victim = enrolment();
    const answer = await post(system, '/enrolment/events', { events: [victim] });
    expect(answer.status).toBe(200);
    expect(answer.body.results).toEqual([expect.objectContaining({ eventId: victim.eventId, status: 'accepted' })]);
    const recorded = await get(system, `/enrolment/households/${victim.data.householdId}`, 'ngo');
    expect(recorded.status).toBe(200);
    expect(JSON.stringify(recorded.body)).toContain(victim.data.householdId);
  }, 60_000);

  it('answers pipelined reads and a write on one connection each with its own answer', async () => {
    const a = enrolment();
    const b = enrolment();
    await post(system, '/enrolment/events', { events: [a] });
    const body = JSON.stringify({ events: [b] });
    const head = (line: string, extra = '') => `${line}\r\nHost: gateway\r\nAuthorization: Bearer ${system.keys.ngo}\r\n${extra}`;
    const res = await raw(
      head(`GET /v1/enrolment/households/${a.data.householdId} HTTP/1.1`, '\r\n') +
        head('POST /v1/enrolment/events HTTP/1.1', `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`) +
        head(`GET /v1/enrolment/households/${b.data.householdId} HTTP/1.1`, 'Connection: close\r\n\r\n'),
    );
    expect(res.closed).toBe(true);
    const statuses = [...res.text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
    expect(statuses).toEqual(['200', '200', '200']);
    const [first, second, third] = [res.text.indexOf(a.data.householdId), res.text.indexOf(b.eventId), res.text.lastIndexOf(b.data.householdId)];
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    expect(third).toBeGreaterThan(second);
  }, 60_000);
});
