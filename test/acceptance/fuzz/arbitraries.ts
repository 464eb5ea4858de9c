import { randomUUID } from 'node:crypto';
import fc from 'fast-check';

/**
 * What the API fuzzing sends: every context's event types from a valid-looking template with one
 * field mutated, removed or added; whole bodies that are random JSON, not JSON, not UTF-8 or deeply
 * nested; and query strings with repeated, bracketed, unknown or hostile parameters.
 */

/** Names that reach Object.prototype when a client string indexes a plain object. */
export const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__', 'isPrototypeOf'];

const BAD_TEXT = [
  '\uD800', 'x\uDC00', 'a\uDBFF\uDBFFb', 'No\u0000rth', 'a\u0007b', 'a\u0085b', '\u009B', '\u007F', 'tab\there', 'line\nbreak', 'cr\rlf',
  'Tri\u202Epoli', '\u202Aabc', '\u2066iso\u2069', 'طرابلس\u200F', '\u061Cعكار', 'e\u0301', '😀', '\uFEFF', '\uFFFD', ' ', '',
];
const BAD_DATES = ['2025-02-30', '2025-02-29', '2024-02-30', '1990-13-01', '0000-00-00', '2025-04-31T10:00:00Z', '2025-12-31T24:00:00Z', '2025-06-01T10:00:00', '2025-06-01T10:00:00+25:00', '+275760-09-13T00:00:00Z'];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.constantFrom(...BAD_TEXT),
  fc.constantFrom(...BAD_DATES),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  fc.integer({ min: 129, max: 12_000 }).map((n) => 'x'.repeat(n)),
);

/** Objects or arrays `depth` levels deep. */
export const nested = (depth: number, array = false): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = array ? [value] : { a: value };
  return value;
};

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(-1, 0, 0.5, -0, 1e308, 2 ** 53, Number.MAX_SAFE_INTEGER, true, null, [], {}),
  fc.tuple(fc.integer({ min: 20, max: 3_000 }), fc.boolean()).map(([depth, array]) => nested(depth, array)),
);

/** Ids the fuzzing's setup created, so that mutated events can get past the schemas into the deciders. */
export interface Known {
  householdId: string;
  budgetLine: string;
  grantId: string;
  itemCode: string;
}

type Template = (k: Known, n: string) => Record<string, unknown>;

/** One valid-looking `data` per event type, by context (the path segment of its write route). */
export const TEMPLATES: Record<string, Record<string, Template>> = {
  enrolment: {
    HouseholdEnrolled: (_k, n) => ({
      householdId: `HH-F${n}`, essnId: `ESSN-F${n}`, governorate: 'North', district: 'Tripoli', sdcId: 'SDC-TRI-01', consent: true,
      participant: { participantId: `P-F${n}`, fullName: 'Rima Haddad', sex: 'F', birthDate: '1990-05-14', educationLevel: 'secondary', phone: '+961 3 123456' },
    }),
    ParticipantReplaced: (k, n) => ({
      householdId: k.householdId, reason: 'moved away',
      participant: { participantId: `P-R${n}`, fullName: 'Omar Haddad', sex: 'M', birthDate: '1988-02-29', educationLevel: 'primary' },
    }),
    HouseholdWithdrawn: (_k, n) => ({ householdId: `HH-W${n}`, reason: 'left the programme' }),
  },
  assessment: {
    MarketAssessmentCompleted: (_k, n) => ({ assessmentId: `MA-${n}`, governorate: 'North', district: 'Tripoli', viableSectors: ['tailoring', 'food-processing'] }),
    SkillsProfileRecorded: (k) => ({ householdId: k.householdId, skills: ['sewing'], yearsExperience: 3, preferredSector: 'tailoring' }),
    LivelihoodPlanApproved: (k, n) => ({ householdId: k.householdId, planId: `PLAN-${n}`, sector: 'tailoring', assetKit: [{ itemCode: k.itemCode, quantity: 1 }], trainingModules: ['technical'], coachingSessions: 2 }),
  },
  'asset-transfer': {
    AssetCatalogueItemApproved: (_k, n) => ({ itemCode: `ITEM-${n}`, name: 'Sewing machine', category: 'sewing-embroidery', unitCostCeilingMinor: 35_000 }),
    AssetDelivered: (k, n) => ({ deliveryId: `DEL-${n}`, householdId: k.householdId, itemCode: k.itemCode, quantity: 1, unitCostMinor: 30_000, currency: 'USD', supplier: 'Tripoli Sewing Co', invoiceRef: `INV-${n}` }),
    AssetReceiptAcknowledged: (_k, n) => ({ deliveryId: `DEL-${n}`, method: 'signature' }),
    AssetVerified: (_k, n) => ({ deliveryId: `DEL-${n}`, status: 'in-use' }),
  },
  training: {
    TrainingSessionHeld: (_k, n) => ({ sessionId: `S-${n}`, module: 'technical', governorate: 'North', district: 'Tripoli' }),
    TrainingAttended: (k, n) => ({ sessionId: `S-${n}`, householdId: k.householdId }),
    CoachingVisitRecorded: (k, n) => ({ visitId: `V-${n}`, householdId: k.householdId }),
    SavingsNudgeSent: (k, n) => ({ nudgeId: `N-${n}`, householdId: k.householdId, channel: 'sms', template: 'weekly-saving' }),
  },
  evaluation: {
    SurveyRecorded: (k, n) => ({ surveyId: `SV-${n}`, householdId: k.householdId, round: 'baseline', monthlyIncomeMinor: 2_900_000, savingsMinor: 100_000, currency: 'LBP', fxRateToUsd: '89500', businessOperating: true, employed: false }),
  },
  grant: {
    BudgetReallocated: (k) => ({ grantId: k.grantId, fromLine: k.budgetLine, toLine: k.budgetLine, amountMinor: 1, approvalRef: 'NOL-1' }),
    FundsCommitted: (k, n) => ({ commitmentId: `PO-${n}`, budgetLine: k.budgetLine, amountMinor: 100, reference: 'Contract 1' }),
    CommitmentReleased: (_k, n) => ({ commitmentId: `PO-${n}`, amountMinor: 1, reason: 'cancelled' }),
    ExpenditureRecorded: (k, n) => ({ expenditureId: `EXP-${n}`, budgetLine: k.budgetLine, amountMinor: 100, currency: 'USD', payee: 'Supplies', documentRef: `INV-${n}` }),
    ExpenditureReversed: (_k, n) => ({ expenditureId: `EXP-${n}`, reason: 'duplicate invoice' }),
  },
};

/** Every path to a member or element of a JSON value (not the root), parents before children. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, v]) => [[...prefix, key], ...paths(v, [...prefix, key])]);
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Sets a member the way JSON.parse would: "__proto__" as an own member, never as the prototype. */
function setOwn(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

type Mutation =
  | { kind: 'none' }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'remove'; at: number }
  | { kind: 'add'; at: number; key: string; value: unknown }
  | { kind: 'type'; value: string }
  | { kind: 'taint'; at: number; offset: number; text: string }
  | { kind: 'envelope'; field: 'eventId' | 'type' | 'occurredAt' | 'source' | 'actor' | 'data'; value: unknown }
  | { kind: 'drop'; field: 'eventId' | 'type' | 'occurredAt' | 'data' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), hostileString), value: hostileValue }) },
  // One bad character inside an otherwise valid string: only the text rule stands between it and the ledger.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('taint' as const), at: fc.nat(), offset: fc.nat(), text: fc.constantFrom(...BAD_TEXT.filter((t) => t !== '')) }) },
  // The type selects the handler: prototype names and other contexts' types, often.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('type' as const), value: fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.constantFrom(...Object.values(TEMPLATES).flatMap((t) => Object.keys(t))), hostileString) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('envelope' as const), field: fc.constantFrom('eventId' as const, 'type' as const, 'occurredAt' as const, 'source' as const, 'actor' as const, 'data' as const), value: hostileValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), field: fc.constantFrom('eventId' as const, 'type' as const, 'occurredAt' as const, 'data' as const) }) },
);

function apply(event: Record<string, unknown>, m: Mutation): Record<string, unknown> {
  const out = clone(event);
  const data = out.data as Record<string, unknown>;
  const all = paths(data);
  const parentOf = (path: Array<string | number>) => path.slice(0, -1).reduce<any>((node, key) => node[key], data);
  switch (m.kind) {
    case 'none':
      return out;
    case 'replace': {
      const path = all[m.at % all.length]!;
      setOwn(parentOf(path), path[path.length - 1]!, m.value);
      return out;
    }
    case 'remove': {
      const path = all[m.at % all.length]!;
      const parent = parentOf(path);
      if (Array.isArray(parent)) parent.splice(path[path.length - 1] as number, 1);
      else delete parent[path[path.length - 1]!];
      return out;
    }
    case 'add': {
      const objects = [[], ...all.filter((p) => { const v = p.reduce<any>((n, k) => n[k], data); return typeof v === 'object' && v !== null && !Array.isArray(v); })];
      const path = objects[m.at % objects.length]!;
      setOwn(path.reduce<any>((n, k) => n[k], data), m.key, m.value);
      return out;
    }
    case 'type':
      out.type = m.value;
      return out;
    case 'taint': {
      const strings = all.filter((p) => typeof p.reduce<any>((n, k) => n[k], data) === 'string');
      const path = strings[m.at % strings.length]!;
      const parent = parentOf(path);
      const key = path[path.length - 1]!;
      const text = parent[key] as string;
      const at = m.offset % (text.length + 1);
      parent[key] = text.slice(0, at) + m.text + text.slice(at);
      return out;
    }
    case 'envelope':
      setOwn(out, m.field, m.value);
      return out;
    case 'drop':
      delete out[m.field];
      return out;
  }
}

/** A batch of 1–4 events of one context, each from a template of that context, mutated. */
export function eventBatch(context: string, known: Known): fc.Arbitrary<Array<Record<string, unknown>>> {
  const types = Object.keys(TEMPLATES[context]!);
  const one = fc.tuple(fc.constantFrom(...types), mutation, fc.nat()).map(([type, m, n]) => {
    const suffix = `${n.toString(36)}-${randomUUID().slice(0, 8)}`;
    const data = TEMPLATES[context]![type]!(known, suffix);
    return apply({ eventId: randomUUID(), type, occurredAt: '2026-03-02T09:00:00+02:00', data }, m);
  });
  return fc.array(one, { minLength: 1, maxLength: 4 });
}

/** A whole request body as bytes with a content type: random JSON, events of random JSON, text that is not JSON, bytes that are not UTF-8, deep nesting. */
export const hostileBody: fc.Arbitrary<{ body: string | Uint8Array; contentType: string | null }> = fc.record({
  body: fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc.array(fc.oneof(fc.jsonValue({ maxDepth: 3 }), hostileValue), { maxLength: 5 }).map((events) => JSON.stringify({ events })),
    fc.constantFrom('{"events":[]}', '{"events":{}}', '{"events":null}', '{"events":[1', '', '   ', 'null', '[]', '{"__proto__":{"events":[1]}}', '{"events":[{"type":"constructor"}]}'),
    fc.string({ maxLength: 40 }),
    fc.uint8Array({ minLength: 1, maxLength: 40 }),
    fc.tuple(fc.integer({ min: 60, max: 20_000 }), fc.constantFrom('[', '{"a":')).map(([n, open]) => `{"events":[${open.repeat(n)}`),
    fc.integer({ min: 60, max: 20_000 }).map((n) => `{"events":[${'['.repeat(n)}${']'.repeat(n)}]}`),
    fc.integer({ min: 1001, max: 1100 }).map((n) => JSON.stringify({ events: Array.from({ length: n }, () => ({})) })),
  ),
  contentType: fc.constantFrom('application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', null),
});

/** Percent-encodes any string, lone surrogates included (as the bytes Node would send for them). */
export function pct(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
}

const RAW_ESCAPES = ['%FF', '%C3%28', '%ED%A0%80', '%00', '%', '%zz', '%E2%80%AE'];

// URLs stay under Node's header limit (16 KB): a longer one is refused by the HTTP parser itself, before any code of ours.
const urlText = hostileString.filter((s) => s.length <= 300);

/** A query string for a route taking `names`: known, bracketed, repeated and unknown names; hostile values; broken escapes. */
export function queryString(names: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    ...(names.length > 0 ? [fc.constantFrom(...names), fc.constantFrom(...names).map((n) => `${n}[]`), fc.constantFrom(...names).map((n) => `${n}[x]`)] : []),
    fc.constantFrom(...PROTOTYPE_NAMES).map(pct),
    urlText.map(pct),
  );
  const value = fc.oneof(
    fc.constantFrom('0', '1', '10000', '10001', '-1', '1.5', '1e3', '99999999999999999999', '2025Q4', '2025Q5', 'json', 'csv', 'xml', '2025-12-31', '2025-12-31T23:59:59Z').map(pct),
    fc.constantFrom(...BAD_DATES).map(pct),
    urlText.map(pct),
    fc.constantFrom(...RAW_ESCAPES),
  );
  return fc.array(fc.tuple(key, value), { maxLength: 4 }).map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));
}

/** A path segment: an id, a prototype name, hostile text, a broken escape. */
export const pathSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('HH-1', 'JSDF-1', 'Tripoli', 'grant-statement', 'beneficiaries', 'iati', 'asset-register', 'indicators').map(pct),
  fc.constantFrom(...PROTOTYPE_NAMES).map(pct),
  urlText.filter((s) => s !== '' && s !== '.' && s !== '..').map(pct),
  fc.constantFrom(...RAW_ESCAPES),
);
