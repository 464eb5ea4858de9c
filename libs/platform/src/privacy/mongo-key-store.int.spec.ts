import { mongoTestTarget } from '@peil/testing';
import { randomUUID } from 'node:crypto';
import type { StartedMongoDBContainer } from '@testcontainers/mongodb';
import type { Connection } from 'mongoose';
import { CONTRACT_CLOCK, keyStoreContract } from './key-store.contract';
import { KEYS_COLLECTION, openMongoKeyStore } from './mongo-key-store';

/**
 * The key store contract against a real MongoDB replica set (the adapter needs transactions): the
 * server named by PEIL_TEST_MONGO_URL (e.g. mongodb://127.0.0.1:27017/?replicaSet=rs0), else a
 * throw-away single-node replica set through testcontainers, else — with no Docker engine — skipped
 * with one line saying so.
 */
const IMAGE = 'mongo:7';
const target = mongoTestTarget();

if (target.kind === 'skip') {
  // Straight to stderr: jest swallows console output of a suite whose tests are all skipped.
  process.stderr.write(
    `MongoDB key-store suite skipped: no Docker engine reachable (${target.reason}); set PEIL_TEST_MONGO_URL=mongodb://host:27017/?replicaSet=rs0 to run it against a server\n`,
  );
}

(target.kind === 'skip' ? describe.skip : describe)('MongoDB key store', () => {
  let url = target.kind === 'url' ? target.url : '';
  let container: StartedMongoDBContainer | undefined;

  beforeAll(async () => {
    if (target.kind !== 'container') return;
    // Loaded here, not at the top: a skipped suite must not pay for loading testcontainers.
    const { MongoDBContainer } = await import('@testcontainers/mongodb');
    container = await new MongoDBContainer(IMAGE).start();
    // The replica set's member is named after the container's host name, unknown outside Docker.
    url = `${container.getConnectionString()}/?directConnection=true`;
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  keyStoreContract('MongoDB key store', async () => {
    // A database of its own per test, dropped afterwards, so a shared server keeps nothing of ours.
    const { default: mongoose } = await import('mongoose');
    const dbName = `peil_key_store_test_${randomUUID().slice(0, 8)}`;
    const connections: Connection[] = [];
    const connect = async () => {
      const connection = await mongoose.createConnection(url, { dbName }).asPromise();
      connections.push(connection);
      return connection;
    };
    const admin = await connect();
    return {
      // Each store on a connection of its own, as each service process has.
      open: async (masterKey) => openMongoKeyStore(await connect(), masterKey, { clock: CONTRACT_CLOCK(), ownsConnection: true }),
      copyWrappedKey: async (from, to) => {
        const keys = admin.db!.collection<{ _id: string; wrappedKey: unknown }>(KEYS_COLLECTION);
        const source = await keys.findOne({ _id: from });
        await keys.updateOne({ _id: to }, { $set: { wrappedKey: source!.wrappedKey } });
      },
      cleanup: async () => {
        await admin.dropDatabase();
        // Closing twice is harmless; the stores closed theirs already.
        for (const c of connections) await c.close();
      },
    };
  });
});
