import { mongoTestTarget } from '@peil/testing';
import { randomUUID } from 'node:crypto';
import type { StartedMongoDBContainer } from '@testcontainers/mongodb';
import type { Connection } from 'mongoose';
import { accessLogContract } from './access-log.contract';
import { ACCESS_LOG_COLLECTION, MongoAccessLog } from './mongo-access-log';

/**
 * The access log contract against a real MongoDB: PEIL_TEST_MONGO_URL, else a testcontainers
 * replica set, else — with no Docker engine — skipped with one line saying so.
 */
const target = mongoTestTarget();
if (target.kind === 'skip') {
  process.stderr.write(
    `MongoDB access-log suite skipped: no Docker engine reachable (${target.reason}); set PEIL_TEST_MONGO_URL=mongodb://host:27017/?replicaSet=rs0 to run it against a server\n`,
  );
}

(target.kind === 'skip' ? describe.skip : describe)('MongoDB access log', () => {
  let url = target.kind === 'url' ? target.url : '';
  let container: StartedMongoDBContainer | undefined;

  beforeAll(async () => {
    if (target.kind !== 'container') return;
    const { MongoDBContainer } = await import('@testcontainers/mongodb');
    container = await new MongoDBContainer('mongo:7').start();
    url = `${container.getConnectionString()}/?directConnection=true`;
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  accessLogContract('MongoDB access log', async () => {
    const { default: mongoose } = await import('mongoose');
    const dbName = `peil_access_log_test_${randomUUID().slice(0, 8)}`;
    const connections: Connection[] = [];
    const connect = async () => {
      const connection = await mongoose.createConnection(url, { dbName }).asPromise();
      connections.push(connection);
      return connection;
    };
    const admin = await connect();
    const entries = () => admin.db!.collection<{ _id: number }>(ACCESS_LOG_COLLECTION);
    return {
      open: async (clock) => new MongoAccessLog(await connect(), clock, true),
      alter: async (seq, change) => {
        await entries().updateOne({ _id: seq }, { $set: change });
      },
      remove: async (seq) => {
        await entries().deleteOne({ _id: seq });
      },
      cleanup: async () => {
        await admin.dropDatabase();
        for (const c of connections) await c.close();
      },
    };
  });
});
