import { Inject, Injectable } from '@nestjs/common';
import { PERSONAL_DATA_PATHS } from '@peil/contracts';
import { PERSONAL_DATA_ROLES, type Principal } from '@peil/platform/auth';
import { PERSONAL_DATA } from '@peil/platform/nest';
import { AccessLog, ERASED, isEncrypted, type PersonalDataProtector } from '@peil/platform/privacy';
import type { Household } from '../domain/household.decider';
import { EnrolmentSubmissions } from './enrolment.handlers';
import { HouseholdShredder } from './household-shredder';

type Known = Exclude<Household, { status: 'unknown' }>;
type Shown = Pick<Known, 'essnId' | 'participant'>;

/**
 * A household's current state as a reader may see it: personal data in clear only for ngo and
 * supervisor, and each such read recorded in the access log before anything is decrypted.
 */
@Injectable()
export class HouseholdQuery {
  constructor(
    private readonly households: EnrolmentSubmissions,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataProtector,
    private readonly accessLog: AccessLog,
    private readonly shredder: HouseholdShredder,
  ) {}

  async get(householdId: string, principal: Principal): Promise<Record<string, unknown> | null> {
    const { household, expectedRevision } = await this.households.household(householdId);
    if (household.status === 'unknown') return null;
    const shown = await this.personalFields(household, principal);
    return {
      householdId: household.householdId,
      status: household.status,
      essnId: shown.essnId,
      governorate: household.governorate,
      district: household.district,
      sdcId: household.sdcId,
      participant: shown.participant,
      enrolledAt: household.enrolledAt,
      // A copy: the folded state may take later events before this answer is serialised.
      participantHistory: [...household.participantHistory],
      ...(household.withdrawn ? { withdrawn: household.withdrawn } : {}),
      ...(household.personalDataErased ? { personalDataErased: household.personalDataErased } : {}),
      revision: expectedRevision,
    };
  }

  private async personalFields(household: Known, principal: Principal): Promise<Shown> {
    const paths = [...PERSONAL_DATA_PATHS];
    const fields: Shown = { essnId: household.essnId, participant: household.participant };
    // Erased is decided by the ledger, not by the key store: the fields read as erased from the moment
    // the erasure is recorded, even if destroying the key (which follows it) has not happened yet.
    if (household.personalDataErased) {
      // Normally done right after the erasure was recorded; this covers a crash in between.
      await this.shredder.ensureShredded(household.householdId);
      return this.personalData.mark(fields, paths, ERASED);
    }
    if (!(PERSONAL_DATA_ROLES as readonly string[]).includes(principal.role)) return this.personalData.redact(fields, paths);
    const decrypted = paths.filter((path) => isEncrypted(valueAt(fields, path)));
    if (decrypted.length > 0) {
      await this.accessLog.record({
        principal: principal.name,
        role: principal.role,
        requestId: principal.requestId,
        householdId: household.householdId,
        fields: decrypted,
      });
    }
    return this.personalData.reveal(household.householdId, fields, paths);
  }
}

function valueAt(root: unknown, path: string): unknown {
  let node = root;
  for (const segment of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}
