import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@peil/platform/clock';
import { KEY_STORE } from '@peil/platform/nest';
import { type HouseholdKeyStore } from '@peil/platform/privacy';

/**
 * Crypto-shredding of a household whose erasure is on the ledger (decision 0038): its data key is
 * destroyed in the key store (secure_delete, WAL truncated), so its ciphertexts can never be read again.
 */
@Injectable()
export class HouseholdShredder {
  constructor(
    @Inject(KEY_STORE) private readonly keys: Pick<HouseholdKeyStore, 'destroyKey' | 'lookupKey'>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Idempotent: a second call keeps the first destruction time. */
  async shred(householdId: string): Promise<void> {
    await this.keys.destroyKey(householdId, this.clock.now().toISOString());
  }

  /**
   * For a household the ledger says is erased: finishes the destruction if the process that recorded
   * the erasure died before destroying the key. Cheap when there is nothing to do (one key lookup).
   */
  async ensureShredded(householdId: string): Promise<void> {
    if ((await this.keys.lookupKey(householdId)).status !== 'destroyed') await this.shred(householdId);
  }
}
