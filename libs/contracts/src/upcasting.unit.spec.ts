import { upcast, upcasterFor } from './upcasting';

const stored = (type: string, schemaVersion: number, data: unknown) => ({ position: 7, type, schemaVersion, data, hash: 'h' });

describe('upcast', () => {
  const agreementV1 = {
    grantId: 'G1', donor: 'JSDF', administrator: 'World Bank', recipient: 'RMF', currency: 'USD', amountMinor: 300, startDate: '2025-07-01', closingDate: '2027-06-30',
    components: [{ code: 'C1', name: 'Design', budgetLines: [{ code: 'C1.1', name: 'A', allocationMinor: 100 }] }, { code: 'C2', name: 'Pilot', budgetLines: [{ code: 'C2.1', name: 'B', allocationMinor: 200 }] }],
  };

  it('reads a version-1 agreement with one default disbursement category holding every line, leaving the stored event untouched', () => {
    const v1 = stored('GrantAgreementSigned', 1, agreementV1);
    const frozen = JSON.stringify(v1);
    const read = upcast(v1);
    expect(read).toEqual({ ...v1, schemaVersion: 2, data: { ...agreementV1, disbursementCategories: [{ code: '1', name: 'All eligible expenditures of the grant', budgetLines: ['C1.1', 'C2.1'] }] } });
    expect(JSON.stringify(v1)).toBe(frozen);
  });

  it('returns events with no upcaster for their (type, version) as they are', () => {
    const v2 = stored('GrantAgreementSigned', 2, { ...agreementV1, disbursementCategories: [{ code: 'A', name: 'All', budgetLines: ['C1.1', 'C2.1'] }] });
    expect(upcast(v2)).toBe(v2);
    const other = stored('ExpenditureRecorded', 1, { expenditureId: 'E1' });
    expect(upcast(other)).toBe(other);
  });

  it('chains upcasters version by version', () => {
    const chain = upcasterFor([
      { type: 'T', fromVersion: 1, upcast: (d) => ({ ...(d as object), b: 2 }) },
      { type: 'T', fromVersion: 2, upcast: (d) => ({ ...(d as object), c: 3 }) },
    ]);
    expect(chain(stored('T', 1, { a: 1 }))).toMatchObject({ schemaVersion: 3, data: { a: 1, b: 2, c: 3 } });
    expect(chain(stored('T', 2, { a: 1 }))).toMatchObject({ schemaVersion: 3, data: { a: 1, c: 3 } });
  });

  it('refuses two upcasters for the same type and version', () => {
    const twice = { type: 'T', fromVersion: 1, upcast: (d: unknown) => d };
    expect(() => upcasterFor([twice, twice])).toThrow('two upcasters for T version 1');
  });
});
