import { randomUUID } from 'node:crypto';
import type { StartedMongoDBContainer } from '@testcontainers/mongodb';
import type { Connection } from 'mongoose';
import { dockerUnreachable } from './docker';

type Target = { kind: 'url'; url: string } | { kind: 'container' } | { kind: 'skip'; reason: string };

function mongoTarget(): Target {
  const url = process.env.PEIL_TEST_MONGO_URL;
  if (url) return { kind: 'url', url };
  const reason = dockerUnreachable();
  return reason === undefined ? { kind: 'container' } : { kind: 'skip', reason };
}

/**
 * A suite against a real MongoDB replica set: the server named by PEIL_TEST_MONGO_URL (e.g.
 * mongodb://127.0.0.1:27017/?replicaSet=rs0), else a throw-away single-node replica set started
 * through testcontainers, else — with no Docker engine — skipped with one line saying so.
 * `body` gets the server's URL once the suite runs.
 */
export function describeOnMongo(suite: string, body: (url: () => string) => void): void {
  const target = mongoTarget();
  if (target.kind === 'skip') {
    // Straight to stderr: jest swallows console output of a suite whose tests are all skipped.
    process.stderr.write(
      `${suite} suite skipped: no Docker engine reachable (${target.reason}); set PEIL_TEST_MONGO_URL=mongodb://host:27017/?replicaSet=rs0 to run it against a server\n`,
    );
  }
  (target.kind === 'skip' ? describe.skip : describe)(suite, () => {
    let url = target.kind === 'url' ? target.url : '';
    let container: StartedMongoDBContainer | undefined;

    beforeAll(async () => {
      if (target.kind !== 'container') return;
      // Loaded here, not at the top: a skipped suite must not pay for loading testcontainers.
      const { MongoDBContainer } = await import('@testcontainers/mongodb');
      container = await new MongoDBContainer('mongo:7').start();
      // The replica set's member is named after the container's host name, unknown outside Docker:
      // talk to the mapped port directly instead of following the replica-set topology.
      url = `${container.getConnectionString()}/?directConnection=true`;
    }, 180_000);

    afterAll(async () => {
      await container?.stop();
    });

    body(() => url);
  });
}

/**
 * A database of its own (`<prefix>_<random>`) on the server at `url`, so a shared server keeps
 * nothing of a test: `connect` opens connections to it (as many processes would), `drop` removes the
 * database and closes every connection opened.
 */
export function scratchDatabase(url: string, prefix: string): { connect(): Promise<Connection>; drop(): Promise<void> } {
  const dbName = `${prefix}_${randomUUID().slice(0, 8)}`;
  const connections: Connection[] = [];
  return {
    async connect() {
      const { default: mongoose } = await import('mongoose');
      const connection = await mongoose.createConnection(url, { dbName }).asPromise();
      connections.push(connection);
      return connection;
    },
    async drop() {
      const [first] = connections;
      if (first) await first.dropDatabase();
      for (const c of connections) await c.close();
    },
  };
}
