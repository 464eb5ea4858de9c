import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type Consumer, type EachMessagePayload, type SASLOptions } from 'kafkajs';
import { Observable, type Subscriber } from 'rxjs';
import type { Position, StoredEvent } from '@peil/ledger';
import type { LedgerFeed, LedgerFeeds } from '@peil/projections';
import { backoffDelay, timerSleep, type RetryPolicy } from './backoff';
import { decodeEventMessage } from './event-message';
import { Resequencer } from './resequencer';
import { ALL_EVENT_TOPICS } from './topics';

export interface KafkaFeedConfig {
  brokers: string[];
  clientId: string;
  /** Each reader is the consumer group `<groupPrefix>.<reader>`. */
  groupPrefix: string;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
  /** Longest a fetch waits for new records (default 100 ms): the floor of live latency. */
  maxWaitTimeMs?: number;
  /**
   * How long the coordinator waits for a silent member (kafkajs default 30 s). A restarted reader
   * joins its group only once its previous member is gone, which brokers that ignore LeaveGroup
   * (the mock cluster) learn only from this timeout.
   */
  sessionTimeoutMs?: number;
  /** Back-off between attempts to join the group while the broker is unreachable. */
  retry?: RetryPolicy;
  /** Connection failures, commit failures: reported, then retried; the feed itself carries on. */
  onError?: (error: unknown, group: string) => void;
}

export interface KafkaFeedStatus {
  state: 'stopped' | 'connecting' | 'consuming';
  /** Last event delivered (or the position the subscription started after). */
  position: Position | null;
  /** Events received ahead of their predecessor, held in memory. */
  buffered: number;
  /** Records fetched by this subscription, copies included: after a restart, what the committed offsets did not cover. */
  fetched: number;
  lastError: string | null;
}

/** Where one partition's records stand: what was fetched, in offset order, and can be committed once applied. */
interface PartitionLog {
  topic: string;
  partition: number;
  /** Highest offset recorded, so a re-fetch after a rebalance is not recorded twice. */
  lastOffset: bigint;
  unapplied: Array<{ offset: bigint; position: Position }>;
}

/**
 * A ledger feed over every `peil.<context>.events` topic, for one reader (one consumer group with a
 * single member). Records arrive per partition in log order but interleaved across partitions;
 * the Resequencer chains them back into ledger order by their prevPosition header and drops
 * copies. Offsets are committed by hand, only up to records whose event the reader declared
 * durably applied, so a crash or restart re-delivers (and the re-sequencer drops) rather than skips.
 */
export class KafkaLedgerFeed implements LedgerFeed {
  private readonly kafka: Kafka;
  readonly groupId: string;
  private session: Session | undefined;
  /** The previous subscription leaving the group: the next one joins after it, not beside it. */
  private leaving: Promise<void> = Promise.resolve();
  /** Highest position the reader said it applied, kept across sessions. */
  private appliedUpTo: Position | null = null;

  constructor(
    private readonly config: KafkaFeedConfig,
    reader: string,
  ) {
    this.groupId = `${config.groupPrefix}.${reader}`;
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      connectionTimeout: config.connectionTimeoutMs ?? 3_000,
      requestTimeout: config.requestTimeoutMs ?? 10_000,
      ...(config.ssl !== undefined ? { ssl: config.ssl } : {}),
      ...(config.sasl ? { sasl: config.sasl } : {}),
      // kafkajs logs every failed connection at ERROR; failures reach onError once per attempt instead.
      logLevel: logLevel.NOTHING,
    });
  }

  events(afterPosition: Position | null): Observable<StoredEvent> {
    return new Observable<StoredEvent>((subscriber) => {
      if (this.session) {
        subscriber.error(new Error(`ledger feed ${this.groupId} already has a subscriber: one group member must see every partition`));
        return;
      }
      const session = new Session(this.kafka, this.groupId, this.config, afterPosition, subscriber);
      this.session = session;
      if (this.appliedUpTo !== null) session.applied(this.appliedUpTo);
      session.start(this.leaving);
      return () => {
        if (this.session === session) this.session = undefined;
        this.leaving = session.stop();
      };
    });
  }

  applied(position: Position): void {
    if (this.appliedUpTo === null || position > this.appliedUpTo) this.appliedUpTo = position;
    this.session?.applied(position);
  }

  status(): KafkaFeedStatus {
    return this.session?.status() ?? { state: 'stopped', position: null, buffered: 0, fetched: 0, lastError: null };
  }

  /** Leaves the group and waits until the consumer is disconnected. */
  async close(): Promise<void> {
    if (this.session) this.leaving = this.session.stop();
    this.session = undefined;
    await this.leaving;
  }
}

/** One subscription: a consumer in the group, from its committed offsets (or the beginning). */
class Session {
  private readonly resequencer: Resequencer;
  private readonly partitions = new Map<string, PartitionLog>();
  private readonly abort = new AbortController();
  private consumer: Consumer | undefined;
  private state: KafkaFeedStatus['state'] = 'connecting';
  private lastError: string | null = null;
  private fetched = 0;
  private appliedUpTo: Position | null;
  private committing: Promise<void> | undefined;
  private commitAgain = false;
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly config: KafkaFeedConfig,
    afterPosition: Position | null,
    private readonly subscriber: Subscriber<StoredEvent>,
  ) {
    this.resequencer = new Resequencer(afterPosition);
    // What the reader already has counts as applied: copies of it may be committed past.
    this.appliedUpTo = afterPosition;
  }

  start(previousLeft: Promise<void>): void {
    void previousLeft.then(() => this.connect());
  }

  private async connect(): Promise<void> {
    const retry = this.config.retry ?? { initialMs: 500, maxMs: 30_000 };
    for (let failures = 0; !this.abort.signal.aborted; ) {
      const consumer = this.kafka.consumer({
        groupId: this.groupId,
        maxWaitTimeInMs: this.config.maxWaitTimeMs ?? 100,
        ...(this.config.sessionTimeoutMs !== undefined ? { sessionTimeout: this.config.sessionTimeoutMs } : {}),
      });
      // kafkajs rejoins by itself after a crash (restartOnFailure); the status says what happened meanwhile.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        this.state = 'connecting';
        this.report(payload.error);
      });
      consumer.on(consumer.events.GROUP_JOIN, () => {
        if (!this.abort.signal.aborted) this.state = 'consuming';
      });
      try {
        await consumer.connect();
        // A new group reads every topic from the beginning: the events after the reader's position may be anywhere in them.
        await consumer.subscribe({ topics: [...ALL_EVENT_TOPICS], fromBeginning: true });
        if (this.abort.signal.aborted) throw new Error('stopped');
        this.consumer = consumer;
        await consumer.run({ autoCommit: false, eachMessage: async (payload) => this.receive(payload) });
        return;
      } catch (err) {
        this.consumer = undefined;
        await consumer.disconnect().catch(() => undefined);
        if (this.abort.signal.aborted) return;
        failures += 1;
        this.report(err);
        await timerSleep(backoffDelay(failures, retry), this.abort.signal);
      }
    }
  }

  private receive({ topic, partition, message }: EachMessagePayload): void {
    if (this.abort.signal.aborted) return;
    this.fetched += 1;
    try {
      const { event, prevPosition } = decodeEventMessage(message);
      this.record(topic, partition, BigInt(message.offset), event.position);
      for (const ready of this.resequencer.push(event, prevPosition)) this.subscriber.next(ready);
    } catch (err) {
      // A message that cannot be decoded or chained would stall or reorder the reader: stop loudly.
      this.subscriber.error(err);
      void this.stop();
    }
  }

  private record(topic: string, partition: number, offset: bigint, position: Position): void {
    const key = `${topic}/${partition}`;
    let log = this.partitions.get(key);
    if (!log) this.partitions.set(key, (log = { topic, partition, lastOffset: -1n, unapplied: [] }));
    if (offset <= log.lastOffset) return;
    log.lastOffset = offset;
    log.unapplied.push({ offset, position });
  }

  applied(position: Position): void {
    if (this.appliedUpTo !== null && position <= this.appliedUpTo) return;
    this.appliedUpTo = position;
    void this.commit();
  }

  /** Commits, per partition, the offset after the longest prefix of records whose events are applied. */
  private commit(): Promise<void> {
    if (this.committing) {
      this.commitAgain = true;
      return this.committing;
    }
    this.committing = (async () => {
      do {
        this.commitAgain = false;
        const consumer = this.consumer;
        const upTo = this.appliedUpTo;
        if (!consumer || upTo === null) return;
        const offsets: Array<{ topic: string; partition: number; offset: string }> = [];
        for (const log of this.partitions.values()) {
          let next: bigint | undefined;
          while (log.unapplied.length > 0 && log.unapplied[0]!.position <= upTo) next = log.unapplied.shift()!.offset + 1n;
          if (next !== undefined) offsets.push({ topic: log.topic, partition: log.partition, offset: String(next) });
        }
        if (offsets.length === 0) continue;
        try {
          await consumer.commitOffsets(offsets);
        } catch (err) {
          // Not committed means re-delivered after a restart, never lost; the next applied() tries again.
          this.report(err);
        }
      } while (this.commitAgain);
    })().finally(() => (this.committing = undefined));
    return this.committing;
  }

  status(): KafkaFeedStatus {
    return {
      state: this.state,
      position: this.resequencer.position,
      buffered: this.resequencer.buffered,
      fetched: this.fetched,
      lastError: this.lastError,
    };
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.abort.abort();
      await this.committing?.catch(() => undefined);
      const consumer = this.consumer;
      this.consumer = undefined;
      this.state = 'stopped';
      await consumer?.disconnect().catch(() => undefined);
    })();
    return this.stopped;
  }

  private report(err: unknown): void {
    this.lastError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.config.onError?.(err, this.groupId);
  }
}

/** One KafkaLedgerFeed per reader name, so each reader is its own group; close() leaves every group. */
export class KafkaLedgerFeeds implements LedgerFeeds {
  private readonly feeds = new Map<string, KafkaLedgerFeed>();

  constructor(private readonly config: KafkaFeedConfig) {}

  feed(reader: string): KafkaLedgerFeed {
    let feed = this.feeds.get(reader);
    if (!feed) this.feeds.set(reader, (feed = new KafkaLedgerFeed(this.config, reader)));
    return feed;
  }

  status(): Record<string, KafkaFeedStatus> {
    return Object.fromEntries([...this.feeds.entries()].map(([reader, feed]) => [reader, feed.status()]));
  }

  async close(): Promise<void> {
    await Promise.all([...this.feeds.values()].map((f) => f.close()));
  }
}
