import { Controller, Inject, Logger, type Type } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload, Transport } from '@nestjs/microservices';
import type { EventContext } from '@peil/messaging';
import type { CallerRole } from '../auth/roles';
import { Public } from '../auth/roles.guard';
import { integrityRefusal } from '../integrity/integrity-write.guard';
import { IntegrityStatus } from '../integrity/integrity.status';
import type { SubmissionProcessor } from '../submissions/submission-processor';
import { loadKafkaPrincipals, PRINCIPAL_HEADER } from './kafka-principals';
import { recordsFor, submissionsTopic, type MessageOrigin, type OutgoingRecord } from './submission-message';
import { SubmissionIntake } from './submission-intake';

export interface SubmissionsConsumerOptions {
  context: EventContext;
  /** The roles that may write this context: the same list as its `POST /v1/<context>/events`. */
  writers: readonly CallerRole[];
  /** The context's provider holding its SubmissionProcessor (EnrolmentSubmissions, GrantSubmissions…). */
  submissions: Type<{ readonly processor: SubmissionProcessor }>;
}

/**
 * The Kafka door of a writing context, beside its HTTP controller in the context's module. Inert
 * unless bootstrapService connects a SubmissionsServer (PEIL_BUS=kafka); over HTTP it has no route.
 */
export function submissionsConsumer(options: SubmissionsConsumerOptions): Type<unknown> {
  const { context, writers } = options;

  @Controller()
  class SubmissionsConsumer {
    private readonly logger = new Logger(`${context}-submissions`);
    private intake: SubmissionIntake | undefined;

    constructor(
      @Inject(options.submissions) private readonly owner: { readonly processor: SubmissionProcessor },
      @Inject(IntegrityStatus) private readonly integrity: IntegrityStatus,
    ) {}

    // Authentication is the message's principal, checked by the intake; the gateway-token guard is for HTTP.
    @Public()
    @EventPattern<string>(submissionsTopic(context), Transport.KAFKA)
    async consume(@Payload() payload: unknown, @Ctx() ctx: KafkaContext): Promise<void> {
      const message = ctx.getMessage();
      const claimed = message.headers?.[PRINCIPAL_HEADER];
      const origin: MessageOrigin = {
        topic: ctx.getTopic(),
        partition: ctx.getPartition(),
        offset: message.offset,
        principal: typeof claimed === 'string' ? claimed : undefined,
      };
      try {
        // Validated at start (bootstrapService), so this cannot fail here.
        this.intake ??= new SubmissionIntake(context, writers, loadKafkaPrincipals(), this.owner.processor, () => integrityRefusal(this.integrity));
        // The value as produced (the server keeps it binary); a null value reaches here as the whole message.
        const answers = await this.intake.take(Buffer.isBuffer(payload) ? payload : null, claimed);
        await ctx.getProducer().sendBatch({ acks: -1, topicMessages: byTopic(recordsFor(context, origin, answers)) });
        // Only now: a crash before this line redelivers the message, and the ledger answers `duplicate`.
        await ctx.getConsumer().commitOffsets([{ topic: origin.topic, partition: origin.partition, offset: String(BigInt(message.offset) + 1n) }]);
      } catch (err) {
        this.logger.warn(`${origin.topic}/${origin.partition}/${origin.offset} not answered, it will be redelivered: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
    }
  }
  return SubmissionsConsumer;
}

function byTopic(records: readonly OutgoingRecord[]): Array<{ topic: string; messages: Array<Omit<OutgoingRecord, 'topic'>> }> {
  const topics = new Map<string, Array<Omit<OutgoingRecord, 'topic'>>>();
  for (const { topic, ...message } of records) {
    const list = topics.get(topic) ?? [];
    list.push(message);
    topics.set(topic, list);
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}
