import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One Prometheus registry per process, labelled with the service it belongs to, so the gateway can
 * merge every service's metrics into one exposition without name clashes. Metric names follow
 * Prometheus conventions (`_total` counters, `_seconds` durations); the README lists them all.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Histogram<'method' | 'route' | 'status'>;
  readonly eventsAppended: Counter<'context' | 'type'>;
  readonly appendSeconds: Histogram<'context'>;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    // Process memory, CPU, event-loop lag, GC, handles: prom-client's defaults.
    collectDefaultMetrics({ register: this.registry, prefix: 'peil_' });
    this.httpRequests = new Histogram({
      name: 'peil_http_request_duration_seconds',
      help: 'HTTP requests by method, route template and status, with their duration',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [this.registry],
    });
    this.eventsAppended = new Counter({
      name: 'peil_events_appended_total',
      help: 'Events appended to the ledger by this service, by context and event type',
      labelNames: ['context', 'type'],
      registers: [this.registry],
    });
    this.appendSeconds = new Histogram({
      name: 'peil_append_duration_seconds',
      help: 'Time to append one batch of events to one stream (durable on return)',
      labelNames: ['context'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [this.registry],
    });
  }

  /** A gauge read when scraped (ledger head, relay lag, projector lag…): the callback returns the value, or null when unknown. */
  gauge(name: string, help: string, read: () => Promise<number | null> | number | null, labels?: Record<string, string>): void {
    const labelNames = Object.keys(labels ?? {});
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        const value = await read();
        if (value === null) return;
        if (labels) this.set(labels, value);
        else this.set(value);
      },
    });
  }

  /** Several gauges of one family with different labels (e.g. projector lag per read model). */
  gaugeFamily<L extends string>(name: string, help: string, labelNames: readonly L[], read: () => Promise<Array<{ labels: Record<L, string>; value: number }>>): void {
    new Gauge({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { labels, value } of await read()) this.set(labels, value);
      },
    });
  }
}
