import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, Partitioners, type Producer, type SASLOptions, type TopicMessages } from 'kafkajs';
import type { OutboundMessage, Publisher } from './publisher.port';
import { ALL_EVENT_TOPICS } from './topics';

export interface KafkaPublisherConfig {
  brokers: string[];
  clientId: string;
  /**
   * Idempotent producer: the broker drops a retried record it already has and refuses one out of
   * sequence, so the producer's own retries neither duplicate nor reorder. On in production; off
   * only for brokers that cannot grant a producer id (librdkafka's mock cluster, see 0012).
   */
  idempotent: boolean;
  /**
   * Create the `peil.<context>.events` topics on connect (broker defaults for partitions and
   * replication; existing topics are left alone). For clusters with auto-creation disabled; off for
   * the mock cluster, whose admin API kafkajs cannot reach, and for clusters whose topics are
   * provisioned by their operators.
   */
  createTopics: boolean;
  /** Fail fast on an unreachable broker so the relay's back-off, not a hung socket, sets the pace. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** kafkajs's own retries of one request (leader moves, transient errors) before publish rejects. */
  retries?: number;
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
}

/**
 * The Publisher port on Kafka through kafkajs. acks -1 (all in-sync replicas) and at most one
 * request in flight per connection: a failed request is never overtaken by the next one, which
 * is what keeps a retried batch in order per key (see 0012).
 */
export class KafkaPublisher implements Publisher {
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  private closed = false;

  private readonly retry: { retries: number; initialRetryTime: number; maxRetryTime: number };

  constructor(private readonly config: KafkaPublisherConfig) {
    // kafkajs refuses an idempotent producer without retries; otherwise it would default to retrying
    // forever, and a publish that never rejects would hide an outage from the relay's status.
    const retries = Math.max(config.retries ?? 3, config.idempotent ? 1 : 0);
    this.retry = { retries, initialRetryTime: 200, maxRetryTime: 2_000 };
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      connectionTimeout: config.connectionTimeoutMs ?? 3_000,
      requestTimeout: config.requestTimeoutMs ?? 10_000,
      retry: this.retry,
      ...(config.ssl !== undefined ? { ssl: config.ssl } : {}),
      ...(config.sasl ? { sasl: config.sasl } : {}),
      // kafkajs logs every failed connection at ERROR; the relay reports failures itself, once per attempt.
      logLevel: logLevel.NOTHING,
    });
  }

  async publish(messages: readonly OutboundMessage[]): Promise<void> {
    if (this.closed) throw new Error('KafkaPublisher is closed');
    if (messages.length === 0) return;
    const producer = await this.connected();
    const byTopic = new Map<string, TopicMessages>();
    for (const m of messages) {
      let group = byTopic.get(m.topic);
      if (!group) byTopic.set(m.topic, (group = { topic: m.topic, messages: [] }));
      group.messages.push({ key: m.key, value: m.value, headers: m.headers });
    }
    // One request per broker, one record batch per partition, messages kept in array order within it.
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic.values()] });
  }

  private connected(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<Producer> {
    if (this.config.createTopics) {
      const admin = this.kafka.admin();
      await admin.connect();
      try {
        await admin.createTopics({ topics: ALL_EVENT_TOPICS.map((topic) => ({ topic })), waitForLeaders: true });
      } finally {
        await admin.disconnect();
      }
    }
    const producer = this.kafka.producer({
      idempotent: this.config.idempotent,
      maxInFlightRequests: 1,
      retry: this.retry,
      // The Java client's murmur2 partitioning, so other clients agree on key → partition.
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: !this.config.createTopics,
    });
    try {
      await producer.connect();
    } catch (err) {
      // A producer whose connect failed is not reused: the next publish builds a fresh one.
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    this.producer = producer;
    return producer;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => undefined);
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect();
  }
}
