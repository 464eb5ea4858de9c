import { get, post, useSharedSystem } from '@peil/testing';
import { enrolment } from './fixtures';
import { accepted, budgetLine, enrolledHousehold, ev, rejectedWith, signedGrant, uniq } from './programme';

/** Issue 4: training, coaching, nudges, evaluation, and a household's lifecycle across every context. */
describe('household lifecycle across contexts', () => {
  const system = useSharedSystem();
  /** The lines sessions and deliveries are charged to. */
  let lines: Record<string, string>;
  const SEW = uniq('SEW');
  const IRON = uniq('IRON');
  const session = (module: string, over: Record<string, unknown> = {}) =>
    ev('TrainingSessionHeld', { sessionId: uniq('SES'), module, governorate: 'North', district: 'Tripoli', ...over }, '2025-10-05T09:00:00+03:00');

  beforeAll(async () => {
    lines = await signedGrant(system);
    await accepted(system, 'asset-transfer', [
      ev('AssetCatalogueItemApproved', { itemCode: SEW, name: 'Sewing machine', category: 'sewing-embroidery', unitCostCeilingMinor: 35_000 }),
      ev('AssetCatalogueItemApproved', { itemCode: IRON, name: 'Steam iron', category: 'sewing-embroidery', unitCostCeilingMinor: 4_000 }),
    ]);
    await accepted(system, 'assessment', [ev('MarketAssessmentCompleted', { assessmentId: uniq('MA'), governorate: 'North', district: 'Tripoli', viableSectors: ['tailoring'] })]);
  }, 60_000);

  it('spends a financial-literacy session of 4,475,000 LBP at 89,500 as US$50.00 on the training line; attendance once, known households only', async () => {
    const before = await budgetLine(system, lines.training!);
    const held = session('financial-literacy', { costMinor: 4_475_000, currency: 'LBP', fxRateToUsd: '89500' });
    await accepted(system, 'training', [held]);
    expect((await budgetLine(system, lines.training!)).spentMinor).toBe(before.spentMinor + 5000);

    const householdId = await enrolledHousehold(system);
    const attendance = { sessionId: held.data.sessionId, householdId };
    await accepted(system, 'training', [ev('TrainingAttended', attendance)]);
    expect(await rejectedWith(system, 'training', ev('TrainingAttended', attendance))).toBe('duplicate_attendance');
    expect(await rejectedWith(system, 'training', ev('TrainingAttended', { ...attendance, householdId: 'HH-unknown' }))).toBe('household_not_found');
  });

  it('takes one household from enrolment through plan, delivery, five trainings, six coaching visits, nudges and three surveys', async () => {
    const householdId = await enrolledHousehold(system, '2025-09-01T09:00:00+03:00');
    const planId = uniq('PLAN');
    await accepted(system, 'assessment', [ev('LivelihoodPlanApproved', { householdId, planId, sector: 'tailoring', assetKit: [{ itemCode: SEW, quantity: 1 }], trainingModules: ['business-development', 'financial-literacy'], coachingSessions: 6 })]);
    const deliveryId = uniq('DLV');
    await accepted(system, 'asset-transfer', [ev('AssetDelivered', { deliveryId, householdId, itemCode: SEW, quantity: 1, unitCostMinor: 32_000, currency: 'USD', supplier: 'Al Mina Sewing Supplies', invoiceRef: 'INV-77' }), ev('AssetReceiptAcknowledged', { deliveryId, method: 'otp' })]);

    const modules = ['business-development', 'business-development', 'financial-literacy', 'financial-literacy', 'technical'];
    const sessions = modules.map((m) => session(m));
    await accepted(system, 'training', sessions);
    await accepted(system, 'training', sessions.map((s) => ev('TrainingAttended', { sessionId: s.data.sessionId, householdId })));
    await accepted(system, 'training', Array.from({ length: 6 }, () => ev('CoachingVisitRecorded', { visitId: uniq('VIS'), householdId })));
    await accepted(system, 'training', ['sms', 'whatsapp', 'voice'].map((channel) => ev('SavingsNudgeSent', { nudgeId: uniq('NDG'), householdId, channel, template: 'weekly-saving-goal' })));

    const survey = (round: string, occurredAt: string, income: number) =>
      ev('SurveyRecorded', { surveyId: uniq('SRV'), householdId, round, monthlyIncomeMinor: income, savingsMinor: 0, currency: 'LBP', fxRateToUsd: '89500', businessOperating: round !== 'baseline', employed: round !== 'baseline' }, occurredAt);
    await accepted(system, 'evaluation', [survey('baseline', '2025-09-10T10:00:00+03:00', 8_950_000)]);
    await accepted(system, 'evaluation', [survey('midline', '2026-03-01T10:00:00+02:00', 13_425_000)]);
    expect(await rejectedWith(system, 'evaluation', survey('endline', '2025-12-01T10:00:00+02:00', 1))).toBe('endline_too_early');
    await accepted(system, 'evaluation', [survey('endline', '2026-10-01T10:00:00+03:00', 17_900_000)]);
    expect(await rejectedWith(system, 'evaluation', survey('baseline', '2026-10-02T10:00:00+03:00', 1))).toBe('duplicate_round');

    const training = await get(system, `/training/households/${householdId}`, 'ngo');
    expect(training.body).toMatchObject({ attendedPerModule: { 'business-development': 2, 'financial-literacy': 2, technical: 1 }, coachingVisits: 6 });
    expect(training.body.nudges).toHaveLength(3);
    expect(training.body.outsidePlan).toEqual([expect.objectContaining({ module: 'technical' })]);
    const evaluation = await get(system, `/evaluation/households/${householdId}`, 'ngo');
    expect(evaluation.body.rounds.endline).toMatchObject({ monthlyIncomeUsdMinor: 20_000, businessOperating: true });
  });

  it('rejects an endline without a baseline', async () => {
    const householdId = await enrolledHousehold(system, '2025-01-10T09:00:00+02:00');
    const endline = ev('SurveyRecorded', { surveyId: uniq('SRV'), householdId, round: 'endline', monthlyIncomeMinor: 1, savingsMinor: 0, currency: 'USD', businessOperating: true, employed: true }, '2026-03-01T10:00:00+02:00');
    expect(await rejectedWith(system, 'evaluation', endline)).toBe('baseline_missing');
  });

  it('stops everything for a withdrawn household and releases its undelivered kit', async () => {
    const householdId = await enrolledHousehold(system);
    const planId = uniq('PLAN');
    await accepted(system, 'assessment', [ev('LivelihoodPlanApproved', { householdId, planId, sector: 'tailoring', assetKit: [{ itemCode: SEW, quantity: 1 }, { itemCode: IRON, quantity: 2 }], trainingModules: ['financial-literacy'], coachingSessions: 2 })]);
    await accepted(system, 'asset-transfer', [ev('AssetDelivered', { deliveryId: uniq('DLV'), householdId, itemCode: IRON, quantity: 1, unitCostMinor: 3_500, currency: 'USD', supplier: 'S', invoiceRef: 'I' })]);
    const held = session('financial-literacy');
    await accepted(system, 'training', [held]);
    const committedBefore = (await budgetLine(system, lines.assets!)).committedMinor;

    await accepted(system, 'enrolment', [ev('HouseholdWithdrawn', { householdId, reason: 'found formal employment' })]);
    // The release follows the withdrawal through the ledger; give it a moment.
    let committed = committedBefore;
    for (let i = 0; i < 50 && committed === committedBefore; i++) {
      await new Promise((r) => setTimeout(r, 100));
      committed = (await budgetLine(system, lines.assets!)).committedMinor;
    }
    expect(committedBefore - committed).toBe(35_000 + 4_000); // the sewing machine and one iron were never delivered

    const inactive = [
      ['training', ev('TrainingAttended', { sessionId: held.data.sessionId, householdId })],
      ['training', ev('CoachingVisitRecorded', { visitId: uniq('VIS'), householdId })],
      ['training', ev('SavingsNudgeSent', { nudgeId: uniq('NDG'), householdId, channel: 'sms', template: 't' })],
      ['evaluation', ev('SurveyRecorded', { surveyId: uniq('SRV'), householdId, round: 'baseline', monthlyIncomeMinor: 0, savingsMinor: 0, currency: 'USD', businessOperating: false, employed: false })],
      ['asset-transfer', ev('AssetDelivered', { deliveryId: uniq('DLV'), householdId, itemCode: SEW, quantity: 1, unitCostMinor: 30_000, currency: 'USD', supplier: 'S', invoiceRef: 'I' })],
      ['assessment', ev('SkillsProfileRecorded', { householdId, skills: [], yearsExperience: 0, preferredSector: 'tailoring' })],
    ] as const;
    for (const [context, event] of inactive) expect(await rejectedWith(system, context, event)).toBe('household_inactive');
  });

  it('decides each event of one batch (one group commit) on the events before it; a rejected one writes nothing', async () => {
    const enrol = { ...enrolment(), occurredAt: '2025-09-01T09:00:00+03:00' };
    const householdId = enrol.data.householdId;
    const replacement = (birthDate: string) => ev('ParticipantReplaced', { householdId, reason: 'relocated', participant: { participantId: uniq('P'), fullName: 'Karim Haddad', sex: 'M', birthDate, educationLevel: 'primary' } });
    const tooYoung = replacement('2012-01-01');
    const batch = [enrol, tooYoung, replacement('1992-02-02'), enrol];
    const res = await post(system, '/enrolment/events', { events: batch });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'rejected', 'accepted', 'duplicate']);
    expect(res.body.results[3].position).toBe(res.body.results[0].position);
    expect(res.body.results[2].position).toBe(res.body.results[0].position + 1);
    const household = await get(system, `/enrolment/households/${householdId}`, 'ngo');
    expect(household.body).toMatchObject({ status: 'active', participant: { fullName: 'Karim Haddad' } });
    // Resubmitted whole (a client retrying after a lost response): duplicates, the rejection again.
    const again = await post(system, '/enrolment/events', { events: batch });
    expect(again.body.results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'rejected', 'duplicate', 'duplicate']);
  });

  it('applies working-age rules to a replacement participant and keeps the history', async () => {
    const householdId = await enrolledHousehold(system);
    const replacement = (birthDate: string) => ev('ParticipantReplaced', { householdId, reason: 'long illness', participant: { participantId: uniq('P'), fullName: 'Karim Haddad', sex: 'M', birthDate, educationLevel: 'primary' } });
    expect(await rejectedWith(system, 'enrolment', replacement('2012-01-01'))).toBe('participant_not_working_age');
    await accepted(system, 'enrolment', [replacement('1992-02-02')]);
    const household = await get(system, `/enrolment/households/${householdId}`, 'ngo');
    expect(household.body).toMatchObject({ status: 'active', participant: { fullName: 'Karim Haddad' } });
    expect(household.body.participantHistory).toHaveLength(1);
  });
});
