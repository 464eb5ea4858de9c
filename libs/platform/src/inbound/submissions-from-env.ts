import { Logger } from '@nestjs/common';
import { EVENT_CONTEXTS, loadBusConfig, type EventContext } from '@peil/messaging';
import { loadKafkaPrincipals } from './kafka-principals';
import { SubmissionsServer } from './submissions.server';

/**
 * The Kafka transport a service should connect, not yet started: with PEIL_BUS=kafka, one for each
 * writing context; null otherwise (PEIL_BUS=store creates no Kafka client at all). Validates the
 * bus and PEIL_KAFKA_PRINCIPALS first, throwing ConfigError, so a bad value stops the start.
 */
export function submissionsServerFromEnv(service: string, env: NodeJS.ProcessEnv = process.env): SubmissionsServer | null {
  if (!isEventContext(service)) return null;
  const bus = loadBusConfig(env);
  if (bus.bus !== 'kafka') return null;
  if (loadKafkaPrincipals(env).size === 0) {
    new Logger(service).warn('PEIL_KAFKA_PRINCIPALS is empty: every submission over Kafka will be refused as unauthenticated');
  }
  return new SubmissionsServer({
    context: service,
    kafka: bus.kafka,
    groupPrefix: bus.groupPrefix,
    sessionTimeoutMs: bus.sessionTimeoutMs,
    retry: bus.relay.retry,
  });
}

function isEventContext(name: string): name is EventContext {
  return (EVENT_CONTEXTS as readonly string[]).includes(name);
}
