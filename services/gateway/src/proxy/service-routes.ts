import { SERVICES, type ServiceName } from '@peil/platform/config';

/**
 * Public path prefix (`/v1/<prefix>/...`) → the service that owns it. One line per context; a
 * prefix whose service is not (yet) in SERVICES is answered 404 like any unknown prefix, so a
 * context goes live by appearing in SERVICES, not by editing the gateway.
 */
export const PREFIX_SERVICES: Readonly<Record<string, string>> = {
  enrolment: 'enrolment',
  assessment: 'assessment',
  'asset-transfer': 'asset-transfer',
  training: 'training',
  evaluation: 'evaluation',
  grant: 'grant',
  reports: 'reporting',
  ledger: 'ledger',
};

export type RouteResolution =
  | { kind: 'service'; service: ServiceName }
  | { kind: 'unknown'; prefix: string | null }
  | { kind: 'invalid_path' };

/**
 * The service for a raw request target (path and query, exactly as received). Matching is on the
 * raw, case-sensitive first segment: the path is forwarded byte for byte, so the service sees the
 * same prefix the gateway matched. Dot segments are refused because some server between here and
 * a handler might normalise them into another context's path.
 */
export function resolveRoute(target: string): RouteResolution {
  const path = target.split('?', 1)[0] ?? '';
  if (hasDotSegment(path)) return { kind: 'invalid_path' };
  const match = /^\/v1\/([^/]+)(?:\/|$)/.exec(path);
  const prefix = match?.[1];
  if (prefix === undefined) return { kind: 'unknown', prefix: null };
  const service = Object.hasOwn(PREFIX_SERVICES, prefix) ? PREFIX_SERVICES[prefix] : undefined;
  if (service === undefined || !Object.hasOwn(SERVICES, service)) return { kind: 'unknown', prefix };
  return { kind: 'service', service: service as ServiceName };
}

function hasDotSegment(path: string): boolean {
  return path.split('/').some((segment) => {
    // Only `.` and `..`, plain or percent-encoded; an encoded `/` inside an id (HH%2F7) is legitimate.
    const plain = segment.replace(/%2e/gi, '.');
    return plain === '.' || plain === '..';
  });
}
