import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { EventPrincipal } from '@peil/ledger';
import { decodeOnBehalfOf, servicePrincipal } from './acting-principal';
import { secretsEqual } from './internal-token';
import { GATEWAY_HEADERS, isCallerRole, type CallerRole } from './roles';

export const INTERNAL_TOKEN = Symbol('InternalToken');
const ROLES_KEY = 'peil:roles';

/** Roles allowed on a route; a route without @Roles is closed to everyone but health checks. */
export const Roles = (...roles: CallerRole[]) => SetMetadata(ROLES_KEY, roles);
export const Public = () => SetMetadata(ROLES_KEY, 'public');

export interface Principal {
  /** The role authorised for this request (`system` for a service calling another). */
  role: CallerRole;
  /** `<role>:<keyId>`, `kafka:<name>` or `system:<service>`: what source and actor default to. */
  name: string;
  requestId: string;
  /**
   * The principal recorded in the envelope of every event this request writes: the API key (or
   * Kafka producer) that was authenticated — for a service's follow-up, that of the submission it
   * follows up; a service's own principal when it acts on its own account.
   */
  recordAs: EventPrincipal;
}

/**
 * Authentication happens at the gateway (API keys); this guard checks that the request really
 * came through it (constant-time token comparison) and authorises the forwarded role.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(INTERNAL_TOKEN) private readonly token: string,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const allowed = this.reflector.getAllAndOverride<CallerRole[] | 'public' | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (allowed === 'public') return true;
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const presented = req.header(GATEWAY_HEADERS.token);
    if (!presented || !secretsEqual(presented, this.token)) {
      throw new UnauthorizedException({ error: { code: 'unauthenticated', message: 'requests must come through the gateway' } });
    }
    const role = req.header(GATEWAY_HEADERS.role);
    if (!isCallerRole(role)) {
      throw new UnauthorizedException({ error: { code: 'unauthenticated', message: 'no role forwarded' } });
    }
    if (!allowed || !allowed.includes(role)) {
      throw new ForbiddenException({ error: { code: 'forbidden', message: `role ${role} may not do this` } });
    }
    const name = req.header(GATEWAY_HEADERS.principal) ?? role;
    req.principal = {
      role,
      name,
      requestId: req.header(GATEWAY_HEADERS.requestId) ?? '',
      recordAs: recordedPrincipal(role, name, req.header(GATEWAY_HEADERS.onBehalfOf)),
    };
    return true;
  }
}

/**
 * From the headers the gateway (`<role>:<keyId>`) or a calling service (`system:<service>`, and
 * on-behalf-of when it serves a submission) set; both are trusted only with the token checked above.
 */
export function recordedPrincipal(role: CallerRole, name: string, onBehalfOf: string | undefined): EventPrincipal {
  const keyId = name.startsWith(`${role}:`) && name.length > role.length + 1 ? name.slice(role.length + 1) : 'unidentified';
  if (role !== 'system') return { keyId, role, via: 'http' };
  if (onBehalfOf === undefined) return servicePrincipal(keyId);
  const principal = decodeOnBehalfOf(onBehalfOf);
  if (!principal) {
    throw new UnauthorizedException({ error: { code: 'unauthenticated', message: `malformed ${GATEWAY_HEADERS.onBehalfOf} header` } });
  }
  return principal;
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!req.principal) throw new UnauthorizedException();
  return req.principal;
});
