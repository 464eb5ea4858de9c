import fc from 'fast-check';
import { foldName, nameKey } from './name-key';
import { marketStreamId } from '../assessment/assessment.events';

describe('name-derived keys', () => {
  it('keeps Arabic district names apart (حلبا is not المنية)', () => {
    expect(nameKey('حلبا')).not.toBe(nameKey('المنية'));
    expect(marketStreamId('حلبا')).toBe('market-حلبا');
  });

  it('gives one key to names equal after NFC and case folding', () => {
    expect(nameKey('AKKAR')).toBe(nameKey('Akkar'));
    expect(nameKey('Zahl\u0065\u0301')).toBe(nameKey('ZAHL\u00c9')); // decomposed é vs precomposed É
    expect(nameKey('Straße')).toBe(nameKey('STRASSE'));
  });

  it('keeps the keys of plain names as they were (letters, digits, single spaces)', () => {
    expect(marketStreamId('Akkar')).toBe('market-akkar');
    expect(marketStreamId('Mount Lebanon')).toBe('market-mount_lebanon');
  });

  it('never lets punctuation, underscores or escapes collide', () => {
    const names = ['Baalbek-Hermel', 'Baalbek_Hermel', 'Baalbek Hermel', 'Baalbek  Hermel', 'Baalbek~2d~Hermel', 'Baalbek~5f~Hermel'];
    expect(new Set(names.map(nameKey)).size).toBe(names.length);
  });

  it('is injective over folded names: same key exactly when equal after NFC and case folding', () => {
    const unicode = fc.string({ unit: 'grapheme-composite', maxLength: 12 });
    const mixed = fc.oneof(unicode, fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('_', '~', '-', ' ', '~5f~', 'ß', 'SS', 'İ', 'حلبا'));
    const name = fc.array(mixed, { maxLength: 3 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(name, name, (a, b) => (nameKey(a) === nameKey(b)) === (foldName(a) === foldName(b))),
      { seed: 20261130, numRuns: 5_000 },
    );
  });

  it('never puts a dash in the key, so the stream category stays "market"', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => !nameKey(s).includes('-')), { seed: 7, numRuns: 2_000 });
  });
});
