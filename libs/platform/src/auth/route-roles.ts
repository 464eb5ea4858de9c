import { ENROLMENT_EVENT_ROLES } from '@peil/contracts';
import { ROLES, type CallerRole } from './roles';

/**
 * Who may call each authenticated route: the one place roles are declared. The services' guard
 * authorises by it, the gateway refuses a key's role by it before proxying, and the OpenAPI document
 * states it (`x-peil-roles`); a test ties the three. A route missing here is closed to every role.
 *
 * Keys are `METHOD /path` with `{param}` segments as in the OpenAPI document. `system` is a service
 * calling another; no API key carries it, so the document leaves it out.
 */
const HOUSEHOLD_READERS = ['ngo', 'supervisor', 'auditor', 'admin', 'system'] as const;
const GRANT_READERS = ['finance', 'auditor', 'supervisor', 'donor', 'admin', 'system'] as const;

export const ROUTE_ROLES = {
  'GET /metrics': ['admin', 'system'],
  // Any key may ask which role it has (the dashboard shows only what that role may read).
  'GET /v1/me': [...ROLES],

  // The union of every type's roles; each event is then checked against its own type's (ENROLMENT_EVENT_ROLES).
  'POST /v1/enrolment/events': [...new Set(Object.values(ENROLMENT_EVENT_ROLES).flat())],
  'GET /v1/enrolment/households/{householdId}': ['ngo', 'supervisor', 'auditor', 'admin'],

  // Field teams record assessments and profiles; MoSA supervisors may also approve plans.
  'POST /v1/assessment/events': ['ngo', 'supervisor', 'admin'],
  'GET /v1/assessment/households/{householdId}': HOUSEHOLD_READERS,
  'GET /v1/assessment/markets/{district}': ['ngo', 'supervisor', 'auditor', 'donor', 'admin', 'system'],

  'POST /v1/asset-transfer/events': ['ngo', 'admin'],
  'GET /v1/asset-transfer/households/{householdId}': HOUSEHOLD_READERS,
  'GET /v1/asset-transfer/catalogue': ['ngo', 'supervisor', 'auditor', 'donor', 'finance', 'admin', 'system'],

  'POST /v1/training/events': ['ngo', 'admin'],
  'GET /v1/training/households/{householdId}': HOUSEHOLD_READERS,

  'POST /v1/evaluation/events': ['ngo', 'admin'],
  'GET /v1/evaluation/households/{householdId}': HOUSEHOLD_READERS,

  // Finance records grant events; other services (`system`) record commitments and expenditures through the same door.
  'POST /v1/grant/events': ['finance', 'admin', 'system'],
  'GET /v1/grant/budget-lines': GRANT_READERS,
  'GET /v1/grant/expenditures': GRANT_READERS,
  'GET /v1/grant/grants': GRANT_READERS,
  'GET /v1/grant/grants/{grantId}': GRANT_READERS,
  'GET /v1/grant/commitments/{commitmentId}': GRANT_READERS,
  'GET /v1/grant/reconciliation': GRANT_READERS,

  // Raw envelopes and verification: auditors' (and admins') window on the ledger.
  'GET /v1/ledger/events': ['auditor', 'admin'],
  'GET /v1/ledger/streams/{streamId}': ['auditor', 'admin'],
  'GET /v1/ledger/verify': ['auditor', 'admin'],
  // Who read whose personal data: the auditor's alone.
  'GET /v1/ledger/access-log': ['auditor'],
  'GET /v1/ledger/access-log/verify': ['auditor'],
  // Checkpoints, keys and proofs hold hashes only: every role, so a donor can run a witness.
  'GET /v1/ledger/checkpoint': ROLES,
  'GET /v1/ledger/checkpoint/key': ROLES,
  'GET /v1/ledger/proofs/inclusion': ROLES,
  'GET /v1/ledger/proofs/consistency': ROLES,
  // The audit pack carries events (personal data as ciphertext).
  'GET /v1/ledger/export': ['auditor', 'admin'],

  // Reports hold counts, money and pseudonymous references, never personal data.
  'GET /v1/reports/{name}': ['donor', 'supervisor', 'auditor', 'finance', 'admin'],
} as const satisfies Record<string, readonly CallerRole[]>;

export type RouteKey = keyof typeof ROUTE_ROLES;

/** The roles of a declared route (a typo in a key is a compile error). */
export function routeRoles(key: RouteKey): CallerRole[] {
  return [...ROUTE_ROLES[key]];
}

interface RouteEntry {
  method: string;
  template: string;
  pattern: RegExp;
  roles: readonly CallerRole[];
}

const ENTRIES: RouteEntry[] = byLiteralsFirst(
  Object.entries(ROUTE_ROLES as Record<string, readonly CallerRole[]>).map(([key, roles]) => {
    const [method, template] = key.split(' ') as [string, string];
    return { method, template, pattern: templatePattern(template), roles };
  }),
);

/** A regular expression matching the concrete paths of a `{param}` template (a parameter is one segment). */
export function templatePattern(template: string): RegExp {
  return new RegExp(`^${template.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}$`);
}

/** Literal routes before templated ones: /v1/ledger/checkpoint/key is not a {param} of /v1/ledger/checkpoint/{x}. */
export function byLiteralsFirst<T extends { template: string }>(routes: T[]): T[] {
  const params = (t: string) => (t.match(/\{/g) ?? []).length;
  return routes.sort((a, b) => params(a.template) - params(b.template));
}

/**
 * The declared route a method and path (concrete, `/v1/reports/ifr`, or a template) falls under,
 * or undefined: then no role may call it.
 */
export function declaredRoute(method: string, path: string): { key: string; roles: readonly CallerRole[] } | undefined {
  const upper = method.toUpperCase();
  const exact = ENTRIES.find((e) => e.method === upper && e.template === path);
  const entry = exact ?? ENTRIES.find((e) => e.method === upper && e.pattern.test(path));
  return entry && { key: `${entry.method} ${entry.template}`, roles: entry.roles };
}

/** A Nest/Express route path (`v1/enrolment/households/:householdId`) in the table's spelling. */
export function templateOf(...segments: string[]): string {
  const joined = segments.flatMap((s) => s.split('/')).filter((s) => s !== '').map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s));
  return `/${joined.join('/')}`;
}
