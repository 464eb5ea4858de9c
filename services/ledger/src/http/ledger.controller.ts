import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { verifyLedger, type EventStore, type StoredEvent } from '@peil/ledger';
import { EVENT_STORE, Roles } from '@peil/platform';
import { TreeHost } from '../tree/tree.host';
import { badQuery, parseNonNegative } from './query';

const MAX_PAGE = 10_000;

/**
 * The auditors' window on the ledger: raw envelopes (personal data stays ciphertext, which is
 * what the hashes cover) and on-demand verification. Reads only, so it keeps answering even
 * when verification has found tampering.
 */
@Controller('v1/ledger')
@Roles('auditor', 'admin')
export class LedgerController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly host: TreeHost,
  ) {}

  @Get('events')
  async events(@Query('after') after?: string, @Query('limit') limit?: string) {
    const afterPosition = after === undefined || after === '' ? null : parseNonNegative(after, 'after');
    const pageSize = limit === undefined || limit === '' ? 1000 : parseNonNegative(limit, 'limit');
    if (pageSize < 1 || pageSize > MAX_PAGE) throw badQuery('limit', `limit must be between 1 and ${MAX_PAGE}`);
    const events = await this.withLeafIndexes(await this.store.readAll(afterPosition, pageSize));
    return page(events, pageSize);
  }

  @Get('streams/:streamId')
  async stream(@Param('streamId') streamId: string, @Query('fromRevision') fromRevision?: string) {
    const from = fromRevision === undefined || fromRevision === '' ? 0 : parseNonNegative(fromRevision, 'fromRevision');
    const events = await this.store.readStream(streamId, { fromRevision: from });
    if (events.length === 0 && from === 0) {
      throw new NotFoundException({ error: { code: 'stream_not_found', message: `no stream ${streamId}`, path: 'streamId' } });
    }
    return { streamId, events: await this.withLeafIndexes(events) };
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
