import { randomBytes } from 'node:crypto';
import { usePerTestBacking } from '@peil/testing';
import { ManualClock } from '../clock/clock';
import { HouseholdKeyDestroyedError, KeystoreError, type HouseholdKeyStore } from './key-store';

/** One backing store (a data dir, a database) that several key store instances may open. */
export interface KeyStoreBacking {
  /** Opens another store on this backing, as another process would. */
  open(masterKey: Buffer): Promise<HouseholdKeyStore>;
  /** Copies one household's stored wrapped key into another household's row, as an attacker with write access could. */
  copyWrappedKey(from: string, to: string): Promise<void>;
  cleanup(): Promise<void>;
}

export const CONTRACT_CLOCK = () => new ManualClock(new Date('2025-03-01T08:00:00Z'));

const A = '0b9f6a3e-6b1e-4d4e-9a53-0d3f1c2b7a01';
const B = '5c2d8e71-2f4a-4c8b-b1d6-7e9a0f3c4d52';

/**
 * What every HouseholdKeyStore adapter must do (run by sqlite-key-store.int.spec.ts and
 * mongo-key-store.int.spec.ts): one key per household shared by every process, the master key
 * checked at open, crypto-shredding that is final, and a unit of work that stores all or nothing.
 */
export function keyStoreContract(name: string, setup: () => Promise<KeyStoreBacking>): void {
  describe(`${name} (HouseholdKeyStore contract)`, () => {
    const master = randomBytes(32);
    const suite = usePerTestBacking<KeyStoreBacking, HouseholdKeyStore>(setup);
    const open = (key: Buffer = master): Promise<HouseholdKeyStore> => suite.open((backing) => backing.open(key));

    it('creates one 32-byte key per household, the same for every store on the backing', async () => {
      const store = await open();
      const [a, b] = [await store.getOrCreateKey(A), await store.getOrCreateKey(B)];
      expect(a).toHaveLength(32);
      expect(a.equals(b)).toBe(false);
      expect((await store.getOrCreateKey(A)).equals(a)).toBe(true);
      const other = await open();
      expect((await other.getKey(A))?.equals(a)).toBe(true);
      expect((await other.getOrCreateKey(B)).equals(b)).toBe(true);
      expect(await other.getKey('never-seen')).toBeNull();
      expect(await other.lookupKey('never-seen')).toEqual({ status: 'unknown' });
    });

    it('gives concurrent first callers in two stores the same key', async () => {
      const [one, two] = [await open(), await open()];
      const households = Array.from({ length: 10 }, (_, i) => `hh-${i}`);
      const keys = await Promise.all(households.flatMap((h) => [one.getOrCreateKey(h), two.getOrCreateKey(h)]));
      for (let i = 0; i < keys.length; i += 2) expect(keys[i]!.equals(keys[i + 1]!)).toBe(true);
    });

    it('refuses another master key at open, with a clear message and no key material', async () => {
      await (await open()).getOrCreateKey(A);
      const wrong = randomBytes(32);
      const err = await suite.backing.open(wrong).then(
        (store) => (suite.track(store), new Error('opened')),
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(KeystoreError);
      expect(err.message).toMatch(/different master key/);
      for (const k of [master, wrong]) {
        expect(err.message).not.toContain(k.toString('base64'));
        expect(err.message).not.toContain(k.toString('hex'));
      }
    });

    it('fails to unwrap, clearly, when a wrapped key was copied to another household', async () => {
      const store = await open();
      await store.getOrCreateKey(A);
      await store.getOrCreateKey(B);
      await suite.backing.copyWrappedKey(A, B);
      await expect(store.getKey(B)).rejects.toThrow(/cannot unwrap the data key \(wrong master key, or the keystore row was altered\)/);
      await expect(store.getKey(B)).rejects.toBeInstanceOf(KeystoreError);
    });

    it('destroyKey crypto-shreds: the key is gone for every store, for good, and a second call keeps the first time', async () => {
      const store = await open();
      await store.getOrCreateKey(A);
      expect(await store.destroyKey(A, '2025-06-01T10:00:00.000Z')).toEqual({ destroyedAt: '2025-06-01T10:00:00.000Z', alreadyDestroyed: false });
      const other = await open();
      for (const s of [store, other]) {
        expect(await s.getKey(A)).toBeNull();
        expect(await s.lookupKey(A)).toEqual({ status: 'destroyed', destroyedAt: '2025-06-01T10:00:00.000Z' });
        await expect(s.getOrCreateKey(A)).rejects.toBeInstanceOf(HouseholdKeyDestroyedError);
      }
      expect(await other.destroyKey(A, '2025-07-01T00:00:00.000Z')).toEqual({ destroyedAt: '2025-06-01T10:00:00.000Z', alreadyDestroyed: true });
    });

    it('destroyKey on a never-seen household leaves a tombstone, so it cannot get a key later', async () => {
      const store = await open();
      expect((await store.destroyKey(B, '2025-06-01T10:00:00.000Z')).alreadyDestroyed).toBe(false);
      await expect(store.getOrCreateKey(B)).rejects.toThrow(/was destroyed at 2025-06-01T10:00:00.000Z/);
      await expect(store.destroyKey(A, 'yesterday')).rejects.toThrow(/ISO timestamp/);
      await expect(store.getOrCreateKey('')).rejects.toThrow(/non-empty/);
    });

    it('derives the same digest and pseudonym keys from the same master key, and others from another', async () => {
      const store = await open();
      expect(store.digestKey()).toHaveLength(32);
      expect(store.digestKey().equals(master)).toBe(false);
      expect(store.digestKey().equals(store.essnPseudonymKey())).toBe(false);
      expect((await open()).digestKey().equals(store.digestKey())).toBe(true);
    });

    it('unit of work: new keys stay in the unit until it resolves, then are stored as handed out', async () => {
      const [store, other] = [await open(), await open()];
      let handedOut!: Buffer;
      await store.unitOfWork(async () => {
        handedOut = await store.getOrCreateKey(A);
        expect((await store.getOrCreateKey(A)).equals(handedOut)).toBe(true);
        expect(await store.lookupKey(A)).toEqual({ status: 'active', key: handedOut });
        expect(await other.lookupKey(A)).toEqual({ status: 'unknown' });
      });
      expect((await other.getKey(A))?.equals(handedOut)).toBe(true);
    });

    it('unit of work: concurrent calls for one household inside a unit get one key', async () => {
      const store = await open();
      const keys = await store.unitOfWork(() => Promise.all([store.getOrCreateKey(A), store.getOrCreateKey(A), store.getOrCreateKey(A)]));
      expect(keys[1]!.equals(keys[0]!) && keys[2]!.equals(keys[0]!)).toBe(true);
      expect((await store.getKey(A))?.equals(keys[0]!)).toBe(true);
    });

    it('unit of work: fails, storing nothing of the unit, when a key was destroyed meanwhile', async () => {
      const [store, other] = [await open(), await open()];
      await expect(
        store.unitOfWork(async () => {
          await store.getOrCreateKey(A);
          await store.getOrCreateKey(B);
          await other.destroyKey(A, '2025-03-01T09:00:00Z');
        }),
      ).rejects.toBeInstanceOf(KeystoreError);
      expect(await other.lookupKey(A)).toMatchObject({ status: 'destroyed' });
      expect(await other.lookupKey(B)).toEqual({ status: 'unknown' });
    });

    it('unit of work: writes nothing when the work throws', async () => {
      const store = await open();
      await expect(
        store.unitOfWork(async () => {
          await store.getOrCreateKey(A);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.lookupKey(A)).toEqual({ status: 'unknown' });
    });

    it('answers ping while open', async () => {
      await expect((await open()).ping()).resolves.toBeUndefined();
    });
  });
}
