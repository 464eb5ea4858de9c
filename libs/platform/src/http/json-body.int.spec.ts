import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import fc from 'fast-check';
import { isJsonContentType, jsonBody, nestingDepth, parseJsonBytes, truncated } from './json-body';

/** Depth by the definition, on a parsed value. */
const depthOf = (v: unknown): number =>
  typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v as object).map(depthOf)) : 0;

describe('nestingDepth', () => {
  it('is the depth of the parsed value, brackets inside strings and escapes not counted (property)', () => {
    const tricky = fc.constantFrom('[', ']', '{', '}', '"', '\\', '\\"', '"[{', 'a');
    const leaf = fc.oneof(fc.string(), fc.array(tricky).map((p) => p.join('')), fc.integer(), fc.constant(null));
    fc.assert(
      fc.property(fc.jsonValue(), fc.letrec((tie) => ({ node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node')), fc.dictionary(fc.string(), tie('node'))) })).node, (a, b) => {
        for (const value of [a, b]) expect(nestingDepth(JSON.stringify(value))).toBe(depthOf(value));
      }),
      { seed: 20260301, numRuns: 500 },
    );
  });
});

describe('parseJsonBytes', () => {
  it('refuses bytes that are not UTF-8 rather than replacing them', () => {
    const bytes = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(parseJsonBytes(bytes, 64)).toMatchObject({ ok: false, status: 400, error: { code: 'invalid_utf8' } });
    // An encoded lone surrogate (CESU-style) is not UTF-8 either.
    expect(parseJsonBytes(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), 64)).toMatchObject({ ok: false, error: { code: 'invalid_utf8' } });
  });
  it('refuses a 10,000-deep body before JSON.parse, naming the limit', () => {
    const body = `{"events":[${'['.repeat(10_000)}${']'.repeat(10_000)}]}`;
    const parsed = parseJsonBytes(Buffer.from(body), 64);
    expect(parsed).toMatchObject({ ok: false, status: 400, error: { code: 'too_deep' } });
    expect(!parsed.ok && parsed.error.message).toMatch(/64 levels \(PEIL_MAX_JSON_DEPTH\)/);
    expect(parseJsonBytes(Buffer.from(`${'['.repeat(64)}${']'.repeat(64)}`), 64)).toMatchObject({ ok: true });
    expect(parseJsonBytes(Buffer.from(`${'['.repeat(65)}${']'.repeat(65)}`), 64)).toMatchObject({ ok: false, error: { code: 'too_deep' } });
  });
  it('answers malformed JSON as malformed_json', () => {
    expect(parseJsonBytes(Buffer.from('{"events": [}'), 64)).toMatchObject({ ok: false, error: { code: 'malformed_json' } });
  });
});

describe('isJsonContentType', () => {
  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['Application/JSON; Charset="UTF-8"', true],
    ['application/merge-patch+json', true],
    ['application/json; charset=latin1', false],
    ['text/plain', false],
    ['text/json', false],
    ['application/x-www-form-urlencoded', false],
    [undefined, false],
  ])('%s → %s', (header, expected) => expect(isJsonContentType(header)).toBe(expected));
});

describe('truncated', () => {
  it('keeps short strings and cuts long ones with a marker, never inside a surrogate pair', () => {
    expect(truncated('abc')).toBe('abc');
    expect(truncated('x'.repeat(200))).toBe(`${'x'.repeat(128)}…[200 chars]`);
    const cut = truncated(`${'x'.repeat(127)}😀${'y'.repeat(10)}`);
    expect(cut.startsWith(`${'x'.repeat(127)}…`)).toBe(true);
    expect(/[\uD800-\uDBFF]…/.test(cut)).toBe(false);
  });
});

describe('jsonBody middleware on a real server', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const app = express();
    app.use(jsonBody({ limitBytes: 1024, maxDepth: 8 }));
    app.post('/echo', (req, res) => res.json({ body: req.body ?? null }));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = async (body: string | Uint8Array, contentType?: string) => {
    const res = await fetch(url, { method: 'POST', body, headers: contentType ? { 'content-type': contentType } : {} });
    return { status: res.status, body: (await res.json()) as { body?: unknown; error?: { code: string; message: string; path?: string } } };
  };

  it('parses JSON sent as application/json', async () => {
    expect(await post('{"a":[1,"é"]}', 'application/json')).toEqual({ status: 200, body: { body: { a: [1, 'é'] } } });
  });
  it('answers valid JSON sent as text/plain 415 unsupported_media_type', async () => {
    const res = await post('{"events":[]}', 'text/plain');
    expect(res.status).toBe(415);
    expect(res.body.error).toMatchObject({ code: 'unsupported_media_type', path: 'content-type' });
  });
  it('answers 400 for invalid UTF-8, too deep and malformed bodies, 413 above the limit', async () => {
    expect((await post(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), 'application/json')).body.error?.code).toBe('invalid_utf8');
    expect(await post(`${'['.repeat(9)}${']'.repeat(9)}`, 'application/json')).toMatchObject({ status: 400, body: { error: { code: 'too_deep' } } });
    expect(await post('{', 'application/json')).toMatchObject({ status: 400, body: { error: { code: 'malformed_json' } } });
    expect(await post(`"${'x'.repeat(2000)}"`, 'application/json')).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
  });
  it('leaves a request without a body alone', async () => {
    const res = await fetch(url, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ body: null });
  });
});
