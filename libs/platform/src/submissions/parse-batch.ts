import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { MAX_EVENTS_PER_REQUEST } from './submission.schema';

/** `{ "events": [...] }` with 1..1000 entries; anything else is the request's fault, answered before any event is looked at. */
export function parseBatch(body: unknown): unknown[] {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { events?: unknown }).events)) {
    throw new BadRequestException({ error: { code: 'invalid_request', message: 'body must be a JSON object { "events": [ ... ] }', path: 'events' } });
  }
  const events = (body as { events: unknown[] }).events;
  if (events.length === 0) {
    throw new BadRequestException({ error: { code: 'invalid_request', message: 'events must not be empty', path: 'events' } });
  }
  if (events.length > MAX_EVENTS_PER_REQUEST) {
    throw new PayloadTooLargeException({ error: { code: 'too_many_events', message: `at most ${MAX_EVENTS_PER_REQUEST} events per request, got ${events.length}`, path: 'events' } });
  }
  return events;
}
