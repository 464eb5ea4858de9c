import { get, post, useSharedSystem } from '@peil/testing';
import { enrolment } from './fixtures';
import { accepted, ev, head, peilGrant, uniq } from './programme';

/**
 * The reported ways a request could make a service answer 500, write half a batch, or let
 * malformed text reach the ledger — each reproduced through the gateway, as a client sends it.
 */
describe('hostile input through the gateway', () => {
  const system = useSharedSystem();
  const grant = peilGrant();

  beforeAll(async () => {
    await accepted(system, 'grant', [grant.event], 'finance');
  }, 120_000);

  const send = async (path: string, body: string | Uint8Array, contentType = 'application/json', role = 'ngo') => {
    const res = await fetch(`${system.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${system.keys[role]}` }, body });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) };
  };
  const commitment = (over: Record<string, unknown> = {}) =>
    ev('FundsCommitted', { commitmentId: uniq('PO'), budgetLine: grant.lines.training!, amountMinor: 1_000, reference: 'Contract RMF-TR-1', ...over });

  it('answers a batch whose second event nests 10,000 deep 400 too_deep, naming the limit, and writes nothing of it', async () => {
    const before = await head(system);
    let deep = '1';
    for (let i = 0; i < 10_000; i++) deep = `{"a":${deep}}`;
    const first = commitment();
    const second = JSON.stringify(commitment()).replace(/}$/, `,"extra":${deep}}`);
    const res = await send('/grant/events', `{"events":[${JSON.stringify(first)},${second}]}`, 'application/json', 'finance');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'too_deep', message: expect.stringContaining('64 levels (PEIL_MAX_JSON_DEPTH)') });
    expect(await head(system)).toBe(before);
    expect((await get(system, `/grant/commitments/${first.data.commitmentId}`, 'finance')).status).toBe(404);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('answers an event of type %s as an unknown type, and records the rest of the batch', async (type) => {
    const good = commitment();
    const res = await post(system, '/grant/events', { events: [{ ...commitment(), type }, good] }, 'finance');
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'unknown_event_type', path: 'type' } });
    expect(res.body.results[1]).toMatchObject({ status: 'accepted', eventId: good.eventId });
  });

  it.each([
    ['a lone surrogate in fullName', enrolment({}, { fullName: 'Rima \uD800Haddad' }), 'data.participant.fullName'],
    ['NUL in a governorate', enrolment({ governorate: 'No\u0000rth' }), 'data.governorate'],
    ['a right-to-left override in a district', enrolment({ district: 'Tri\u202Epoli' }), 'data.district'],
    ['a C1 control in a name', enrolment({}, { fullName: 'Rima\u0085Haddad' }), 'data.participant.fullName'],
  ])('rejects %s with invalid_text and its path, writing nothing', async (_label, event, path) => {
    const before = await head(system);
    const res = await post(system, '/enrolment/events', { events: [event] });
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'invalid_text', path } });
    expect(await head(system)).toBe(before);
  });

  it('rejects a newline in a one-line field, accepts Arabic with its marks in a name', async () => {
    const res = await post(system, '/enrolment/events', { events: [enrolment({ district: 'Tri\npoli' })] });
    expect(res.body.results[0]).toMatchObject({ status: 'rejected', error: { path: 'data.district' } });
    await accepted(system, 'enrolment', [enrolment({}, { fullName: 'ريما حداد\u200F (Rima)\u200E' })]);
  });

  it('answers a body that is not UTF-8 400 invalid_utf8', async () => {
    const body = Buffer.from(JSON.stringify({ events: [enrolment({}, { fullName: 'Rima XX' })] }));
    const at = body.indexOf('XX');
    body[at] = 0xc3;
    body[at + 1] = 0x28;
    const res = await send('/enrolment/events', body);
    expect(res).toEqual({ status: 400, body: { error: { code: 'invalid_utf8', message: expect.any(String) } } });
  });

  it('answers valid JSON sent as text/plain 415 unsupported_media_type', async () => {
    const res = await send('/enrolment/events', JSON.stringify({ events: [enrolment()] }), 'text/plain');
    expect(res.status).toBe(415);
    expect(res.body.error).toMatchObject({ code: 'unsupported_media_type', path: 'content-type' });
  });

  it('rejects impossible dates: a birthDate of 30 February, an asOf of 30 February', async () => {
    const res = await post(system, '/enrolment/events', { events: [enrolment({}, { birthDate: '1990-02-30' })] });
    expect(res.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'invalid_field', path: 'data.participant.birthDate' } });
    const report = await get(system, '/reports/beneficiaries?asOf=2025-02-30', 'donor');
    expect(report.status).toBe(400);
    expect(report.body.error).toMatchObject({ code: 'invalid_query', path: 'asOf' });
  });

  it.each([
    ['/ledger/events?after[]=1', 'after[]', 'unknown_query_parameter'],
    ['/ledger/events?limit=1&limit=2', 'limit', 'invalid_query'],
    ['/ledger/events?after=99999999999999999999', 'after', 'invalid_query'],
    ['/ledger/streams/x?fromRevision[]=1', 'fromRevision[]', 'unknown_query_parameter'],
    ['/grant/expenditures?budgetLine=a&budgetLine=b', 'budgetLine', 'invalid_query'],
    ['/reports/beneficiaries?asOf=1&asOf=2', 'asOf', 'invalid_query'],
    ['/reports/beneficiaries?asof=1', 'asof', 'unknown_query_parameter'],
  ])('answers %s 400 with its path', async (path, param, code) => {
    const res = await get(system, path, 'admin');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, path: param });
  });

  it('echoes a 10 KB eventId cut to 128 characters and a marker', async () => {
    const res = await post(system, '/grant/events', { events: [{ ...commitment(), eventId: 'e'.repeat(10_000) }] }, 'finance');
    expect(res.body.results[0].eventId).toBe(`${'e'.repeat(128)}…[10000 chars]`);
    expect(JSON.stringify(res.body).length).toBeLessThan(1_000);
  });
});
