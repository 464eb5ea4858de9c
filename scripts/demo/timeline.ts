import { MAX_EVENTS_PER_REQUEST } from '@peil/platform/submissions';
import { eventIdFor } from './random';

/** The pilot runs 18 months, June 2025 to November 2026; month 0 is June 2025. */
export const PILOT_MONTHS = 18;
const FIRST_MONTH = { year: 2025, month: 6 };

export type Context = 'grant' | 'asset-transfer' | 'assessment' | 'enrolment' | 'evaluation' | 'training';
export type Role = 'ngo' | 'supervisor' | 'finance';

/**
 * Requests of phases whose every event makes the service call another (a plan commits funds, a
 * delivery and a paid session record an expenditure) stay small, well inside the gateway's 60 s
 * upstream limit even on a loaded machine.
 */
const FOLLOWED_UP = 100;

/**
 * Within a month, events go in this order, so that whatever an event needs (a session before its
 * attendance, a plan before its delivery, a withdrawal after the household's last activity) is
 * already in the ledger. Each phase is one context and the role that submits it.
 */
export const PHASES = {
  'grant-setup': { context: 'grant', role: 'finance' },
  catalogue: { context: 'asset-transfer', role: 'ngo' },
  markets: { context: 'assessment', role: 'ngo' },
  enrolment: { context: 'enrolment', role: 'ngo' },
  profiles: { context: 'assessment', role: 'ngo' },
  surveys: { context: 'evaluation', role: 'ngo' },
  plans: { context: 'assessment', role: 'supervisor', batch: FOLLOWED_UP },
  deliveries: { context: 'asset-transfer', role: 'ngo', batch: FOLLOWED_UP },
  sessions: { context: 'training', role: 'ngo', batch: FOLLOWED_UP },
  participation: { context: 'training', role: 'ngo' },
  changes: { context: 'enrolment', role: 'ngo' },
  finance: { context: 'grant', role: 'finance' },
} as const satisfies Record<string, { context: Context; role: Role; batch?: number }>;
export type Phase = keyof typeof PHASES;
const PHASE_ORDER = Object.keys(PHASES) as Phase[];

export interface DemoEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  source: string;
  actor: string;
  data: Record<string, unknown>;
}

/** One request: up to 1,000 events of one context, submitted with one role's key. */
export interface Submission {
  month: string;
  phase: Phase;
  context: Context;
  role: Role;
  events: DemoEvent[];
}

export const monthLabel = (m: number): string => {
  const total = FIRST_MONTH.year * 12 + FIRST_MONTH.month - 1 + m;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
};

/** Beirut's offset: summer time (UTC+3) from April to October, UTC+2 otherwise (to the month). */
const offsetOf = (label: string) => (Number(label.slice(5, 7)) >= 4 && Number(label.slice(5, 7)) <= 10 ? '+03:00' : '+02:00');

/** `2025-08-14T09:30:00+03:00`: the local time a field officer would record. */
export function localTime(m: number, day: number, time: string): string {
  const label = monthLabel(m);
  return `${label}-${String(day).padStart(2, '0')}T${time}:00${offsetOf(label)}`;
}

/** The calendar quarter of pilot month m: 2025Q3. */
export const quarterOf = (m: number): string => {
  const label = monthLabel(m);
  return `${label.slice(0, 4)}Q${Math.floor((Number(label.slice(5, 7)) - 1) / 3) + 1}`;
};

interface Planned {
  month: number;
  phase: number;
  at: string;
  seq: number;
  event: DemoEvent;
}

/** Collects the pilot's events in any order and hands them out as ordered submissions. */
export class Timeline {
  private readonly planned: Planned[] = [];
  /** US cents expected on each budget line per pilot month (expenditures less reversals), for work plans and replenishments. */
  readonly spending = new Map<string, number[]>();

  constructor(private readonly seed: string) {}

  /**
   * An event in `phase` of month `m`; `entity` names what it is about, uniquely in the pilot, and
   * with the seed gives the event id. Returns the event id (a delivery's expenditure links to it).
   */
  add(phase: Phase, m: number, day: number, time: string, type: string, data: Record<string, unknown>, entity: string): string {
    if (m < 0 || m >= PILOT_MONTHS) throw new RangeError(`month ${m} is outside the pilot`);
    const eventId = eventIdFor(this.seed, `${type}/${entity}`);
    const role = PHASES[phase].role;
    const event: DemoEvent = { eventId, type, occurredAt: localTime(m, day, time), source: 'peil-demo', actor: `demo:${role}-officer`, data };
    this.planned.push({ month: m, phase: PHASE_ORDER.indexOf(phase), at: event.occurredAt, seq: this.planned.length, event });
    return eventId;
  }

  spend(line: string, m: number, usdMinor: number): void {
    const months = this.spending.get(line) ?? new Array<number>(PILOT_MONTHS).fill(0);
    months[m] = months[m]! + usdMinor;
    this.spending.set(line, months);
  }

  get size(): number {
    return this.planned.length;
  }

  /** Month by month, phase by phase, in time order; at most MAX_EVENTS_PER_REQUEST events a request (fewer where each is followed up). */
  submissions(): Submission[] {
    const ordered = [...this.planned].sort((a, b) => a.month - b.month || a.phase - b.phase || (a.at < b.at ? -1 : a.at > b.at ? 1 : 0) || a.seq - b.seq);
    const out: Submission[] = [];
    for (const p of ordered) {
      const phase = PHASE_ORDER[p.phase]!;
      const last = out[out.length - 1];
      const { context, role, ...rest } = PHASES[phase];
      const limit = 'batch' in rest ? rest.batch : MAX_EVENTS_PER_REQUEST;
      if (last && last.phase === phase && last.month === monthLabel(p.month) && last.events.length < limit) {
        last.events.push(p.event);
      } else {
        out.push({ month: monthLabel(p.month), phase, context, role, events: [p.event] });
      }
    }
    return out;
  }
}
