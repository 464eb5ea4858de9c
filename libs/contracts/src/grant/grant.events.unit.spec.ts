import { ExpenditureRecorded, ExpenditureRecordedShape, FundsCommitted, GrantAgreementSigned, grantStreamId } from './grant.events';

const firstIssue = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; code: string; params?: Record<string, unknown> }> } }) => {
  const issue = result.error?.issues[0];
  return issue ? `${(issue.params?.code as string | undefined) ?? issue.code}@${issue.path.join('.')}` : 'ok';
};

const expenditure = (over: Record<string, unknown> = {}) => ({
  expenditureId: 'E1', budgetLine: 'C2.1', amountMinor: 2_900_000, currency: 'LBP', fxRateToUsd: '89500', payee: 'Al Mina Sewing Supplies', documentRef: 'INV-1', ...over,
});

describe('grant event schemas', () => {
  it('accepts an LBP expenditure with its rate and a related event', () => {
    expect(firstIssue(ExpenditureRecorded.safeParse(expenditure({ relatedEventId: '6f1c2a8e-4b7d-5e0f-9a3c-5b1d2e7f8a90' })))).toBe('ok');
  });
  it.each([
    ['a negative amount', { amountMinor: -250_000 }, 'too_small@amountMinor'],
    ['a fractional amount', { amountMinor: 2500.5 }, 'invalid_type@amountMinor'],
    ['a zero amount', { amountMinor: 0 }, 'too_small@amountMinor'],
    ['an unknown currency', { currency: 'EUR' }, 'invalid_value@currency'],
    ['LBP without a rate', { fxRateToUsd: undefined }, 'fx_rate_required@fxRateToUsd'],
    ['a commitment without the amount it draws', { commitmentId: 'plan-P1' }, 'custom@commitmentConsumedMinor'],
    ['an amount drawn from no commitment', { commitmentConsumedMinor: 100 }, 'custom@commitmentId'],
    ['a related event that is not an eventId', { relatedEventId: 'DLV-1' }, 'invalid_format@relatedEventId'],
  ])('rejects an expenditure with %s', (_label, over, expected) => {
    expect(firstIssue(ExpenditureRecorded.safeParse(expenditure(over)))).toBe(expected);
  });
  it('leaves the money rules to the grant decider in the shape it validates with', () => {
    expect(firstIssue(ExpenditureRecordedShape.safeParse(expenditure({ fxRateToUsd: undefined })))).toBe('ok');
    expect(firstIssue(ExpenditureRecordedShape.safeParse(expenditure({ amountMinor: -1 })))).toBe('too_small@amountMinor');
  });
  it('holds commitments in positive integer US cents', () => {
    expect(firstIssue(FundsCommitted.safeParse({ commitmentId: 'PO-1', budgetLine: 'C2.1', amountMinor: 35_000, reference: 'plan' }))).toBe('ok');
    expect(firstIssue(FundsCommitted.safeParse({ commitmentId: 'PO-1', budgetLine: 'C2.1', amountMinor: 350.5, reference: 'plan' }))).toBe('invalid_type@amountMinor');
  });
  it('signs USD grants closing after they start, with known line purposes', () => {
    const grant = {
      grantId: 'JSDF-PEIL', donor: 'JSDF', administrator: 'World Bank', recipient: 'RMF', currency: 'USD', amountMinor: 100, startDate: '2025-07-01', closingDate: '2027-06-30',
      components: [{ code: 'C2', name: 'Implementation', budgetLines: [{ code: 'C2.1', name: 'Assets', allocationMinor: 100, purpose: 'assets' }] }],
    };
    expect(firstIssue(GrantAgreementSigned.safeParse(grant))).toBe('ok');
    expect(firstIssue(GrantAgreementSigned.safeParse({ ...grant, closingDate: '2025-06-30' }))).toBe('custom@closingDate');
    expect(firstIssue(GrantAgreementSigned.safeParse({ ...grant, currency: 'LBP' }))).toBe('invalid_value@currency');
    expect(firstIssue(GrantAgreementSigned.safeParse({ ...grant, components: [{ ...grant.components[0], budgetLines: [{ code: 'C2.1', name: 'Assets', allocationMinor: 100, purpose: 'asset' }] }] }))).toBe('invalid_value@components.0.budgetLines.0.purpose');
    expect(grantStreamId('JSDF-PEIL')).toBe('grant-JSDF-PEIL');
  });
});
