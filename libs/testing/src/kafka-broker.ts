import { dockerUnreachable } from './docker';
import { startKafkaMock } from './kafka-mock';

/**
 * A Kafka broker for one test, whichever kind: the Kafka suites are written once against this and
 * run on every kind this machine has (decision 0017).
 */
export interface TestKafka {
  readonly brokers: string[];
  /**
   * What the broker allows. The mock cluster names controller 0, which no broker is, so it grants
   * no producer ids and serves no admin calls: both off there (0012). A real broker takes both,
   * which is how production runs.
   */
  readonly idempotent: boolean;
  readonly createTopics: boolean;
  /** Gone for good: what it stored is lost, and a new one comes up at a new address. */
  stop(): Promise<void>;
}

export interface KafkaTarget {
  /** Names the describe block: `mock cluster` or `Kafka container`. */
  readonly name: string;
  /** Added to a test's timeout: a container takes a while to pull and start, the mock milliseconds. */
  readonly startupMs: number;
  start(): Promise<TestKafka>;
}

/** The PEIL_KAFKA_* settings of a service pointed at `kafka` (README, "Configuration"). */
export function kafkaEnv(kafka: TestKafka): Record<string, string> {
  return {
    PEIL_BUS: 'kafka',
    PEIL_KAFKA_BROKERS: kafka.brokers.join(','),
    PEIL_KAFKA_IDEMPOTENT: String(kafka.idempotent),
    PEIL_KAFKA_CREATE_TOPICS: String(kafka.createTopics),
    PEIL_KAFKA_CONNECTION_TIMEOUT_MS: '500',
    PEIL_KAFKA_REQUEST_TIMEOUT_MS: '1000',
    PEIL_RELAY_RETRY_INITIAL_MS: '100',
    PEIL_RELAY_RETRY_MAX_MS: '500',
  };
}

/** librdkafka's mock cluster hosted by kcat: always a target, because CI installs kcat. */
export const mockKafka: KafkaTarget = {
  name: 'mock cluster',
  startupMs: 0,
  start: async () => {
    const mock = await startKafkaMock();
    return { brokers: mock.brokers, idempotent: false, createTopics: false, stop: () => mock.stop() };
  },
};

/** A real single-node KRaft broker, through testcontainers, with idempotence and topic creation on. */
const IMAGE = 'confluentinc/cp-kafka:7.7.1';
const containerKafka: KafkaTarget = {
  name: 'Kafka container',
  startupMs: 240_000,
  start: async () => {
    // Loaded only here: where there is no engine, nothing pays for loading testcontainers.
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await new KafkaContainer(IMAGE).withKraft().start();
    return {
      // 9093 is the module's plaintext listener for clients outside Docker.
      brokers: [`${container.getHost()}:${container.getMappedPort(9093)}`],
      idempotent: true,
      createTopics: true,
      // Killed, not stopped gracefully: "gone for good", and quick enough for a test hook.
      stop: async () => void (await container.stop({ timeout: 0 })),
    };
  },
};

/**
 * The brokers a Kafka suite runs on: the mock cluster always; a real Kafka container too where a
 * Docker engine answers — else one line on stderr says that variant is skipped and why (straight to
 * stderr: jest swallows a suite's console output in some modes).
 */
export function kafkaTargets(suite: string): KafkaTarget[] {
  const reason = dockerUnreachable();
  if (reason === undefined) return [mockKafka, containerKafka];
  process.stderr.write(`${suite}: real-Kafka run skipped, no Docker engine reachable (${reason}); it runs on the mock cluster only\n`);
  return [mockKafka];
}
