import fc from 'fast-check';
import { requestFraming } from './request-framing';

const req = (method: string, headers: Record<string, string> = {}, httpVersion = '1.1') => requestFraming({ method, httpVersion, headers });

describe('requestFraming', () => {
  it('frames a body by its length or as chunked, and no body as none', () => {
    expect(req('POST', { 'content-length': '12' })).toEqual({ kind: 'length', bytes: 12 });
    expect(req('POST', { 'transfer-encoding': 'chunked' })).toEqual({ kind: 'chunked' });
    expect(req('POST', { 'transfer-encoding': ' Chunked ' })).toEqual({ kind: 'chunked' });
    expect(req('POST')).toEqual({ kind: 'none' });
    expect(req('POST', { 'content-length': '0' })).toEqual({ kind: 'none' });
    expect(req('GET')).toEqual({ kind: 'none' });
    expect(req('GET', { 'content-length': '0' })).toEqual({ kind: 'none' });
    expect(req('DELETE', { 'content-length': '2' })).toEqual({ kind: 'length', bytes: 2 });
  });

  it('refuses any body on GET and HEAD, whatever its framing or spelling of the method', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'HEAD', 'get', 'Head'),
        fc.oneof(
          fc.integer({ min: 1, max: 2 ** 40 }).map((n) => ({ 'content-length': String(n) })),
          fc.constantFrom('chunked', 'gzip, chunked', 'identity', '').map((te) => ({ 'transfer-encoding': te })),
        ),
        (method, headers) => {
          expect(req(method, headers)).toMatchObject({ kind: 'refused', status: 400, code: 'body_not_allowed' });
        },
      ),
      { seed: 20261130, numRuns: 200 },
    );
  });

  it('refuses Content-Length with Transfer-Encoding, lengths that are not plain numbers, and chunked on HTTP/1.0', () => {
    expect(req('POST', { 'content-length': '3', 'transfer-encoding': 'chunked' })).toMatchObject({ kind: 'refused', code: 'malformed_request' });
    for (const cl of ['+3', '-1', '3 ', '0x10', '1e3', '', '9'.repeat(16)]) expect(req('POST', { 'content-length': cl })).toMatchObject({ kind: 'refused', code: 'malformed_request' });
    expect(req('POST', { 'transfer-encoding': 'chunked' }, '1.0')).toMatchObject({ kind: 'refused', status: 400 });
  });

  it('answers 501 to a transfer coding other than plain chunked', () => {
    for (const te of ['gzip, chunked', 'chunked, chunked', 'identity', 'deflate']) {
      expect(req('POST', { 'transfer-encoding': te })).toMatchObject({ kind: 'refused', status: 501, code: 'unsupported_transfer_encoding' });
    }
  });
});
