import { districtKey, marketStreamId } from './assessment.events';

describe('districtKey', () => {
  it('gives ASCII names the keys they always had', () => {
    expect(districtKey('Tripoli')).toBe('tripoli');
    expect(districtKey('  Akkar / Halba ')).toBe('akkar_halba');
    expect(marketStreamId('Zahle')).toBe('market-zahle');
  });
  it('keeps Arabic names apart (they all used to become "_")', () => {
    expect(districtKey('طرابلس')).toBe('طرابلس');
    expect(districtKey('عكار')).not.toBe(districtKey('طرابلس'));
    expect(districtKey('عكار - حلبا')).toBe('عكار_حلبا');
  });
  it('is the same key for composed and decomposed spellings (NFC)', () => {
    expect(districtKey('Zahl\u00E9')).toBe(districtKey('Zahle\u0301'));
  });
});
