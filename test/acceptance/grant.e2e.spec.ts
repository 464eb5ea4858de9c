import { get, post, useSharedSystem } from '@peil/testing';
import { accepted, ev, head, peilGrant, rejectedWith, uniq } from './programme';

interface Line { grantId: string; code: string; name: string; component: string; purpose: string | null; allocationMinor: number; committedMinor: number; spentMinor: number; remainingMinor: number }

/** The JSDF grant of PEIL as finance signs it, with its external-audit line (C4.2). */
const jsdfGrant = () => peilGrant(undefined, { auditLine: true });

const expenditure = (budgetLine: string, amountMinor: number, over: Record<string, unknown> = {}) =>
  ev('ExpenditureRecorded', { expenditureId: uniq('EXP'), budgetLine, amountMinor, currency: 'USD', payee: 'Tripoli Office Supplies', documentRef: uniq('INV'), ...over });

describe('grant: budget lines, commitments and expenditures', () => {
  const system = useSharedSystem();
  const grant = jsdfGrant();
  const C = grant.code;

  async function lines(): Promise<Line[]> {
    const res = await get(system, '/grant/budget-lines', 'finance');
    expect(res.status).toBe(200);
    return res.body.budgetLines as Line[];
  }
  const lineOf = async (code: string) => (await lines()).find((l) => l.code === code)!;

  beforeAll(async () => {
    await accepted(system, 'grant', [grant.event], 'finance');
  }, 60_000);

  it('shows every line of the signed grant: allocation, nothing committed or spent, the whole allocation remaining', async () => {
    const mine = (await lines()).filter((l) => l.grantId === grant.data.grantId);
    expect(mine).toHaveLength(8);
    expect(mine.reduce((s, l) => s + l.allocationMinor, 0)).toBe(270_700_000);
    expect(mine.find((l) => l.code === C('C2.1'))).toEqual({
      grantId: grant.data.grantId, code: C('C2.1'), name: 'Asset transfers', component: 'C2', purpose: 'assets',
      allocationMinor: 112_500_000, committedMinor: 0, spentMinor: 0, remainingMinor: 112_500_000,
    });
    expect(mine.find((l) => l.code === C('C4.2'))).toMatchObject({ component: 'C4', purpose: null, remainingMinor: 10_000_000 });
    for (const role of ['auditor', 'supervisor', 'donor', 'admin']) expect((await get(system, '/grant/budget-lines', role)).status).toBe(200);
    expect((await get(system, '/grant/budget-lines', 'ngo')).status).toBe(403);
  });

  it('commits, spends, releases and reverses; remaining is always allocation − committed − spent', async () => {
    const line = C('C2.2');
    const commitmentId = uniq('PO');
    await accepted(system, 'grant', [ev('FundsCommitted', { commitmentId, budgetLine: line, amountMinor: 1_200_000, reference: 'Contract RMF-TR-2025-07 (financial-literacy trainers)' })], 'finance');
    const paid = expenditure(line, 450_000);
    await accepted(system, 'grant', [paid, ev('CommitmentReleased', { commitmentId, amountMinor: 200_000, reason: 'contract amended' })], 'finance');
    expect(await lineOf(line)).toMatchObject({ allocationMinor: 40_000_000, committedMinor: 1_000_000, spentMinor: 450_000, remainingMinor: 38_550_000 });
    expect((await get(system, `/grant/commitments/${commitmentId}`, 'finance')).body).toMatchObject({ amountMinor: 1_200_000, releasedMinor: 200_000, outstandingMinor: 1_000_000 });

    await accepted(system, 'grant', [ev('ExpenditureReversed', { expenditureId: paid.data.expenditureId, reason: 'invoice paid twice' })], 'finance');
    expect(await lineOf(line)).toMatchObject({ committedMinor: 1_000_000, spentMinor: 0, remainingMinor: 39_000_000 });
    const listed = (await get(system, `/grant/expenditures?budgetLine=${line}`, 'auditor')).body.expenditures;
    expect(listed).toEqual([expect.objectContaining({ expenditureId: paid.data.expenditureId, usdMinor: 450_000, reversed: true, reversal: expect.objectContaining({ reason: 'invoice paid twice' }) })]);

    const summary = await get(system, `/grant/grants/${grant.data.grantId}`, 'donor');
    expect(summary.status).toBe(200);
    expect(summary.body.components.map((c: { code: string }) => c.code)).toEqual(['C1', 'C2', 'C3', 'C4']);
    expect(summary.body.commitments.items).toEqual([expect.objectContaining({ commitmentId, outstandingMinor: 1_000_000 })]);
    expect((await get(system, '/grant/grants/NO-SUCH-GRANT', 'donor')).body.error.code).toBe('unknown_grant');
    expect((await get(system, '/grant/commitments/NO-SUCH-PO', 'donor')).body.error.code).toBe('unknown_commitment');
  });

  it('converts an LBP expenditure to US cents with its rate: 2,900,000 LBP at 89,500 is US$32.40', async () => {
    const line = C('C2.1');
    const before = await lineOf(line);
    const lbp = expenditure(line, 2_900_000, { currency: 'LBP', fxRateToUsd: '89500', payee: 'Al Mina Sewing Supplies' });
    const [result] = await accepted(system, 'grant', [lbp], 'finance');
    expect(await lineOf(line)).toMatchObject({ spentMinor: before.spentMinor + 3_240, remainingMinor: before.remainingMinor - 3_240 });
    const listed = (await get(system, `/grant/expenditures?budgetLine=${line}`, 'finance')).body.expenditures;
    expect(listed).toContainEqual(expect.objectContaining({
      expenditureId: lbp.data.expenditureId, grantId: grant.data.grantId, budgetLine: line, amountMinor: 2_900_000, currency: 'LBP', fxRateToUsd: '89500',
      usdMinor: 3_240, payee: 'Al Mina Sewing Supplies', position: result!.position, reversed: false,
    }));
    // Resubmitting the same event is answered duplicate and counts nothing twice.
    const again = await post(system, '/grant/events', { events: [lbp] }, 'finance');
    expect(again.body.results[0]).toMatchObject({ status: 'duplicate', position: result!.position });
    expect((await lineOf(line)).spentMinor).toBe(before.spentMinor + 3_240);
    expect((await get(system, '/grant/expenditures?budgetLine=NO-SUCH-LINE', 'finance')).body.error.code).toBe('unknown_budget_line');
  });

  it('rejects what breaks a rule, with a code and its path, writing nothing', async () => {
    const line = C('C2.4');
    const done = expenditure(line, 10_000);
    await accepted(system, 'grant', [done, ev('ExpenditureReversed', { expenditureId: done.data.expenditureId, reason: 'wrong line' })], 'finance');
    const commitmentId = uniq('PO');
    await accepted(system, 'grant', [ev('FundsCommitted', { commitmentId, budgetLine: line, amountMinor: 4_000_000, reference: 'SMS gateway contract' })], 'finance');
    const position = await head(system);
    const linesBefore = await lines();

    const unbalanced = jsdfGrant();
    const cases: Array<[string, unknown, string, string?]> = [
      ['an expenditure on an unknown line', expenditure('NO-SUCH-LINE', 250_000), 'unknown_budget_line', 'data.budgetLine'],
      ['a negative expenditure', expenditure(line, -250_000), 'invalid_field', 'data.amountMinor'],
      ['a fractional expenditure', expenditure(line, 2_500.5), 'invalid_field', 'data.amountMinor'],
      ['a zero expenditure', expenditure(line, 0), 'invalid_field', 'data.amountMinor'],
      ['an expenditure in an unknown currency', expenditure(line, 250_000, { currency: 'EUR' }), 'invalid_field', 'data.currency'],
      ['an LBP expenditure without a rate', expenditure(line, 2_900_000, { currency: 'LBP' }), 'fx_rate_required', 'data.fxRateToUsd'],
      ['an expenditure beyond what the line has left', expenditure(line, 1_000_001), 'insufficient_funds', 'data.amountMinor'],
      ['an expenditure id used before', expenditure(line, 100, { expenditureId: done.data.expenditureId }), 'duplicate_expenditure', 'data.expenditureId'],
      ['a reversal of an unknown expenditure', ev('ExpenditureReversed', { expenditureId: uniq('EXP'), reason: 'x' }), 'unknown_expenditure', 'data.expenditureId'],
      ['a reversal of a reversed expenditure', ev('ExpenditureReversed', { expenditureId: done.data.expenditureId, reason: 'again' }), 'expenditure_already_reversed', 'data.expenditureId'],
      ['a grant whose allocations do not sum to its amount', ev('GrantAgreementSigned', { ...unbalanced.data, amountMinor: 270_770_000 }), 'allocations_do_not_sum', 'data.amountMinor'],
      ['a grant reusing a line code of another grant', ev('GrantAgreementSigned', { ...grant.data, grantId: uniq('CF') }), 'line_code_taken'],
      ['the same grant signed twice', ev('GrantAgreementSigned', grant.data), 'grant_already_signed', 'data.grantId'],
      ['a commitment beyond what the line has left', ev('FundsCommitted', { commitmentId: uniq('PO'), budgetLine: line, amountMinor: 1_000_001, reference: 'r' }), 'insufficient_funds', 'data.amountMinor'],
      ['a commitment id used before', ev('FundsCommitted', { commitmentId, budgetLine: C('C2.1'), amountMinor: 1, reference: 'r' }), 'duplicate_commitment', 'data.commitmentId'],
      ['a release above what the commitment holds', ev('CommitmentReleased', { commitmentId, amountMinor: 4_000_001 }), 'commitment_exceeded', 'data.amountMinor'],
      ['a release of an unknown commitment', ev('CommitmentReleased', { commitmentId: uniq('PO'), amountMinor: 1 }), 'unknown_commitment', 'data.commitmentId'],
      ['a reallocation without an approval reference', ev('BudgetReallocated', { grantId: grant.data.grantId, fromLine: line, toLine: C('C2.1'), amountMinor: 1 }), 'missing_field', 'data.approvalRef'],
      ['a reallocation below what the line has used', ev('BudgetReallocated', { grantId: grant.data.grantId, fromLine: line, toLine: C('C2.1'), amountMinor: 1_000_001, approvalRef: 'WB-NOL-12' }), 'reallocation_below_used', 'data.amountMinor'],
      ['a reallocation to the same line', ev('BudgetReallocated', { grantId: grant.data.grantId, fromLine: line, toLine: line, amountMinor: 1, approvalRef: 'WB-NOL-12' }), 'same_line'],
      ['a reallocation on an unsigned grant', ev('BudgetReallocated', { grantId: 'NO-SUCH-GRANT', fromLine: line, toLine: C('C2.1'), amountMinor: 1, approvalRef: 'WB-NOL-12' }), 'unknown_grant', 'data.grantId'],
    ];
    for (const [label, event, code, path] of cases) {
      const res = await post(system, '/grant/events', { events: [event] }, 'finance');
      expect({ label, status: res.status, result: res.body.results[0].status, code: res.body.results[0].error?.code }).toEqual({ label, status: 200, result: 'rejected', code });
      if (path) expect({ label, path: res.body.results[0].error.path }).toEqual({ label, path });
    }
    expect(await head(system)).toBe(position);
    expect(await lines()).toEqual(linesBefore);
  });

  it('refuses grant writes from other roles (403), writing nothing', async () => {
    const position = await head(system);
    for (const role of ['ngo', 'supervisor', 'auditor', 'donor']) {
      const res = await post(system, '/grant/events', { events: [expenditure(C('C2.1'), 100)] }, role);
      expect({ role, status: res.status }).toEqual({ role, status: 403 });
    }
    expect(await head(system)).toBe(position);
  });

  it('reallocates between two lines with an approval reference, keeping the grant total', async () => {
    await accepted(system, 'grant', [ev('BudgetReallocated', { grantId: grant.data.grantId, fromLine: C('C1.1'), toLine: C('C3.1'), amountMinor: 2_500_000, approvalRef: 'WB no-objection 2025-11-04' })], 'finance');
    const mine = (await lines()).filter((l) => l.grantId === grant.data.grantId);
    expect(mine.find((l) => l.code === C('C1.1'))!.allocationMinor).toBe(22_500_000);
    expect(mine.find((l) => l.code === C('C3.1'))!.allocationMinor).toBe(37_500_000);
    expect(mine.reduce((s, l) => s + l.allocationMinor, 0)).toBe(270_700_000);
  });

  it('registers a co-financing grant beside the first; line codes and ids stay unique across grants', async () => {
    const code = uniq('CF-C2.1');
    const data = {
      grantId: uniq('CF'), donor: 'Co-financing partner', administrator: 'World Bank', recipient: 'René Moawad Foundation', currency: 'USD', amountMinor: 5_000_000,
      startDate: '2026-01-01', closingDate: '2027-06-30', components: [{ code: 'C2', name: 'Implementation of the pilot', budgetLines: [{ code, name: 'Additional asset transfers', allocationMinor: 5_000_000, purpose: 'assets' }] }],
    };
    await accepted(system, 'grant', [ev('GrantAgreementSigned', data, '2026-01-01T09:00:00+02:00')], 'finance');
    const all = await lines();
    // Signed second, listed second: the first grant's assets line is still the one found first by purpose.
    expect(all.findIndex((l) => l.code === code)).toBeGreaterThan(all.findIndex((l) => l.code === C('C2.1')));
    const spent = expenditure(code, 120_000);
    await accepted(system, 'grant', [spent], 'finance');
    expect(await lineOf(code)).toMatchObject({ grantId: data.grantId, spentMinor: 120_000, remainingMinor: 4_880_000 });
    expect(await rejectedWith(system, 'grant', expenditure(C('C2.1'), 1, { expenditureId: spent.data.expenditureId }), 'finance')).toBe('duplicate_expenditure');
  });

  it('accepts exactly 40 of 50 concurrent expenditures of US$2,500 on a US$100,000 line; no line ever goes above its allocation; the ledger verifies', async () => {
    const line = C('C4.2');
    const events = Array.from({ length: 50 }, (_, i) => expenditure(line, 250_000, { payee: `Audit firm ${i % 5}` }));
    // Five clients with different keys, ten single-event requests each, all fifty in flight at once.
    const roles = ['finance', 'admin', 'finance', 'admin', 'finance'];
    let done = false;
    const snapshots: Line[][] = [];
    const watcher = (async () => {
      while (!done) snapshots.push(await lines());
    })();
    const results = await Promise.all(events.map(async (event, i) => {
      const res = await post(system, '/grant/events', { events: [event] }, roles[i % roles.length]);
      expect(res.status).toBe(200);
      return res.body.results[0] as { status: string; error?: { code: string } };
    }));
    done = true;
    await watcher;
    snapshots.push(await lines());

    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(40);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(10);
    expect(new Set(refused.map((r) => r.error?.code))).toEqual(new Set(['insufficient_funds']));
    expect(await lineOf(line)).toMatchObject({ allocationMinor: 10_000_000, committedMinor: 0, spentMinor: 10_000_000, remainingMinor: 0 });
    for (const snapshot of snapshots) {
      for (const l of snapshot) expect(l.committedMinor + l.spentMinor).toBeLessThanOrEqual(l.allocationMinor);
    }
    expect((await get(system, `/grant/expenditures?budgetLine=${line}`, 'auditor')).body.expenditures).toHaveLength(40);
    const verify = await get(system, '/ledger/verify', 'auditor');
    expect(verify.body).toMatchObject({ ok: true });
  }, 60_000);
});
