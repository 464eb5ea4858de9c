import { BadRequestException } from '@nestjs/common';
import { checkedQuery } from './query';

const errorOf = (query: Record<string, unknown>, names: string[]) => {
  try {
    checkedQuery(query, names);
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestException);
    return ((err as BadRequestException).getResponse() as { error: { code: string; message: string; path: string } }).error;
  }
  throw new Error('expected a 400');
};

describe('checkedQuery', () => {
  it('gives the named parameters as strings, empty ones as absent', () => {
    expect({ ...checkedQuery({ after: '5', limit: '' }, ['after', 'limit']) }).toEqual({ after: '5' });
  });
  it('refuses a parameter given twice, or as a structure, with its name as path', () => {
    expect(errorOf({ limit: ['1', '2'] }, ['limit'])).toMatchObject({ code: 'invalid_query', path: 'limit' });
    expect(errorOf({ after: { x: '1' } }, ['after'])).toMatchObject({ code: 'invalid_query', path: 'after' });
  });
  it('refuses names the route does not take: after[], typos, prototype names', () => {
    expect(errorOf({ 'after[]': '1' }, ['after', 'limit'])).toMatchObject({ code: 'unknown_query_parameter', path: 'after[]', message: expect.stringContaining('takes after, limit') });
    expect(errorOf({ constructor: '1' }, ['after'])).toMatchObject({ code: 'unknown_query_parameter', path: 'constructor' });
    expect(errorOf(JSON.parse('{"__proto__":"1"}'), ['after'])).toMatchObject({ code: 'unknown_query_parameter', path: '__proto__' });
  });
  it('refuses control and bidi characters in values', () => {
    expect(errorOf({ period: '2025Q4\u0000' }, ['period'])).toMatchObject({ code: 'invalid_query', path: 'period' });
  });
  it('cuts a long unknown name in what it echoes', () => {
    expect(errorOf({ ['x'.repeat(5000)]: '1' }, ['after']).path.length).toBeLessThan(100);
  });
  it('has no prototype: constructor is not a parameter unless given', () => {
    expect(checkedQuery({}, ['constructor']).constructor).toBeUndefined();
  });
});
