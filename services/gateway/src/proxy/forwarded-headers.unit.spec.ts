import { downstreamResponseHeaders, requestIdFor, upstreamRequestHeaders } from './forwarded-headers';

const forwarded = { token: 'internal-token', caller: { role: 'ngo' as const, keyId: 'abc123' }, requestId: 'req-1', clientAddress: '127.0.0.1' };

describe('upstreamRequestHeaders', () => {
  it('drops every x-peil-* header the client sent and the framing headers, and sets the gateway ones', () => {
    const out = upstreamRequestHeaders(
      {
        'x-peil-role': 'admin',
        'x-peil-gateway-token': 'forged',
        'x-peil-principal': 'admin:forged',
        'x-peil-anything': 'x',
        'x-request-id': 'client-id',
        'content-type': 'application/json',
        'content-length': '12',
        accept: 'application/json',
      },
      forwarded,
    );
    expect(out).toEqual({
      'content-type': 'application/json',
      accept: 'application/json',
      'x-peil-gateway-token': 'internal-token',
      'x-peil-role': 'ngo',
      'x-peil-principal': 'ngo:abc123',
      'x-request-id': 'req-1',
      'x-forwarded-for': '127.0.0.1',
    });
  });

  it('never passes on the API key, the host or hop-by-hop headers', () => {
    const out = upstreamRequestHeaders(
      {
        authorization: 'Bearer secret',
        host: 'gateway:8080',
        connection: 'keep-alive, x-hop',
        'x-hop': '1',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        upgrade: 'websocket',
        expect: '100-continue',
        'x-forwarded-for': '6.6.6.6',
        'user-agent': 'curl',
      },
      forwarded,
    );
    expect(Object.keys(out).sort()).toEqual(['user-agent', 'x-forwarded-for', 'x-peil-gateway-token', 'x-peil-principal', 'x-peil-role', 'x-request-id']);
    expect(out['x-forwarded-for']).toBe('127.0.0.1');
  });
});

describe('downstreamResponseHeaders', () => {
  it('keeps the service headers but not the hop-by-hop ones', () => {
    expect(downstreamResponseHeaders({ 'content-type': 'text/csv', 'content-length': '3', connection: 'keep-alive', 'keep-alive': 'timeout=5', etag: '"1"' })).toEqual({
      'content-type': 'text/csv',
      'content-length': '3',
      etag: '"1"',
    });
  });
});

describe('requestIdFor', () => {
  it("keeps a client's sane request id", () => {
    expect(requestIdFor({ 'x-request-id': 'abc-123_x.y:z' })).toBe('abc-123_x.y:z');
  });

  it('replaces a missing or odd one with a UUID', () => {
    for (const given of [undefined, '', 'has space', 'x'.repeat(129), 'new\nline', '<script>']) {
      expect(requestIdFor(given === undefined ? {} : { 'x-request-id': given })).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
