import { describeOnMongo, scratchDatabase } from '@peil/testing';
import { MongoReadStore } from './mongo-read-store';
import { readStoreContract } from './read-store.contract';

/** The ReadStore contract against a real MongoDB replica set (PEIL_TEST_MONGO_URL or testcontainers; else skipped). */
describeOnMongo('MongoReadStore on MongoDB', (url) => {
  readStoreContract('MongoReadStore', async () => {
    // A database of its own per run, dropped afterwards, so a shared server keeps nothing of ours.
    // The connection is the test's (the way a Nest module would inject one), so the test drops it.
    const db = scratchDatabase(url(), 'peil_read_store_test');
    const store = new MongoReadStore(await db.connect());
    return {
      store,
      cleanup: async () => {
        await store.close();
        await db.drop();
      },
    };
  });
});
