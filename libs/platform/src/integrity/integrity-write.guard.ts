import { CanActivate, ExecutionContext, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import type { Request } from 'express';
import { apiError } from '../http/error-body';
import { describeFault, IntegrityStatus } from './integrity.status';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses every write over HTTP (each context's POST /events, and the internal calls of the
 * cross-context flows, which append too) while this process holds an integrity fault: an event
 * appended now would chain onto a history that is known to be wrong. Reads keep answering, so
 * auditors can see what happened. Kafka submissions are refused by the intake (its own door).
 */
@Injectable()
export class IntegrityWriteGuard implements CanActivate {
  constructor(@Inject(IntegrityStatus) private readonly integrity: IntegrityStatus) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const method = context.switchToHttp().getRequest<Request>().method;
    if (READS.has(method)) return true;
    const error = integrityRefusal(this.integrity);
    if (error) throw new ServiceUnavailableException({ error });
    return true;
  }
}

/** The error a write is refused with while a fault is held, or undefined. */
export function integrityRefusal(integrity: IntegrityStatus) {
  const fault = integrity.fault;
  return fault ? apiError('ledger_integrity_fault', `writes are refused until the ledger is repaired: ${describeFault(fault)}`) : undefined;
}
