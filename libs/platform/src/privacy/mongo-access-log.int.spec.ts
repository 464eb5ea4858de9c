import { describeOnMongo, scratchDatabase } from '@peil/testing';
import { accessLogContract } from './access-log.contract';
import { ACCESS_LOG_COLLECTION, MongoAccessLog } from './mongo-access-log';

/** The access log contract on a real MongoDB. */
describeOnMongo('MongoDB access log', (url) => {
  accessLogContract('MongoDB access log', async () => {
    const db = scratchDatabase(url(), 'peil_access_log_test');
    const entries = (await db.connect()).db!.collection<{ _id: number }>(ACCESS_LOG_COLLECTION);
    return {
      open: async (clock) => new MongoAccessLog(await db.connect(), clock),
      alter: async (seq, change) => {
        await entries.updateOne({ _id: seq }, { $set: change });
      },
      remove: async (seq) => {
        await entries.deleteOne({ _id: seq });
      },
      cleanup: () => db.drop(),
    };
  });
});
