import type { ServiceMetrics } from './metrics';

interface RoutedRequest {
  method?: string;
  baseUrl?: string;
  route?: { path?: unknown };
}

/**
 * Express middleware: every answered request is observed once, labelled with its route *template*
 * (`/v1/enrolment/households/:householdId`), never the raw path — raw paths would put household ids
 * in the metrics and give Prometheus one series per household.
 */
export function httpMetricsMiddleware(metrics: ServiceMetrics) {
  return (req: RoutedRequest, res: { statusCode: number; once(event: 'finish', f: () => void): void }, next: () => void): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = typeof req.route?.path === 'string' ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.observe({ method: req.method ?? 'GET', route, status: String(res.statusCode) }, seconds);
    });
    next();
  };
}
