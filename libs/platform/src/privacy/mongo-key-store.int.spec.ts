import { describeOnMongo, scratchDatabase } from '@peil/testing';
import { CONTRACT_CLOCK, keyStoreContract } from './key-store.contract';
import { KEYS_COLLECTION, openMongoKeyStore } from './mongo-key-store';

/** The key store contract on a real MongoDB replica set (the adapter needs transactions). */
describeOnMongo('MongoDB key store', (url) => {
  keyStoreContract('MongoDB key store', async () => {
    const db = scratchDatabase(url(), 'peil_key_store_test');
    const admin = await db.connect();
    return {
      // Each store on a connection of its own, as each service process has.
      open: async (masterKey) => openMongoKeyStore(await db.connect(), masterKey, { clock: CONTRACT_CLOCK() }),
      copyWrappedKey: async (from, to) => {
        const keys = admin.db!.collection<{ _id: string; wrappedKey: unknown }>(KEYS_COLLECTION);
        const source = await keys.findOne({ _id: from });
        await keys.updateOne({ _id: to }, { $set: { wrappedKey: source!.wrappedKey } });
      },
      cleanup: () => db.drop(),
    };
  });
});
