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
import { secretsEqual } from './internal-token';
import { GATEWAY_HEADERS, isCallerRole, type CallerRole } from './roles';

export const INTERNAL_TOKEN = Symbol('InternalToken');
const ROLES_KEY = 'peil:roles';

/** Roles allowed on a route; a route without @Roles is closed to everyone but health checks. */
export const Roles = (...roles: CallerRole[]) => SetMetadata(ROLES_KEY, roles);
export const Public = () => SetMetadata(ROLES_KEY, 'public');

export interface Principal {
  role: CallerRole;
  name: string;
  requestId: string;
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
    req.principal = {
      role,
      name: req.header(GATEWAY_HEADERS.principal) ?? role,
      requestId: req.header(GATEWAY_HEADERS.requestId) ?? '',
    };
    return true;
  }
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!req.principal) throw new UnauthorizedException();
  return req.principal;
});
