import { LedgerCheckpointed } from './ledger.events';

describe('LedgerCheckpointed', () => {
  const valid = { origin: 'peil-ledger/0a1b', size: 30, root: 'K3XoV5h3n1F1pIu0c4sA8z9cQk2gXr1m7y5b0dE4fG8=', checkpoint: 'peil-ledger/0a1b\n30\n…' };

  it('accepts what the sealer writes and refuses a malformed root or size', () => {
    expect(LedgerCheckpointed.parse(valid)).toEqual(valid);
    expect(LedgerCheckpointed.safeParse({ ...valid, root: 'abc' }).success).toBe(false);
    expect(LedgerCheckpointed.safeParse({ ...valid, size: -1 }).success).toBe(false);
    expect(LedgerCheckpointed.safeParse({ ...valid, size: 1.5 }).success).toBe(false);
  });
});
