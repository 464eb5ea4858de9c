import { Logger } from '@nestjs/common';
import { ServerKafka } from '@nestjs/microservices';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { backoffDelay, timerSleep, type EventContext, type KafkaPublisherConfig, type RetryPolicy } from '@peil/messaging';
import { healthReason } from '../nest/health.registry';
import { deadLetterTopic, SUBMISSION_RESULTS_TOPIC, submissionsTopic } from './submission-message';

/** One request's retries inside kafkajs: an unreachable broker fails an attempt in seconds, the back-off below sets the pace. */
const RETRY = { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 };

/** Longest a stopping service waits for its consumer to leave the group (it first finishes the message in hand). */
const CLOSE_TIMEOUT_MS = 2_000;

export interface SubmissionsServerOptions {
  context: EventContext;
  /** The bus settings (brokers, TLS, SASL, idempotence, topic creation) shared with the relay. */
  kafka: KafkaPublisherConfig;
  /** The group is `<groupPrefix>.<context>.submissions`: one per context, however many replicas. */
  groupPrefix: string;
  sessionTimeoutMs: number;
  /** Back-off between attempts to connect while the broker is unreachable. */
  retry: RetryPolicy;
}

/**
 * The `@nestjs/microservices` Kafka transport of one writing service, consuming
 * `peil.<context>.submissions` (handlers: submissionsConsumer). Offsets are committed by the
 * handler, only once a message's answers are on the broker (at-least-once; redelivery is safe
 * because submissions are idempotent). Unlike ServerKafka it never fails the service's start: it
 * connects in the background, retrying with back-off, and its health check says why it is not
 * consuming yet.
 */
export class SubmissionsServer extends ServerKafka {
  private readonly stopping = new AbortController();
  private consuming = false;
  private lastError: string | null = null;

  constructor(private readonly settings: SubmissionsServerOptions) {
    const { kafka } = settings;
    super({
      postfixId: '',
      client: {
        clientId: `${kafka.clientId}-${settings.context}-submissions`,
        brokers: kafka.brokers,
        connectionTimeout: kafka.connectionTimeoutMs ?? 3_000,
        requestTimeout: kafka.requestTimeoutMs ?? 10_000,
        ...(kafka.ssl !== undefined ? { ssl: kafka.ssl } : {}),
        ...(kafka.sasl ? { sasl: kafka.sasl } : {}),
        retry: RETRY,
      },
      consumer: {
        groupId: `${settings.groupPrefix}.${settings.context}.submissions`,
        sessionTimeout: settings.sessionTimeoutMs,
        // After a crash this server reconnects itself, with back-off a close() can stop; kafkajs's own
        // restart timer could not be cancelled and would rejoin the group after the service stopped.
        retry: { ...RETRY, restartOnFailure: async () => false },
        maxWaitTimeInMs: 250,
      },
      // A group's first start reads what was produced before it existed; idempotency makes replays harmless.
      subscribe: { fromBeginning: true },
      run: { autoCommit: false },
      producer: {
        idempotent: kafka.idempotent,
        // One message's answers are one request, awaited before the next message: nothing to overlap.
        maxInFlightRequests: 1,
        // Bounded even when idempotent (kafkajs would retry forever): a failed produce fails the
        // message, which kafkajs then redelivers, instead of holding its partition indefinitely.
        retry: RETRY,
        allowAutoTopicCreation: !kafka.createTopics,
      },
      // The handler parses the value itself, so a value that is not JSON reaches it as it was produced.
      parser: { keepBinary: true },
    });
    this.logger = new Logger(`${settings.context}-submissions`);
  }

  /** For HealthRegistry: resolves while the consumer is in its group. */
  readonly check = async (): Promise<void> => {
    if (!this.consuming) throw new Error(this.lastError ?? `connecting; not yet in consumer group ${this.groupId}`);
  };

  override async listen(callback: (err?: unknown) => void): Promise<void> {
    callback();
    void this.connect();
  }

  override async close(): Promise<void> {
    this.stopping.abort();
    this.consuming = false;
    // See kafkaLog: from now on kafkajs reports the stopped runner's loop, so that it can be broken.
    (this.client as Kafka | null)?.logger().setLogLevel(logLevel.DEBUG);
    // Leaving a cluster that is gone takes kafkajs several request timeouts. Not waiting for it
    // loses nothing: offsets are committed only after the answers.
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)));
    await Promise.race([super.close().catch(() => undefined), bound]);
    clearTimeout(timer);
  }

  override async createClient<T = Kafka>(): Promise<T> {
    // Silent: kafkajs logs every failed connection at ERROR; this server reports each attempt once.
    const client = new Kafka({ ...this.options.client, brokers: this.brokers as string[], clientId: this.clientId, logLevel: logLevel.NOTHING, logCreator: () => this.kafkaLog });
    return client as T;
  }

  /**
   * kafkajs 2.2.4 can spin forever when a consumer stops while its fetchers restart after a broker
   * change (a broker gone just before the service stops): the orphaned fetchers call the stopped
   * runner in a loop of promises that starves every timer and signal, so the service never exits.
   * Each turn of that loop logs "consumer not running, exiting", the only hook inside it: once this
   * server is closing, that entry throws, which ends the loop; kafkajs then finishes stopping.
   */
  private readonly kafkaLog = (entry: LogEntry): void => {
    if (this.stopping.signal.aborted && entry.log.message === 'consumer not running, exiting') {
      throw new Error('consumer stopped');
    }
  };

  private async connect(): Promise<void> {
    for (let failures = 0; !this.stopping.signal.aborted; ) {
      try {
        this.client ??= await this.createClient();
        if (this.settings.kafka.createTopics) await this.createTopics();
        await this.start(() => undefined);
        // Closed while connecting: leave nothing running behind.
        if (this.stopping.signal.aborted) await this.disconnect();
        return;
      } catch (err) {
        await this.disconnect();
        if (this.stopping.signal.aborted) return;
        failures++;
        const delay = backoffDelay(failures, this.settings.retry);
        this.lastError = healthReason(err);
        this.logger.warn(`${submissionsTopic(this.settings.context)}: cannot consume (${this.lastError}); retrying in ${delay} ms`);
        await timerSleep(delay, this.stopping.signal);
      }
    }
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer!;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.consuming = true;
      this.lastError = null;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.consuming = false;
      this.lastError = healthReason(payload.error);
      if (this.stopping.signal.aborted) return;
      this.logger.warn(`${submissionsTopic(this.settings.context)}: consumer stopped (${this.lastError}); reconnecting`);
      void this.disconnect().then(() => this.connect());
    });
  }

  /** For clusters without auto-creation; existing topics are left alone (PEIL_KAFKA_CREATE_TOPICS). */
  private async createTopics(): Promise<void> {
    const { context } = this.settings;
    const admin = this.client!.admin();
    await admin.connect();
    try {
      const topics = [submissionsTopic(context), deadLetterTopic(context), SUBMISSION_RESULTS_TOPIC];
      await admin.createTopics({ topics: topics.map((topic) => ({ topic })), waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
  }

  private async disconnect(): Promise<void> {
    this.consuming = false;
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    this.consumer = null;
    this.producer = null;
  }
}
