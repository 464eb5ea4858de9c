import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventPrincipal } from '@peil/ledger';
import { isRole } from './roles';

/**
 * Whose submission the code running now serves. A submission's follow-up (the grant service
 * recording a delivery's expenditure) is done by another service over HTTP; the events it records
 * must still carry the principal of the submitter, not of the service that relayed it. The
 * submission pipeline runs each batch inside `actingFor(principal)`, and InternalClient forwards
 * what `actingPrincipal()` returns in the on-behalf-of header (docs/decisions/0029).
 *
 * An async context rather than a parameter threaded through every handler: follow-ups are reached
 * through handlers, process managers and clients of other contexts, and a forgotten parameter
 * would silently record the service instead of the submitter.
 */
const acting = new AsyncLocalStorage<EventPrincipal | undefined>();

export function actingFor<T>(principal: EventPrincipal, work: () => T): T {
  return acting.run(principal, work);
}

/**
 * Runs `work` on the service's own account, whatever context the caller was in: process managers
 * (recovery) use it, as their timers and ledger subscriptions may have been set up while some
 * request was being served and would otherwise inherit that request's principal.
 */
export function onOwnAccount<T>(work: () => T): T {
  return acting.run(undefined, work);
}

export function actingPrincipal(): EventPrincipal | undefined {
  return acting.getStore();
}

/** The principal a service records for events it writes on its own account. */
export function servicePrincipal(service: string): EventPrincipal {
  return { keyId: `service:${service}`, role: 'system', via: 'system' };
}

const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}$/;

/** The on-behalf-of header's value: the principal's canonical JSON (ASCII: key ids are restricted above). */
export function encodeOnBehalfOf(p: EventPrincipal): string {
  return JSON.stringify({ keyId: p.keyId, role: p.role, via: p.via });
}

/**
 * Reads an on-behalf-of header: only an outside principal (an API key or a Kafka producer) can be
 * acted for — a service acting for `system` would be acting on its own account, which needs no header.
 */
export function decodeOnBehalfOf(value: string): EventPrincipal | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { keyId, role, via } = parsed as Record<string, unknown>;
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId) || !isRole(role) || (via !== 'http' && via !== 'kafka')) return null;
  return { keyId, role, via };
}
