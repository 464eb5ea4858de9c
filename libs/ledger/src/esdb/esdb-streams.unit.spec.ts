import fc from 'fast-check';
import { categoryOf } from '../core/envelope';
import { categoryRegex, isLedgerStreamId, nativeName } from './esdb-streams';

/**
 * The server-side filter readCategory sends to EventStoreDB, checked here with JavaScript's regex
 * engine (the constructs it uses — anchors, escapes, one alternation — mean the same in .NET's).
 */
describe('categoryRegex', () => {
  const matches = (category: string, nativeStream: string): boolean => {
    const regex = categoryRegex(category);
    return regex !== undefined && new RegExp(regex).test(nativeStream);
  };

  it('matches a native stream exactly when it is a ledger stream of that category', () => {
    const part = fc.stringMatching(/^[a-z0-9_.$+*()[\]|?^{}\\]{0,6}$/);
    const streamIds = fc.oneof(
      fc.tuple(part, fc.array(part, { maxLength: 3 })).map(([head, rest]) => [head, ...rest].join('-')),
      fc.constantFrom('$checkpoints', 'peil_eventid-0f3c', '$ce-household', '$all', 'household', 'household-1', 'householdx-1'),
    );
    const categories = fc.oneof(part, fc.constantFrom('household', '$checkpoints', 'peil_ledger', 'peil_eventid'));
    // Half the streams are built from the category (itself, `<category>-…`, `<category>…`), so matches are frequent.
    const cases = fc.tuple(categories, streamIds, fc.constantFrom('random', 'same', 'dash', 'glued')).map(([category, other, how]) => {
      const streamId = { random: other, same: category, dash: `${category}-${other}`, glued: `${category}${other}` }[how];
      return [streamId, category] as const;
    });
    fc.assert(
      fc.property(cases, ([streamId, category]) => {
        // A ledger stream id is stored under its native name; any other id is a system or index stream the server holds.
        const ledger = isLedgerStreamId(streamId);
        const native = ledger ? nativeName(streamId) : streamId;
        const expected = ledger && categoryOf(streamId) === category;
        expect(matches(category, native)).toBe(expected);
      }),
      { seed: 13, numRuns: 2_000 },
    );
  });

  it('names the cases that matter', () => {
    expect(matches('household', 'household-1')).toBe(true);
    expect(matches('household', 'household')).toBe(true);
    expect(matches('household', 'householdx-1')).toBe(false);
    expect(matches('a.b', 'axb-1')).toBe(false);
    expect(matches('$checkpoints', 'peil_ledger-checkpoints')).toBe(true);
    expect(categoryRegex('peil_eventid')).toBeUndefined();
    expect(categoryRegex('with-dash')).toBeUndefined();
  });
});
