import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { verifyLedger, type EventStore, type StoredEvent } from '@peil/ledger';
import { QueryParams, truncated, type QueryValues } from '@peil/platform/http';
import { EVENT_STORE } from '@peil/platform/nest';
import { TreeHost } from '../tree/tree.host';
import { badQuery, parseNonNegative } from './query';

const MAX_PAGE = 10_000;
const DEFAULT_PAGE = 1_000;

/**
 * The auditors' window on the ledger: raw envelopes (personal data stays ciphertext, which is
 * what the hashes cover) and on-demand verification. Reads only, so it keeps answering even
 * when verification has found tampering.
 */
@Controller('v1/ledger')
export class LedgerController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    // Only its tree: the leaf index of each event served.
    @Inject(TreeHost) private readonly host: Pick<TreeHost, 'tree'>,
  ) {}

  @Get('events')
  async events(@QueryParams(['after', 'limit']) { after, limit }: QueryValues) {
    const afterPosition = after === undefined ? null : parseNonNegative(after, 'after');
    const pageSize = parsePageSize(limit);
    const events = await this.withLeafIndexes(await this.store.readAll(afterPosition, pageSize));
    return page(events, pageSize);
  }

  /** A page of one stream: a stream may hold tens of thousands of events, read and sent one page at a time. */
  @Get('streams/:streamId')
  async stream(@Param('streamId') streamId: string, @QueryParams(['fromRevision', 'limit']) { fromRevision, limit }: QueryValues) {
    const from = fromRevision === undefined ? 0 : parseNonNegative(fromRevision, 'fromRevision');
    const pageSize = parsePageSize(limit);
    const events = await this.store.readStream(streamId, { fromRevision: from, limit: pageSize });
    if (events.length === 0 && from === 0) {
      throw new NotFoundException({ error: { code: 'stream_not_found', message: `no stream ${truncated(streamId)}`, path: 'streamId' } });
    }
    const last = events[events.length - 1];
    return { streamId, events: await this.withLeafIndexes(events), next: events.length === pageSize && last ? { fromRevision: last.revision + 1 } : null };
  }

  @Get('verify')
  async verify() {
    return verifyLedger(this.store);
  }

  /** Every event carries its leaf in the Merkle tree (null while the tree disagrees with the ledger: reads keep answering). */
  private withLeafIndexes(events: StoredEvent[]) {
    return this.host.tree.withLeafIndexes(events);
  }
}

function page(events: Array<StoredEvent & { leafIndex: number | null }>, pageSize: number) {
  const last = events[events.length - 1];
  return { events, next: events.length === pageSize && last ? { after: last.position } : null };
}

function parsePageSize(limit: string | undefined): number {
  const pageSize = limit === undefined ? DEFAULT_PAGE : parseNonNegative(limit, 'limit');
  if (pageSize < 1 || pageSize > MAX_PAGE) throw badQuery('limit', `limit must be between 1 and ${MAX_PAGE}`);
  return pageSize;
}
