import { isoInstant } from './report-engine';

describe('isoInstant (asOf times)', () => {
  it.each([
    ['2025-12-31', Date.UTC(2025, 11, 31)],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['2025-12-31T23:59:59Z', Date.UTC(2025, 11, 31, 23, 59, 59)],
    ['2025-12-31T23:59:59.500+02:00', Date.UTC(2025, 11, 31, 21, 59, 59, 500)],
  ])('reads %s', (text, ms) => expect(isoInstant(text)).toBe(ms));

  it.each(['2025-02-30', '2025-02-29', '2025-13-01', '2025-04-31T10:00:00Z', '2025-12-31T24:00:00Z', '2025-12-31T10:00:00', '2025-12-31 10:00', 'yesterday', '2025-12-31Tjunk', ''])(
    'refuses %s (impossible, or without an offset)',
    (text) => expect(isoInstant(text)).toBeNull(),
  );
});
