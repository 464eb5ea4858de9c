import fc from 'fast-check';
import { outstandingMinor, type GrantCommand } from './grant.decider';
import { agreement, cofinancing, committed, grantAfter, grantContext, lineOf, ON, reallocated, released, reversed, signed, spec, spent, stateAfter } from './grant.fixtures';

describe('GrantAgreementSigned', () => {
  it('signs a grant whose allocations sum to its amount, every line in the default disbursement category when none is named', () => {
    const lines = ['C1.1', 'C2.1', 'C2.2', 'C2.3', 'C2.4', 'C3.1', 'C4.1', 'C4.2'];
    spec.given([]).when(signed()).then([{ type: 'GrantAgreementSigned', data: { ...agreement(), disbursementCategories: [{ code: '1', name: 'All eligible expenditures of the grant', budgetLines: lines }] } }]);
  });
  it('records the disbursement categories the agreement names', () => {
    const categories = [
      { code: '1', name: 'Goods, consultants\' services, training and operating costs', budgetLines: ['C1.1', 'C2.2', 'C2.3', 'C2.4', 'C3.1', 'C4.1', 'C4.2'] },
      { code: '2', name: 'Asset transfers to households', budgetLines: ['C2.1'] },
    ];
    spec.given([]).when(signed({ disbursementCategories: categories })).then([{ type: 'GrantAgreementSigned', data: agreement({ disbursementCategories: categories }) }]);
    expect(grantAfter([signed({ disbursementCategories: categories })]).disbursementCategories).toEqual(categories);
  });
  it('rejects categories that do not put every line in exactly one (duplicate_category_code, unknown_budget_line, line_in_two_categories, line_without_category)', () => {
    const all = ['C1.1', 'C2.1', 'C2.2', 'C2.3', 'C2.4', 'C3.1', 'C4.1', 'C4.2'];
    const one = (code: string, budgetLines: string[]) => ({ code, name: `Category ${code}`, budgetLines });
    spec.given([]).when(signed({ disbursementCategories: [one('1', all.slice(0, 4)), one('1', all.slice(4))] })).thenRejects('duplicate_category_code', 'data.disbursementCategories[1].code');
    spec.given([]).when(signed({ disbursementCategories: [one('1', [...all, 'C9.9'])] })).thenRejects('unknown_budget_line', 'data.disbursementCategories[0].budgetLines[8]');
    spec.given([]).when(signed({ disbursementCategories: [one('1', all), one('2', ['C2.1'])] })).thenRejects('line_in_two_categories', 'data.disbursementCategories[1].budgetLines[0]');
    spec.given([]).when(signed({ disbursementCategories: [one('1', all.slice(1))] })).thenRejects('line_without_category', 'data.disbursementCategories');
  });
  it('opens every line with its allocation, component and purpose, nothing committed or spent', () => {
    expect(lineOf([signed()], 'C2.1')).toEqual({ code: 'C2.1', name: 'Asset transfers', component: 'C2', purpose: 'assets', allocationMinor: 112_500_000, committedMinor: 0, spentMinor: 0 });
    expect(lineOf([signed()], 'C4.2').purpose).toBeNull();
  });
  it('rejects signing the same grant twice (grant_already_signed)', () => {
    spec.given([signed()]).when(signed({ donor: 'Someone else' })).thenRejects('grant_already_signed', 'data.grantId');
  });
  it('rejects allocations that do not sum to the amount (allocations_do_not_sum)', () => {
    spec.given([]).when(signed({ amountMinor: 270_700_001 })).thenRejects('allocations_do_not_sum', 'data.amountMinor');
    spec.given([]).when(signed({ amountMinor: 270_000_000 })).thenRejects('allocations_do_not_sum', 'data.amountMinor');
  });
  it('rejects a line code used twice in the agreement (duplicate_line_code)', () => {
    const base = agreement();
    const twice = { ...base, components: [...base.components.slice(0, 3), { code: 'C4', name: 'PM', budgetLines: [{ code: 'C1.1', name: 'Again', allocationMinor: 23_270_000 }] }] };
    spec.given([]).when({ ...signed(), data: twice }).thenRejects('duplicate_line_code', 'data.components[3].budgetLines[0].code');
  });
  it('rejects a component code used twice (duplicate_component_code)', () => {
    const base = agreement();
    const twice = { ...base, components: base.components.map((c) => (c.code === 'C4' ? { ...c, code: 'C3' } : c)) };
    spec.given([]).when({ ...signed(), data: twice }).thenRejects('duplicate_component_code', 'data.components[3].code');
  });
  it('registers several grants (co-financing) with their own lines', () => {
    spec.given([signed()]).when(cofinancing()).then([{ type: 'GrantAgreementSigned', data: { ...cofinancing().data, disbursementCategories: [{ code: '1', name: 'All eligible expenditures of the grant', budgetLines: ['CF-1'] }] } }]);
  });
  it('rejects a line code another grant already uses (line_code_taken)', () => {
    spec.given([signed()]).when(cofinancing([{ code: 'C2.1', allocationMinor: 1_000 }])).thenRejects('line_code_taken', 'data.components[0].budgetLines[0].code');
  });
});

describe('BudgetReallocated', () => {
  it('moves allocation between two lines of the grant, keeping the total', () => {
    spec.given([signed()]).when(reallocated('C2.4', 'C2.1', 1_000_000)).then([{ type: 'BudgetReallocated', data: reallocated('C2.4', 'C2.1', 1_000_000).data }]);
    const grant = grantAfter([signed(), reallocated('C2.4', 'C2.1', 1_000_000)]);
    expect(grant.lines.get('C2.4')!.allocationMinor).toBe(4_000_000);
    expect(grant.lines.get('C2.1')!.allocationMinor).toBe(113_500_000);
    expect([...grant.lines.values()].reduce((s, l) => s + l.allocationMinor, 0)).toBe(270_700_000);
  });
  it('rejects an unsigned grant (unknown_grant)', () => {
    spec.given([]).when(reallocated('C2.4', 'C2.1', 1)).thenRejects('unknown_grant', 'data.grantId');
    spec.given([signed()]).when(reallocated('C2.4', 'C2.1', 1, 'OTHER')).thenRejects('unknown_grant');
  });
  it('rejects a line the grant does not have (unknown_budget_line)', () => {
    spec.given([signed()]).when(reallocated('C9.9', 'C2.1', 1)).thenRejects('unknown_budget_line', 'data.fromLine');
    spec.given([signed()]).when(reallocated('C2.4', 'C9.9', 1)).thenRejects('unknown_budget_line', 'data.toLine');
  });
  it('never moves money across grants (unknown_budget_line)', () => {
    spec.given([signed(), cofinancing()]).when(reallocated('C2.4', 'CF-1', 1)).thenRejects('unknown_budget_line', 'data.toLine');
  });
  it('rejects a move from a line to itself (same_line)', () => {
    spec.given([signed()]).when(reallocated('C2.4', 'C2.4', 1)).thenRejects('same_line', 'data.toLine');
  });
  it('never takes a line below what it has committed + spent (reallocation_below_used)', () => {
    const used = [signed(), committed('PO-1', 'C2.4', 3_000_000), spent('E1', 'C2.4', 1_500_000)];
    spec.given(used).when(reallocated('C2.4', 'C2.1', 500_001)).thenRejects('reallocation_below_used', 'data.amountMinor');
    spec.given(used).when(reallocated('C2.4', 'C2.1', 500_000)).then([{ type: 'BudgetReallocated', data: reallocated('C2.4', 'C2.1', 500_000).data }]);
    spec.given([signed()]).when(reallocated('C2.4', 'C2.1', 5_000_001)).thenRejects('reallocation_below_used');
  });
  it('lets the receiving line carry what it could not before', () => {
    const full = [signed(), committed('PO-1', 'C4.2', 10_000_000)];
    spec.given(full).when(committed('PO-2', 'C4.2', 1)).thenRejects('insufficient_funds');
    spec.given([...full, reallocated('C4.1', 'C4.2', 1)]).when(committed('PO-2', 'C4.2', 1)).then([{ type: 'FundsCommitted', data: committed('PO-2', 'C4.2', 1).data }]);
  });
});

describe('FundsCommitted', () => {
  it('commits funds on a line with room', () => {
    spec.given([signed()]).when(committed('plan-P1', 'C2.1', 35_000)).then([{ type: 'FundsCommitted', data: committed('plan-P1', 'C2.1', 35_000).data }]);
    expect(lineOf([signed(), committed('plan-P1', 'C2.1', 35_000)], 'C2.1')).toMatchObject({ committedMinor: 35_000, spentMinor: 0 });
  });
  it('rejects a line no grant has (unknown_budget_line)', () => {
    spec.given([signed()]).when(committed('PO-1', 'C9.9', 1)).thenRejects('unknown_budget_line', 'data.budgetLine');
    spec.given([]).when(committed('PO-1', 'C2.1', 1)).thenRejects('unknown_budget_line');
  });
  it('routes to the grant that owns the line', () => {
    spec.given([signed(), cofinancing()]).when(committed('PO-CF', 'CF-1', 5_000_000)).then([{ type: 'FundsCommitted', data: committed('PO-CF', 'CF-1', 5_000_000).data }]);
    expect(grantAfter([signed(), cofinancing(), committed('PO-CF', 'CF-1', 1)], 'CF-2026').commitments.has('PO-CF')).toBe(true);
  });
  it('rejects a commitment id used before, on any line of any grant (duplicate_commitment)', () => {
    spec.given([signed(), committed('PO-1', 'C2.1', 1)]).when(committed('PO-1', 'C2.2', 1)).thenRejects('duplicate_commitment', 'data.commitmentId');
    spec.given([signed(), cofinancing(), committed('PO-1', 'CF-1', 1)]).when(committed('PO-1', 'C2.1', 1)).thenRejects('duplicate_commitment');
    spec.given([signed(), committed('PO-1', 'C2.1', 5), released('PO-1', 5)]).when(committed('PO-1', 'C2.1', 1)).thenRejects('duplicate_commitment');
  });
  it('rejects more than the line has left (insufficient_funds), and accepts exactly what is left', () => {
    const half = [signed(), committed('PO-1', 'C4.2', 6_000_000), spent('E1', 'C4.2', 3_000_000)];
    spec.given(half).when(committed('PO-2', 'C4.2', 1_000_001)).thenRejects('insufficient_funds', 'data.amountMinor');
    spec.given(half).when(committed('PO-2', 'C4.2', 1_000_000)).then([{ type: 'FundsCommitted', data: committed('PO-2', 'C4.2', 1_000_000).data }]);
  });
});

describe('CommitmentReleased', () => {
  const held = [signed(), committed('plan-P1', 'C2.1', 39_000)];
  it('releases part of a commitment, then the rest', () => {
    spec.given(held).when(released('plan-P1', 4_000)).then([{ type: 'CommitmentReleased', data: released('plan-P1', 4_000).data }]);
    spec.given([...held, released('plan-P1', 4_000)]).when(released('plan-P1', 35_000)).then([{ type: 'CommitmentReleased', data: released('plan-P1', 35_000).data }]);
    expect(lineOf([...held, released('plan-P1', 4_000)], 'C2.1').committedMinor).toBe(35_000);
  });
  it('rejects an unknown commitment (unknown_commitment)', () => {
    spec.given(held).when(released('plan-P9', 1)).thenRejects('unknown_commitment', 'data.commitmentId');
  });
  it('rejects releasing more than the commitment still holds (commitment_exceeded)', () => {
    spec.given(held).when(released('plan-P1', 39_001)).thenRejects('commitment_exceeded', 'data.amountMinor');
    spec.given([...held, released('plan-P1', 39_000)]).when(released('plan-P1', 1)).thenRejects('commitment_exceeded');
  });
  it('gives the released amount back to the line', () => {
    const full = [signed(), committed('PO-1', 'C4.2', 10_000_000)];
    spec.given([...full, released('PO-1', 250_000)]).when(spent('E1', 'C4.2', 250_000)).then([{ type: 'ExpenditureRecorded', data: spent('E1', 'C4.2', 250_000).data }]);
  });
});

describe('ExpenditureRecorded', () => {
  it('records a USD expenditure on its line', () => {
    spec.given([signed()]).when(spent('E1', 'C4.2', 250_000)).then([{ type: 'ExpenditureRecorded', data: spent('E1', 'C4.2', 250_000).data }]);
    expect(lineOf([signed(), spent('E1', 'C4.2', 250_000)], 'C4.2')).toMatchObject({ spentMinor: 250_000, committedMinor: 0 });
  });
  it('counts an LBP expenditure in US cents, keeping the event as submitted (2,900,000 LBP at 89,500 = US$32.40)', () => {
    const lbp = spent('E1', 'C2.1', 2_900_000, { currency: 'LBP', fxRateToUsd: '89500' });
    spec.given([signed()]).when(lbp).then([{ type: 'ExpenditureRecorded', data: lbp.data }]);
    const grant = grantAfter([signed(), lbp]);
    expect(grant.lines.get('C2.1')!.spentMinor).toBe(3_240);
    expect(grant.expenditures.get('E1')).toMatchObject({ amountMinor: 2_900_000, currency: 'LBP', fxRateToUsd: '89500', usdMinor: 3_240 });
  });
  it('rejects LBP without a rate (fx_rate_required)', () => {
    spec.given([signed()]).when(spent('E1', 'C2.1', 2_900_000, { currency: 'LBP' })).thenRejects('fx_rate_required', 'data.fxRateToUsd');
  });
  it('rejects a rate on a USD amount other than 1 (fx_rate_not_applicable)', () => {
    spec.given([signed()]).when(spent('E1', 'C2.1', 100, { fxRateToUsd: '89500' })).thenRejects('fx_rate_not_applicable', 'data.fxRateToUsd');
    spec.given([signed()]).when(spent('E1', 'C2.1', 100, { fxRateToUsd: '1' })).then([{ type: 'ExpenditureRecorded', data: spent('E1', 'C2.1', 100, { fxRateToUsd: '1' }).data }]);
  });
  it('rejects a conversion beyond exact integers (amount_out_of_range)', () => {
    spec.given([signed()]).when(spent('E1', 'C2.1', 9_000_000_000_000_000, { currency: 'LBP', fxRateToUsd: '0.5' })).thenRejects('amount_out_of_range', 'data.amountMinor');
  });
  it('rejects an LBP amount worth less than half a cent (amount_rounds_to_zero)', () => {
    spec.given([signed()]).when(spent('E1', 'C2.1', 400, { currency: 'LBP', fxRateToUsd: '89500' })).thenRejects('amount_rounds_to_zero', 'data.amountMinor');
  });
  it('rejects a line no grant has (unknown_budget_line)', () => {
    spec.given([signed()]).when(spent('E1', 'C9.9', 100)).thenRejects('unknown_budget_line', 'data.budgetLine');
  });
  it('rejects an expenditure id used before, even reversed or on another grant (duplicate_expenditure)', () => {
    spec.given([signed(), spent('E1', 'C2.1', 1)]).when(spent('E1', 'C2.2', 1)).thenRejects('duplicate_expenditure', 'data.expenditureId');
    spec.given([signed(), spent('E1', 'C2.1', 1), reversed('E1')]).when(spent('E1', 'C2.1', 1)).thenRejects('duplicate_expenditure');
    spec.given([signed(), cofinancing(), spent('E1', 'CF-1', 1)]).when(spent('E1', 'C2.1', 1)).thenRejects('duplicate_expenditure');
  });
  it('rejects spending beyond what the line has left, commitments included (insufficient_funds)', () => {
    const busy = [signed(), committed('PO-1', 'C4.2', 5_000_000), spent('E1', 'C4.2', 4_000_000)];
    spec.given(busy).when(spent('E2', 'C4.2', 1_000_001)).thenRejects('insufficient_funds', 'data.amountMinor');
    spec.given(busy).when(spent('E2', 'C4.2', 1_000_000)).then([{ type: 'ExpenditureRecorded', data: spent('E2', 'C4.2', 1_000_000).data }]);
    spec.given(busy).when(spent('E2', 'C4.2', 89_500_000 * 1_000, { currency: 'LBP', fxRateToUsd: '89500' })).thenRejects('insufficient_funds');
  });
  it('accepts exactly 40 of 50 expenditures of US$2,500 on a US$100,000 line', () => {
    const d = grantContext();
    let state = d.evolve(d.initialState(), signed());
    let accepted = 0;
    for (let i = 0; i < 50; i++) {
      const command = spent(`AUD-${i}`, 'C4.2', 250_000);
      const outcome = d.decide(command, state);
      if (outcome.ok) {
        state = d.evolve(state, command);
        accepted += 1;
      } else {
        expect(outcome.rejection.code).toBe('insufficient_funds');
      }
    }
    expect(accepted).toBe(40);
  });
  describe('drawing down a commitment', () => {
    const planned = [signed(), committed('plan-P1', 'C2.1', 39_000)];
    const delivery = (consumed: number, amountMinor = 2_900_000) =>
      spent('delivery-D1', 'C2.1', amountMinor, { currency: 'LBP', fxRateToUsd: '89500', commitmentId: 'plan-P1', commitmentConsumedMinor: consumed });
    it('releases what the delivered items held, in the same decision, before the expenditure', () => {
      spec.given(planned).when(delivery(35_000)).then([
        { type: 'CommitmentReleased', data: { commitmentId: 'plan-P1', amountMinor: 35_000, reason: 'drawn down by expenditure delivery-D1' } },
        { type: 'ExpenditureRecorded', data: delivery(35_000).data },
      ]);
    });
    it('leaves committed + spent at the actual cost plus what the rest of the plan holds', () => {
      const outcome = grantContext().decide(delivery(35_000), stateAfter(planned));
      if (!outcome.ok) throw new Error(outcome.rejection.code);
      const after = grantAfter([...planned, ...outcome.events.map((e) => ({ ...e, occurredAt: ON }) as GrantCommand)]);
      expect(after.lines.get('C2.1')).toMatchObject({ committedMinor: 4_000, spentMinor: 3_240 });
      expect(outstandingMinor(after.commitments.get('plan-P1')!)).toBe(4_000);
    });
    it('never draws down more than the commitment still holds', () => {
      const outcome = grantContext().decide(delivery(35_000), stateAfter([...planned, released('plan-P1', 38_000)]));
      expect(outcome).toMatchObject({ ok: true, events: [{ type: 'CommitmentReleased', data: { amountMinor: 1_000 } }, { type: 'ExpenditureRecorded' }] });
      spec.given([...planned, released('plan-P1', 39_000)]).when(delivery(35_000)).then([{ type: 'ExpenditureRecorded', data: delivery(35_000).data }]);
    });
    it('counts the draw-down as room for the expenditure', () => {
      const full = [signed(), committed('PO-1', 'C4.2', 10_000_000)];
      const invoice = spent('E1', 'C4.2', 250_000, { commitmentId: 'PO-1', commitmentConsumedMinor: 250_000 });
      spec.given(full).when(invoice).then([
        { type: 'CommitmentReleased', data: { commitmentId: 'PO-1', amountMinor: 250_000, reason: 'drawn down by expenditure E1' } },
        { type: 'ExpenditureRecorded', data: invoice.data },
      ]);
      spec.given(full).when(spent('E1', 'C4.2', 250_001, { commitmentId: 'PO-1', commitmentConsumedMinor: 250_000 })).thenRejects('insufficient_funds');
    });
    it('rejects an unknown commitment (unknown_commitment)', () => {
      spec.given([signed()]).when(delivery(35_000)).thenRejects('unknown_commitment', 'data.commitmentId');
    });
    it('rejects a commitment on another line (commitment_line_mismatch)', () => {
      spec.given([signed(), committed('plan-P1', 'C2.2', 39_000)]).when(delivery(35_000)).thenRejects('commitment_line_mismatch', 'data.commitmentId');
    });
  });
});

describe('ExpenditureReversed', () => {
  const paid = [signed(), spent('E1', 'C4.2', 250_000)];
  it('reverses an expenditure and gives the spent amount back to the line', () => {
    spec.given(paid).when(reversed('E1')).then([{ type: 'ExpenditureReversed', data: reversed('E1').data }]);
    const grant = grantAfter([...paid, reversed('E1')]);
    expect(grant.lines.get('C4.2')!.spentMinor).toBe(0);
    expect(grant.expenditures.get('E1')!.reversal).toMatchObject({ reason: 'duplicate invoice', occurredAt: ON });
  });
  it('gives back the converted amount of an LBP expenditure', () => {
    const lbp = spent('E2', 'C2.1', 2_900_000, { currency: 'LBP', fxRateToUsd: '89500' });
    expect(grantAfter([signed(), spent('E1', 'C2.1', 100), lbp, reversed('E2')]).lines.get('C2.1')!.spentMinor).toBe(100);
  });
  it('rejects an unknown expenditure (unknown_expenditure)', () => {
    spec.given(paid).when(reversed('E9')).thenRejects('unknown_expenditure', 'data.expenditureId');
    spec.given([]).when(reversed('E1')).thenRejects('unknown_expenditure');
  });
  it('rejects reversing twice (expenditure_already_reversed)', () => {
    spec.given([...paid, reversed('E1')]).when(reversed('E1')).thenRejects('expenditure_already_reversed', 'data.expenditureId');
  });
});

describe('committed + spent ≤ allocation (property)', () => {
  const LINES = ['C4.1', 'C4.2', 'CF-1'] as const;
  const small = signed({
    amountMinor: 3_000_000,
    components: [{ code: 'C4', name: 'Project management', budgetLines: [{ code: 'C4.1', name: 'Management', allocationMinor: 1_000_000 }, { code: 'C4.2', name: 'Audits', allocationMinor: 2_000_000 }] }],
  });
  const line = fc.constantFrom(...LINES);
  const amount = fc.integer({ min: 1, max: 700_000 });
  // Few ids, so that releases, draw-downs and reversals mostly find what they target.
  const ref = fc.integer({ min: 0, max: 5 });
  const op = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('commit' as const), id: ref, line, amount }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), id: ref, amount }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('spend' as const), id: ref, line, amount,
        lbp: fc.boolean(), rate: fc.constantFrom('89500', '1507.5', '89500.25', '15000'), drawFrom: fc.option(ref, { nil: undefined, freq: 2 }), consumed: amount,
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('reverse' as const), id: ref }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('reallocate' as const), from: line, to: line, amount }) },
  );
  type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
  const toCommand = (o: Op): GrantCommand => {
    switch (o.kind) {
      case 'commit': return committed(`PO-${o.id}`, o.line, o.amount);
      case 'release': return released(`PO-${o.id}`, o.amount);
      case 'spend': return spent(`E-${o.id}`, o.line, o.lbp ? o.amount * 100 : o.amount, {
        ...(o.lbp ? { currency: 'LBP', fxRateToUsd: o.rate } : {}),
        ...(o.drawFrom === undefined ? {} : { commitmentId: `PO-${o.drawFrom}`, commitmentConsumedMinor: o.consumed }),
      });
      case 'reverse': return reversed(`E-${o.id}`);
      default: return reallocated(o.from, o.to, o.amount, o.from === 'CF-1' ? 'CF-2026' : 'JSDF-PEIL');
    }
  };

  it('holds on every line after any sequence of commitments, releases, expenditures, reversals and reallocations', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 120 }), (ops) => {
        const d = grantContext();
        let state = [small, cofinancing([{ code: 'CF-1', allocationMinor: 1_500_000 }])].reduce(d.evolve, d.initialState());
        for (const o of ops) {
          const command = toCommand(o);
          const outcome = d.decide(command, state);
          if (outcome.ok) state = outcome.events.reduce((s, e) => d.evolve(s, { ...e, occurredAt: ON } as GrantCommand), state);
          for (const grant of state.grants.values()) {
            if (grant.status !== 'signed') continue;
            let allocated = 0;
            for (const l of grant.lines.values()) {
              expect(l.committedMinor).toBeGreaterThanOrEqual(0);
              expect(l.spentMinor).toBeGreaterThanOrEqual(0);
              expect(l.committedMinor + l.spentMinor).toBeLessThanOrEqual(l.allocationMinor);
              // The line's totals are exactly what its commitments still hold and its unreversed expenditures cost.
              const held = [...grant.commitments.values()].filter((c) => c.budgetLine === l.code).reduce((s, c) => s + outstandingMinor(c), 0);
              const paid = [...grant.expenditures.values()].filter((e) => e.budgetLine === l.code && !e.reversal).reduce((s, e) => s + e.usdMinor, 0);
              expect(l.committedMinor).toBe(held);
              expect(l.spentMinor).toBe(paid);
              allocated += l.allocationMinor;
            }
            // Reallocations move money between lines; the grant's total never changes.
            expect(allocated).toBe(grant.amountMinor);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
