import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  RequestMethod,
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
import { declaredRoute, templateOf } from './route-roles';

export const INTERNAL_TOKEN = Symbol('InternalToken');
const PUBLIC_KEY = 'peil:public';
// Nest's own metadata keys for @Controller/@Get paths and the HTTP method (@nestjs/common constants).
const PATH_METADATA = 'path';
const METHOD_METADATA = 'method';

/** Open without the gateway token: the services' own health checks. Every other route's roles are in ROUTE_ROLES. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Whether a controller method is marked @Public (on itself or its controller). */
export function isPublicHandler(controller: object, handler: object): boolean {
  return Reflect.getMetadata(PUBLIC_KEY, handler) === true || Reflect.getMetadata(PUBLIC_KEY, controller) === true;
}

/**
 * `METHOD /path` of a controller method, as ROUTE_ROLES spells it, from the paths its decorators
 * declare — so the table, not a decorator beside the handler, is where roles are read.
 */
export function routeKeyOf(controller: object, handler: object): { method: string; path: string } {
  const base = Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined;
  const own = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
  const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  const first = (p: string | string[] | undefined) => (Array.isArray(p) ? (p[0] ?? '') : (p ?? ''));
  return { method: RequestMethod[method ?? RequestMethod.GET], path: templateOf(first(base), first(own)) };
}

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
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const presented = req.header(GATEWAY_HEADERS.token);
    if (!presented || !secretsEqual(presented, this.token)) {
      throw new UnauthorizedException({ error: { code: 'unauthenticated', message: 'requests must come through the gateway' } });
    }
    const role = req.header(GATEWAY_HEADERS.role);
    if (!isCallerRole(role)) {
      throw new UnauthorizedException({ error: { code: 'unauthenticated', message: 'no role forwarded' } });
    }
    const { method, path } = this.routeOf(context);
    const allowed = declaredRoute(method, path)?.roles;
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

  private readonly routes = new WeakMap<object, { method: string; path: string }>();

  private routeOf(context: ExecutionContext): { method: string; path: string } {
    const handler = context.getHandler();
    let route = this.routes.get(handler);
    if (!route) this.routes.set(handler, (route = routeKeyOf(context.getClass(), handler)));
    return route;
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
