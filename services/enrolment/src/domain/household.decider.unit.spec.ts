import type { HouseholdEnrolled } from '@peil/contracts';
import { deciderSpec } from '@peil/testing';
import fc from 'fast-check';
import { evolve, householdDecider, initialState, type EnrolmentCommand, type Household } from './household.decider';
import { DEFAULT_ENROLMENT_POLICY, type EnrolmentPolicy } from './enrolment-policy';
import { evolveProgramme, initialProgramme, type Programme } from './programme';
import { ageOn, localDay } from './working-age';

/** The enrolment context as one decider: the programme view plus every household, keyed by id. */
function enrolmentDecider(policy: EnrolmentPolicy = DEFAULT_ENROLMENT_POLICY) {
  type State = { programme: Programme; households: Map<string, Household> };
  return {
    initialState: (): State => ({ programme: initialProgramme(), households: new Map() }),
    evolve: (state: State, event: EnrolmentCommand): State => {
      const id = event.data.householdId;
      const households = new Map(state.households);
      households.set(id, evolve(households.get(id) ?? initialState(), event));
      return { programme: evolveProgramme(state.programme, event), households };
    },
    // Decided by the household stream's decider, told the pseudonym the handler would compute.
    decide: (command: EnrolmentCommand, state: State) =>
      householdDecider(policy).decide(command, state.households.get(command.data.householdId) ?? initialState(), {
        programme: state.programme,
        ...(command.type === 'HouseholdEnrolled' ? { essnPseudonym: command.data.essnPseudonym } : {}),
      }),
  };
}

const ON = '2026-03-01T09:00:00+02:00';
type Enrol = Extract<EnrolmentCommand, { type: 'HouseholdEnrolled' }>;
/** Stands in for the keyed HMAC the handler computes: the decider only compares pseudonyms. */
const pseudonymOf = (essnId: string) => `pseudonym(${essnId})`;
const enrolled = (householdId: string, over: Partial<HouseholdEnrolled> = {}, occurredAt = ON): Enrol => {
  const data: HouseholdEnrolled = {
    householdId,
    essnId: `ESSN-${householdId}`,
    governorate: 'North',
    district: 'Tripoli',
    sdcId: 'SDC-TRI-01',
    participant: { participantId: `P-${householdId}`, fullName: 'Rima Haddad', sex: 'F', birthDate: '1990-05-14', educationLevel: 'secondary' },
    consent: true,
    ...over,
  };
  return { type: 'HouseholdEnrolled', occurredAt, data: { ...data, essnPseudonym: pseudonymOf(data.essnId) } };
};
const erased = (householdId: string): EnrolmentCommand => ({
  type: 'HouseholdPersonalDataErased',
  occurredAt: ON,
  data: { householdId, reason: 'data-subject request DSR-2026-014', requestedBy: 'supervisor-north' },
});
const withdrawn = (householdId: string): EnrolmentCommand => ({ type: 'HouseholdWithdrawn', occurredAt: ON, data: { householdId, reason: 'moved away' } });
const replaced = (householdId: string, birthDate = '1995-01-01'): EnrolmentCommand => ({
  type: 'ParticipantReplaced',
  occurredAt: ON,
  data: { householdId, reason: 'illness', participant: { participantId: `P2-${householdId}`, fullName: 'Sami Haddad', sex: 'M', birthDate, educationLevel: 'primary' } },
});

const spec = deciderSpec(enrolmentDecider());
const small = deciderSpec(enrolmentDecider({ ...DEFAULT_ENROLMENT_POLICY, capacity: 2 }));

describe('HouseholdEnrolled', () => {
  it('enrols a new household with a consenting working-age participant', () => {
    spec.given([]).when(enrolled('H1')).then([{ type: 'HouseholdEnrolled', data: enrolled('H1').data }]);
  });
  it('rejects a household enrolled before (household_already_enrolled)', () => {
    spec.given([enrolled('H1')]).when(enrolled('H1', { essnId: 'ESSN-other' })).thenRejects('household_already_enrolled', 'data.householdId');
  });
  it('rejects a household enrolled before even after its withdrawal', () => {
    spec.given([enrolled('H1'), withdrawn('H1')]).when(enrolled('H1', { essnId: 'ESSN-other' })).thenRejects('household_already_enrolled');
  });
  it('rejects an ESSN id already enrolled with another household (essn_already_enrolled)', () => {
    spec.given([enrolled('H1')]).when(enrolled('H2', { essnId: 'ESSN-H1' })).thenRejects('essn_already_enrolled', 'data.essnId');
  });
  it('keeps the ESSN id taken after the first household withdrew', () => {
    spec.given([enrolled('H1'), withdrawn('H1')]).when(enrolled('H2', { essnId: 'ESSN-H1' })).thenRejects('essn_already_enrolled');
  });
  it('rejects an enrolment without consent (consent_required)', () => {
    spec.given([]).when(enrolled('H1', { consent: false })).thenRejects('consent_required', 'data.consent');
  });
  it.each([
    ['aged 12', '2013-06-01'],
    ['aged 80', '1945-06-01'],
    ['one day short of 18', '2008-03-02'],
    ['65 on the day', '1961-03-01'],
  ])('rejects a participant %s (participant_not_working_age)', (_label, birthDate) => {
    const base = enrolled('H1');
    spec.given([]).when(enrolled('H1', { participant: { ...base.data.participant, birthDate } } as Partial<HouseholdEnrolled>))
      .thenRejects('participant_not_working_age', 'data.participant.birthDate');
  });
  it.each([
    ['18 on the day', '2008-03-01'],
    ['64 until tomorrow', '1961-03-02'],
  ])('accepts a participant %s', (_label, birthDate) => {
    const base = enrolled('H1');
    const command = enrolled('H1', { participant: { ...base.data.participant, birthDate } } as Partial<HouseholdEnrolled>);
    spec.given([]).when(command).then([{ type: 'HouseholdEnrolled', data: command.data }]);
  });
  it('uses configured working-age bounds', () => {
    const base = enrolled('H1');
    const young = enrolled('H1', { participant: { ...base.data.participant, birthDate: '2010-01-01' } } as Partial<HouseholdEnrolled>);
    deciderSpec(enrolmentDecider({ workingAgeMin: 16, workingAgeMax: 30, capacity: 10 })).given([]).when(young)
      .then([{ type: 'HouseholdEnrolled', data: young.data }]);
    spec.given([]).when(young).thenRejects('participant_not_working_age');
  });
  it('rejects enrolment at capacity (capacity_reached)', () => {
    small.given([enrolled('H1'), enrolled('H2')]).when(enrolled('H3')).thenRejects('capacity_reached');
  });
  it('frees capacity when a household withdraws', () => {
    small.given([enrolled('H1'), enrolled('H2'), withdrawn('H1')]).when(enrolled('H3'))
      .then([{ type: 'HouseholdEnrolled', data: enrolled('H3').data }]);
  });
});

describe('HouseholdPersonalDataErased', () => {
  it('erases the personal data of an enrolled household, active or withdrawn', () => {
    spec.given([enrolled('H1')]).when(erased('H1')).then([{ type: 'HouseholdPersonalDataErased', data: erased('H1').data }]);
    spec.given([enrolled('H1'), withdrawn('H1')]).when(erased('H1')).then([{ type: 'HouseholdPersonalDataErased', data: erased('H1').data }]);
  });

  it('rejects an unknown household (household_not_found) and a second erasure (personal_data_already_erased)', () => {
    spec.given([]).when(erased('H1')).thenRejects('household_not_found', 'data.householdId');
    spec.given([enrolled('H1'), erased('H1')]).when(erased('H1')).thenRejects('personal_data_already_erased', 'data.householdId');
  });

  it('refuses a new participant afterwards (household_personal_data_erased): there is no key to protect it', () => {
    spec.given([enrolled('H1'), erased('H1')]).when(replaced('H1')).thenRejects('household_personal_data_erased', 'data.householdId');
  });

  it('still lets the household be withdrawn, and keeps its ESSN id taken (the pseudonym outlives erasure)', () => {
    spec.given([enrolled('H1'), erased('H1')]).when(withdrawn('H1')).then([{ type: 'HouseholdWithdrawn', data: { householdId: 'H1', reason: 'moved away' } }]);
    spec.given([enrolled('H1'), erased('H1')]).when(enrolled('H2', { essnId: 'ESSN-H1' })).thenRejects('essn_already_enrolled', 'data.essnId');
  });

  it('records when and why in the household state', () => {
    const state = [enrolled('H1'), erased('H1')].reduce(evolve as (s: Household, e: EnrolmentCommand) => Household, initialState());
    if (state.status === 'unknown') throw new Error('unreachable');
    expect(state.personalDataErased).toEqual({ at: ON, reason: 'data-subject request DSR-2026-014', requestedBy: 'supervisor-north' });
  });
});

describe('ParticipantReplaced', () => {
  it('replaces the participant of an active household', () => {
    spec.given([enrolled('H1')]).when(replaced('H1')).then([{ type: 'ParticipantReplaced', data: replaced('H1').data }]);
  });
  it('applies working-age rules to the new participant', () => {
    spec.given([enrolled('H1')]).when(replaced('H1', '2015-01-01')).thenRejects('participant_not_working_age', 'data.participant.birthDate');
  });
  it('rejects an unknown household (household_not_found)', () => {
    spec.given([]).when(replaced('H1')).thenRejects('household_not_found', 'data.householdId');
  });
  it('rejects a withdrawn household (household_inactive)', () => {
    spec.given([enrolled('H1'), withdrawn('H1')]).when(replaced('H1')).thenRejects('household_inactive');
  });
  it('keeps the replaced participant in the household history', () => {
    const state = [enrolled('H1'), replaced('H1')].reduce(evolve as (s: Household, e: EnrolmentCommand) => Household, initialState());
    expect(state.status).toBe('active');
    if (state.status === 'unknown') throw new Error('unreachable');
    expect(state.participant.participantId).toBe('P2-H1');
    expect(state.participantHistory).toEqual([{ participantId: 'P-H1', replacedAt: ON, reason: 'illness' }]);
  });
});

describe('HouseholdWithdrawn', () => {
  it('withdraws an active household', () => {
    spec.given([enrolled('H1')]).when(withdrawn('H1')).then([{ type: 'HouseholdWithdrawn', data: withdrawn('H1').data }]);
  });
  it('rejects withdrawing twice (household_inactive)', () => {
    spec.given([enrolled('H1'), withdrawn('H1')]).when(withdrawn('H1')).thenRejects('household_inactive');
  });
  it('rejects an unknown household (household_not_found)', () => {
    spec.given([]).when(withdrawn('H9')).thenRejects('household_not_found');
  });
});

describe('age on a day', () => {
  it('counts whole years on the local date of the event', () => {
    expect(ageOn('1990-05-14', '2026-05-13')).toBe(35);
    expect(ageOn('1990-05-14', '2026-05-14')).toBe(36);
    expect(ageOn('2004-02-29', '2022-02-28')).toBe(17);
    expect(ageOn('2004-02-29', '2022-03-01')).toBe(18);
    expect(localDay('2026-03-01T00:30:00+02:00')).toBe('2026-03-01');
  });
  it('never decreases as the day moves forward (property)', () => {
    const day = fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    fc.assert(fc.property(day, day, day, (birth, a, b) => {
      const [early, late] = a <= b ? [a, b] : [b, a];
      expect(ageOn(birth, late)).toBeGreaterThanOrEqual(ageOn(birth, early));
    }));
  });
});

describe('capacity (property)', () => {
  it('never has more active households than the capacity, whatever the order of enrolments and withdrawals', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('enrol' as const), id: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('withdraw' as const), id: fc.integer({ min: 0, max: 30 }) }),
    );
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 }), fc.array(op, { maxLength: 80 }), (capacity, ops) => {
      const d = enrolmentDecider({ ...DEFAULT_ENROLMENT_POLICY, capacity });
      let state = d.initialState();
      for (const o of ops) {
        const command = o.kind === 'enrol' ? enrolled(`H${o.id}`) : withdrawn(`H${o.id}`);
        const outcome = d.decide(command, state);
        if (outcome.ok) state = d.evolve(state, command);
        const active = [...state.households.values()].filter((h) => h.status === 'active').length;
        expect(active).toBe(state.programme.activeCount);
        expect(active).toBeLessThanOrEqual(capacity);
      }
    }));
  });
});
