import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Res, ServiceUnavailableException } from '@nestjs/common';
import { TreeIntegrityError } from '@peil/ledger';
import { QueryParams, type QueryValues } from '@peil/platform/http';
import type { Response } from 'express';
import { ReportEngine, ReportRefusedError, ReportRequestError } from '@peil/reports';
import { ReadStoreUnavailableError } from '../read-store/read-store.host';

export const REPORT_ENGINE = Symbol('ReportEngine');

/**
 * Donor and auditor reports. Reports carry counts, money and pseudonymous household references,
 * never names, phones or birth dates — the projections do not even read them — so `donor` may read
 * every one of them.
 */
@Controller('v1/reports')
export class ReportsController {
  constructor(@Inject(REPORT_ENGINE) private readonly engine: ReportEngine) {}

  @Get(':name')
  async report(
    @Param('name') name: string,
    @Res() res: Response,
    @QueryParams(['asOf', 'period', 'format', 'bom']) { asOf, period, format, bom }: QueryValues,
  ): Promise<void> {
    try {
      const answer = await this.engine.report(name, { ...(asOf ? { asOf } : {}), ...(period ? { period } : {}), ...(format ? { format } : {}), ...(bom ? { bom } : {}) });
      res.status(200).setHeader('content-type', answer.contentType).setHeader('x-ledger-position', String(answer.ledgerPosition ?? 0)).send(answer.body);
    } catch (err) {
      if (err instanceof ReportRequestError) {
        const body = { error: { code: err.code, message: err.message, path: err.path } };
        if (err.code === 'unknown_report') throw new NotFoundException(body);
        // The operator's to fix, not the caller's: the service cannot publish IATI until configured.
        if (err.code === 'iati_not_configured') throw new ServiceUnavailableException(body);
        throw new BadRequestException(body);
      }
      // Live reports need the read store; reports asOf a position do not, and still answer.
      if (err instanceof ReadStoreUnavailableError) throw new ServiceUnavailableException({ error: { code: 'read_store_unavailable', message: err.message } });
      // Figures known to rest on a ledger that is not this one's: refused rather than stated (decision 0041).
      if (err instanceof ReportRefusedError) throw new ServiceUnavailableException({ error: { code: err.code, message: err.message } });
      // A report cites the Merkle tree head; over a ledger its tree disagrees with, it cites nothing.
      if (err instanceof TreeIntegrityError) throw new ServiceUnavailableException({ error: { code: 'tree_integrity_fault', message: err.message } });
      throw err;
    }
  }
}
