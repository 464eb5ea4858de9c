import type { LoggerService } from '@nestjs/common';
import { JsonLogger } from '@peil/platform/observability';

export interface AccessRecord {
  method: string;
  route: string;
  status: number;
  durationMs: number;
  bytes: number;
  keyId: string | null;
  requestId: string;
  clientAddress: string | undefined;
}

/**
 * One line per request at the gateway: what an operator needs to follow traffic and errors, and
 * nothing more — the route template (never the raw path, which holds household ids), the key's id
 * (never the key), no bodies, no query strings.
 */
export class AccessLog {
  constructor(private readonly logger: LoggerService) {}

  write(r: AccessRecord): void {
    if (this.logger instanceof JsonLogger) {
      this.logger.record('log', 'access', 'request', { ...r });
      return;
    }
    this.logger.log(`${r.method} ${r.route} ${r.status} ${r.durationMs} ms ${r.bytes} B key=${r.keyId ?? '-'} id=${r.requestId}`, 'access');
  }
}
