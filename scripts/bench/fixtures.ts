import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { canonicalJson, hashedPart, type NewEvent, type SqliteEventStore } from '@peil/ledger';

/**
 * Realistic ~1 KB events: a HouseholdEnrolled-like payload whose personal data is in the stored
 * form (`enc:v1:<iv>:<ciphertext>:<tag>`, AES-256-GCM, base64url, as libs/platform's field cipher
 * writes it), plus the envelope metadata a submission carries. Ciphertexts come from a pool of
 * random bytes (fresh-IV values are incompressible and unique; their content does not matter here).
 */

const GOVERNORATES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Akkar', ['Halba', 'Qoubaiyat', 'Bebnine']],
  ['North', ['Tripoli', 'Zgharta', 'Minieh-Danniyeh']],
  ['Bekaa', ['Zahle', 'West Bekaa', 'Rashaya']],
  ['Baalbek-Hermel', ['Baalbek', 'Hermel']],
  ['Mount Lebanon', ['Baabda', 'Aley', 'Chouf', 'Matn']],
  ['South', ['Saida', 'Tyre', 'Jezzine']],
  ['Nabatieh', ['Nabatieh', 'Bint Jbeil', 'Marjeyoun']],
];
const EDUCATION = ['None', 'Primary', 'Intermediate (Brevet)', 'Secondary (Baccalaureate)', 'Vocational (TS)', 'University'];

let randomPool = randomBytes(1 << 16);
let poolOffset = 0;
function random(bytes: number): Buffer {
  if (poolOffset + bytes > randomPool.length) {
    randomPool = randomBytes(1 << 16);
    poolOffset = 0;
  }
  const out = randomPool.subarray(poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return out;
}

/** An `enc:v1:` value as field-cipher.ts produces for a plaintext of `plaintextBytes` UTF-8 bytes. */
function encrypted(plaintextBytes: number): string {
  return `enc:v1:${random(12).toString('base64url')}:${random(plaintextBytes).toString('base64url')}:${random(16).toString('base64url')}`;
}

function pick<T>(items: readonly T[], n: number): T {
  return items[n % items.length]!;
}

const DIGEST_KEY = randomBytes(32);
const BASE_TIME = Date.parse('2025-03-01T08:00:00.000Z');

/** The `n`-th enrolment event of household `householdId` (deterministic apart from ciphertexts and ids). */
export function enrolmentEvent(householdId: string, n: number): NewEvent {
  const [governorate, districts] = pick(GOVERNORATES, n);
  const occurredAt = new Date(BASE_TIME + n * 37_000).toISOString();
  const data = {
    householdId,
    essnId: `ESSN-${String(100_000_000 + ((n * 7919) % 900_000_000)).padStart(9, '0')}`,
    governorate,
    district: pick(districts, n >> 3),
    sdcId: `SDC-${governorate.slice(0, 3).toUpperCase()}-${String(n % 40).padStart(2, '0')}`,
    participant: {
      participantId: `P-${householdId}-01`,
      // Arabic names: ~2 bytes a letter in UTF-8.
      fullName: encrypted(34 + (n % 12)),
      sex: n % 5 === 0 ? 'M' : 'F',
      birthDate: encrypted(10),
      educationLevel: pick(EDUCATION, n),
      phone: encrypted(13),
    },
    householdSize: 3 + (n % 7),
    consent: true,
  };
  return {
    eventId: randomUUID(),
    type: 'HouseholdEnrolled',
    schemaVersion: 1,
    occurredAt,
    recordedAt: new Date(BASE_TIME + n * 37_000 + 1_250).toISOString(),
    source: 'enrolment-service',
    actor: `user:sdc-officer-${String(n % 25).padStart(3, '0')}@peil.example.org`,
    correlationId: randomUUID(),
    causationId: null,
    data,
    contentDigest: createHmac('sha256', DIGEST_KEY).update(canonicalJson({ type: 'HouseholdEnrolled', occurredAt, data }), 'utf8').digest('hex'),
  };
}

/** `count` events for one stream, numbered from `firstN`. */
export function eventBatch(householdId: string, firstN: number, count: number): NewEvent[] {
  const events: NewEvent[] = new Array(count);
  for (let i = 0; i < count; i++) events[i] = enrolmentEvent(householdId, firstN + i);
  return events;
}

/**
 * Sizes of an event: `data` as canonical JSON, and the whole stored event (hashed envelope as
 * canonical JSON + hash + contentDigest), UTF-8 bytes. The latter is the "~1 KB" of DESIGN §6.
 */
export function eventSizes(e: NewEvent, streamId: string): { data: number; stored: number } {
  const envelope = hashedPart({ ...e, streamId, revision: 0, prevHash: createHash('sha256').digest('hex') });
  return {
    data: Buffer.byteLength(canonicalJson(e.data)),
    stored: Buffer.byteLength(canonicalJson(envelope)) + 64 /* hash */ + 64 /* contentDigest */,
  };
}

let streamCounter = 0;
/** A stream id no other call returns (household streams, as the enrolment service writes). */
export function freshHousehold(tag: string): string {
  streamCounter += 1;
  return `HH-${tag}-${String(streamCounter).padStart(7, '0')}`;
}

/** Untimed filler: `events` events in appends of `batch` events, one new stream per append. */
export function appendFixtureBatches(store: SqliteEventStore, events: number, batch: number, tag: string): void {
  for (let done = 0; done < events; ) {
    const n = Math.min(batch, events - done);
    const household = freshHousehold(tag);
    store.appendSync(`household-${household}`, eventBatch(household, done, n), 'no_stream');
    done += n;
  }
}
