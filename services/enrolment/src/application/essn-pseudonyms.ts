import { Inject, Injectable } from '@nestjs/common';
import type { RecordedHouseholdEnrolled } from '@peil/contracts';
import { KEY_STORE } from '@peil/platform/nest';
import { isEncrypted, pseudonym, type HouseholdKeyStore } from '@peil/platform/privacy';

/**
 * Keyed pseudonyms of ESSN ids (decision 0037): what one-household-per-ESSN-id is checked on, so the
 * ledger and the programme view never need the id in clear. The key is derived from the master key
 * in every process, like the content-digest key, and is never stored.
 */
@Injectable()
export class EssnPseudonyms {
  private readonly key: Buffer;

  constructor(@Inject(KEY_STORE) keys: Pick<HouseholdKeyStore, 'essnPseudonymKey'>) {
    this.key = keys.essnPseudonymKey();
  }

  of(essnId: string): string {
    return pseudonym(this.key, essnId);
  }

  /**
   * The pseudonym of a recorded enrolment. Events recorded before pseudonyms carry a plain essnId:
   * computing it here keeps them counting for uniqueness without rewriting the ledger.
   */
  ofRecorded(data: RecordedHouseholdEnrolled): string {
    if (data.essnPseudonym !== undefined) return data.essnPseudonym;
    if (isEncrypted(data.essnId)) {
      throw new Error(`household ${data.householdId}: encrypted essnId without essnPseudonym; the event was not written by this service`);
    }
    return this.of(data.essnId);
  }
}
