import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { AccessLog } from '@peil/platform/privacy';

const MAX_PAGE = 10_000;

/**
 * The personal-data access log for auditors: who read which household's personal data, when, and
 * which fields — never the data. Each page carries the check of its own entries and of its link to
 * the entry before it (cheap, whatever the log's length); `/verify` checks the whole chain.
 */
@Controller('v1/ledger/access-log')
export class AccessLogController {
  constructor(private readonly log: AccessLog) {}

  @Get()
  async entries(@Query('after') after?: string, @Query('limit') limit?: string) {
    const afterSeq = after === undefined || after === '' ? 0 : parseNonNegative(after, 'after');
    const pageSize = limit === undefined || limit === '' ? 1000 : parseNonNegative(limit, 'limit');
    if (pageSize < 1 || pageSize > MAX_PAGE) throw badQuery('limit', `limit must be between 1 and ${MAX_PAGE}`);
    const entries = await this.log.page(afterSeq, pageSize);
    const last = entries[entries.length - 1];
    return {
      entries,
      next: entries.length === pageSize && last ? { after: last.seq } : null,
      verification: await this.log.verifyPage(afterSeq, entries),
    };
  }

  @Get('verify')
  verify() {
    return this.log.verify();
  }
}

function parseNonNegative(value: string, name: string): number {
  if (!/^\d+$/.test(value)) throw badQuery(name, `${name} must be a non-negative integer`);
  return Number(value);
}

function badQuery(path: string, message: string) {
  return new BadRequestException({ error: { code: 'invalid_query', message, path } });
}
