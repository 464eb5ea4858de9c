import { RenderedCache } from './rendered-cache';

const report = (body: string) => ({ contentType: 'application/json', body });

describe('RenderedCache', () => {
  it('keeps reports up to its bytes (UTF-8, key included), dropping the least recently used first', () => {
    const cache = new RenderedCache(30);
    cache.set('a', report('x'.repeat(9))); // 10 bytes
    cache.set('b', report('é'.repeat(4) + 'x')); // 10 bytes: é is two in UTF-8
    cache.set('c', report('x'.repeat(9)));
    expect(cache.size).toBe(30);
    expect(cache.get('a')?.body).toBe('x'.repeat(9)); // a is now the most recently used
    cache.set('d', report('x'.repeat(9)));
    expect(cache.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((k) => cache.get(k) !== undefined)).toEqual([true, true, true]);
    expect(cache.size).toBe(30);
  });

  it('keeps nothing larger than itself, replaces a key in place, and holds nothing when its size is 0', () => {
    const cache = new RenderedCache(20);
    cache.set('big', report('x'.repeat(20)));
    expect(cache.get('big')).toBeUndefined();
    cache.set('k', report('one'));
    cache.set('k', report('three'));
    expect(cache.get('k')?.body).toBe('three');
    expect(cache.size).toBe(6);
    cache.clear();
    expect(cache.size).toBe(0);
    const none = new RenderedCache(0);
    none.set('k', report(''));
    expect(none.get('k')).toBeUndefined();
    expect(() => new RenderedCache(-1)).toThrow(RangeError);
  });
});
