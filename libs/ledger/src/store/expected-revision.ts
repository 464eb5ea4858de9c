import { WrongExpectedRevisionError } from './errors';
import type { ExpectedRevision } from './event-store.port';

/** Throws unless a stream whose last revision is `actual` (undefined: no stream) is what the append expects. */
export function checkExpected(streamId: string, expected: ExpectedRevision, actual: number | undefined): void {
  if (expected === 'any') return;
  if (expected === 'no_stream') {
    if (actual !== undefined) throw new WrongExpectedRevisionError(streamId, expected, actual);
    return;
  }
  if (actual !== expected) throw new WrongExpectedRevisionError(streamId, expected, actual ?? 'no_stream');
}
