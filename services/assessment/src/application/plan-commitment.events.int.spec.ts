import { storedEvent, useTempLedger } from '@peil/testing';
import { commitmentOf, planEventIdOf, planReference, withdrawalOf } from './plan-commitment.events';

/** The recovery and the reserve step read grant and enrolment events typed, as the ledger returns them. */
describe('plan commitment events', () => {
  const ledger = useTempLedger('peil-plan-commitments-');

  async function storedAs(type: string, data: Record<string, string | number>) {
    const event = storedEvent(type, data);
    await ledger.store.append('spec', [event], 'any');
    return (await ledger.store.findByEventId(event.eventId))!;
  }

  it('finds the plan approval a commitment was made for, and nothing for other commitments or events', async () => {
    const forPlan = await storedAs('FundsCommitted', { commitmentId: 'plan-P1', budgetLine: 'C4.2', amountMinor: 35_000, reference: planReference('e-plan') });
    const purchaseOrder = await storedAs('FundsCommitted', { commitmentId: 'PO-1', budgetLine: 'C4.2', amountMinor: 100, reference: 'PO-1' });
    const released = await storedAs('CommitmentReleased', { commitmentId: 'plan-P1', amountMinor: 35_000, reference: planReference('e-plan') });
    expect(planEventIdOf(forPlan)).toBe('e-plan');
    expect(commitmentOf(forPlan)?.data.amountMinor).toBe(35_000);
    expect(planEventIdOf(purchaseOrder)).toBeUndefined();
    expect(planEventIdOf(released)).toBeUndefined();
    expect(commitmentOf(released)).toBeUndefined();
  });

  it('reads a withdrawal\'s household, and nothing of other events', async () => {
    expect(withdrawalOf(await storedAs('HouseholdWithdrawn', { householdId: 'H1', reason: 'moved' }))?.data.householdId).toBe('H1');
    expect(withdrawalOf(await storedAs('HouseholdEnrolled', { householdId: 'H1' }))).toBeUndefined();
  });
});
