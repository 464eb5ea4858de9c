import { Inject, Injectable } from '@nestjs/common';
import { PERSONAL_DATA_PATHS } from '@peil/contracts';
import { PERSONAL_DATA, PERSONAL_DATA_ROLES, type CallerRole, type PersonalDataProtector } from '@peil/platform';
import { HouseholdRepository } from './household.repository';

/** A household's current state as a reader may see it: personal data in clear only for ngo and supervisor. */
@Injectable()
export class HouseholdQuery {
  constructor(
    private readonly households: HouseholdRepository,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataProtector,
  ) {}

  async get(householdId: string, role: CallerRole): Promise<Record<string, unknown> | null> {
    const { household, expectedRevision } = await this.households.load(householdId);
    if (household.status === 'unknown') return null;
    const paths = [...PERSONAL_DATA_PATHS];
    const participant = (PERSONAL_DATA_ROLES as readonly string[]).includes(role)
      ? this.personalData.reveal(householdId, { participant: household.participant }, paths)
      : this.personalData.redact({ participant: household.participant }, paths);
    return {
      householdId: household.householdId,
      status: household.status,
      essnId: household.essnId,
      governorate: household.governorate,
      district: household.district,
      sdcId: household.sdcId,
      participant: (participant as { participant: unknown }).participant,
      enrolledAt: household.enrolledAt,
      // A copy: the folded state may take later events before this answer is serialised.
      participantHistory: [...household.participantHistory],
      ...(household.withdrawn ? { withdrawn: household.withdrawn } : {}),
      revision: expectedRevision,
    };
  }
}
