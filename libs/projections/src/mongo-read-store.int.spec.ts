import { dockerUnreachable } from '@peil/testing';
import { randomUUID } from 'node:crypto';
import type { StartedMongoDBContainer } from '@testcontainers/mongodb';
import { MongoReadStore } from './mongo-read-store';
import { readStoreContract } from './read-store.contract';

/**
 * The ReadStore contract against a real MongoDB replica set: the server named by PEIL_TEST_MONGO_URL
 * (e.g. mongodb://127.0.0.1:27017/?replicaSet=rs0), else a throw-away single-node replica set started
 * through testcontainers, else — with no Docker engine — skipped with one line saying so.
 */
const IMAGE = 'mongo:7';
const target = chooseTarget();

if (target.kind === 'skip') {
  // Straight to stderr: jest swallows console output of a suite whose tests are all skipped.
  process.stderr.write(
    `MongoDB read-store suite skipped: no Docker engine reachable (${target.reason}); set PEIL_TEST_MONGO_URL=mongodb://host:27017/?replicaSet=rs0 to run it against a server\n`,
  );
}

(target.kind === 'skip' ? describe.skip : describe)('MongoReadStore on MongoDB', () => {
  let url = target.kind === 'url' ? target.url : '';
  let container: StartedMongoDBContainer | undefined;

  beforeAll(async () => {
    if (target.kind !== 'container') return;
    // Loaded here, not at the top: a skipped suite must not pay for loading testcontainers.
    const { MongoDBContainer } = await import('@testcontainers/mongodb');
    container = await new MongoDBContainer(IMAGE).start();
    // The replica set's member is named after the container's host name, unknown outside Docker:
    // talk to the mapped port directly instead of following the replica-set topology.
    url = `${container.getConnectionString()}/?directConnection=true`;
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  readStoreContract('MongoReadStore', async () => {
    // A database of its own per run, dropped afterwards, so a shared server keeps nothing of ours.
    // The connection is the test's (the way a Nest module would inject one), so the test drops it.
    const { default: mongoose } = await import('mongoose');
    const dbName = `peil_read_store_test_${randomUUID().slice(0, 8)}`;
    const connection = await mongoose.createConnection(url, { dbName }).asPromise();
    const store = new MongoReadStore(connection);
    return {
      store,
      cleanup: async () => {
        await store.close();
        await connection.dropDatabase();
        await connection.close();
      },
    };
  });
});

type Target = { kind: 'url'; url: string } | { kind: 'container' } | { kind: 'skip'; reason: string };

function chooseTarget(): Target {
  const url = process.env.PEIL_TEST_MONGO_URL;
  if (url) return { kind: 'url', url };
  const reason = dockerUnreachable();
  return reason === undefined ? { kind: 'container' } : { kind: 'skip', reason };
}
