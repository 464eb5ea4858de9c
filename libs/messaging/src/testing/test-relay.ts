import type { EventStore } from '@peil/ledger';
import { KafkaPublisher } from '../kafka-publisher';
import { OutboundRelay, type RelayOptions } from '../relay';
import { relayCheckpointFile, SqliteRelayCheckpointStore } from '../sqlite-relay-checkpoint-store';

/** What a test knows of its broker (a TestKafka or a bare mock cluster, whose limits are the defaults). */
export interface BrokerUnderTest {
  brokers: string[];
  idempotent?: boolean;
  createTopics?: boolean;
}

/**
 * A publisher with the test suites' short timeouts and no client-side retries, so a lost broker
 * shows as relay back-off at once. Idempotence and topic creation follow the broker: off for the
 * mock cluster, which refuses both (0012), on for a real one (0017).
 */
export function testPublisher(kafka: BrokerUnderTest, clientId = 'relay-spec', requestTimeoutMs = 2_000): KafkaPublisher {
  return new KafkaPublisher({
    brokers: kafka.brokers,
    clientId,
    idempotent: kafka.idempotent ?? false,
    createTopics: kafka.createTopics ?? false,
    connectionTimeoutMs: 500,
    requestTimeoutMs,
    retries: 0,
  });
}

/** The relay a test runs over `store` to `kafka`, checkpointed in `dir` as the ledger service's is. */
export function testRelay(
  store: EventStore,
  kafka: BrokerUnderTest,
  dir: string,
  options: Partial<RelayOptions> & { clientId?: string; requestTimeoutMs?: number } = {},
): OutboundRelay {
  const { clientId, requestTimeoutMs, ...relayOptions } = options;
  return new OutboundRelay(store, testPublisher(kafka, clientId, requestTimeoutMs), new SqliteRelayCheckpointStore(relayCheckpointFile(dir)), {
    batchSize: 10,
    retry: { initialMs: 100, maxMs: 400 },
    pollIntervalMs: 20,
    ...relayOptions,
  });
}
