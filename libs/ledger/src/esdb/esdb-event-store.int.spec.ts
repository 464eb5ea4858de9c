import { dockerUnreachable } from '@peil/testing';
import type { StartedTestContainer } from 'testcontainers';
import { eventStoreContract } from '../store/event-store.contract';
import { ledgerTreeContract } from '../tree/ledger-tree.contract';
import { EsdbEventStore } from './esdb-event-store';

/**
 * The EventStore contract against a real EventStoreDB: the server named by PEIL_TEST_ESDB_URL
 * (e.g. `docker compose up -d eventstoredb`, then esdb://127.0.0.1:2113?tls=false),
 * else a throw-away container started through testcontainers, else — with no Docker engine — skipped
 * with one line saying so. jest declares suites synchronously, so the engine check is synchronous too.
 */
const IMAGE = 'eventstore/eventstore:24.10';
const target = chooseTarget();

if (target.kind === 'skip') {
  // Straight to stderr: jest swallows console output of a suite whose tests are all skipped.
  process.stderr.write(
    `EventStoreDB contract suite skipped: no Docker engine reachable (${target.reason}); set PEIL_TEST_ESDB_URL=esdb://host:2113?tls=false to run it against a server\n`,
  );
}

(target.kind === 'skip' ? describe.skip : describe)('EsdbEventStore on EventStoreDB', () => {
  let url = target.kind === 'url' ? target.url : '';
  let container: StartedTestContainer | undefined;

  beforeAll(async () => {
    if (target.kind !== 'container') return;
    // Loaded here, not at the top: the module costs ~300 ms and a skipped suite must not pay for it.
    const { GenericContainer, Wait } = await import('testcontainers');
    container = await new GenericContainer(IMAGE)
      .withEnvironment({
        EVENTSTORE_INSECURE: 'true',
        EVENTSTORE_RUN_PROJECTIONS: 'All',
        EVENTSTORE_START_STANDARD_PROJECTIONS: 'true',
      })
      .withExposedPorts(2113)
      .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCodeMatching((code) => code >= 200 && code < 300))
      .withStartupTimeout(120_000)
      .start();
    url = `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
    await untilServing(url);
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  eventStoreContract('EsdbEventStore', async () => {
    const store = EsdbEventStore.connect(url);
    return { store, cleanup: () => store.close() };
  });

  // Positions are commit positions here: leaf i is the i-th ledger event of `$all`, not position i+1.
  ledgerTreeContract('EsdbEventStore', async () => {
    const store = EsdbEventStore.connect(url);
    return { store, cleanup: () => store.close() };
  });

  it('ping (the health check of the distributed profile) resolves while the server answers', async () => {
    const store = EsdbEventStore.connect(url);
    try {
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });
});

type Target = { kind: 'url'; url: string } | { kind: 'container' } | { kind: 'skip'; reason: string };

function chooseTarget(): Target {
  const url = process.env.PEIL_TEST_ESDB_URL;
  if (url) return { kind: 'url', url };
  const reason = dockerUnreachable();
  return reason === undefined ? { kind: 'container' } : { kind: 'skip', reason };
}

/** A fresh node reports live before it has elected itself leader; wait until reads succeed. */
async function untilServing(url: string): Promise<void> {
  const store = EsdbEventStore.connect(url);
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      try {
        await store.headPosition();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await store.close();
  }
}
