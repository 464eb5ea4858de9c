/**
 * Schema evolution of stored events. The ledger keeps every event exactly as it was recorded (its
 * hash covers the data and the schemaVersion), so an event written under an older schema is never
 * rewritten: readers pass it through `upcast` before folding or projecting it, and see it in the
 * current shape. One upcaster per (type, schemaVersion) turns data of that version into the next;
 * they chain until no upcaster applies. A type whose shape never changed needs none, whatever
 * version its context writes.
 */
export interface UpcasterRegistration {
  type: string;
  /** The version the upcaster reads; it returns data of `fromVersion + 1`. */
  fromVersion: number;
  upcast: (data: unknown) => unknown;
}

/** The envelope fields upcasting needs; any stored event (the ledger's StoredEvent) has them. */
export interface VersionedEvent {
  type: string;
  schemaVersion: number;
  data: unknown;
}

export type Upcast = <E extends VersionedEvent>(event: E) => E;

/** An upcast function over a set of registrations; two for the same (type, version) is a programming error. */
export function upcasterFor(registrations: readonly UpcasterRegistration[]): Upcast {
  const table = new Map<string, UpcasterRegistration['upcast']>();
  for (const r of registrations) {
    const key = `${r.type}@${r.fromVersion}`;
    if (table.has(key)) throw new Error(`two upcasters for ${r.type} version ${r.fromVersion}`);
    table.set(key, r.upcast);
  }
  return <E extends VersionedEvent>(event: E): E => {
    let version = event.schemaVersion;
    let data = event.data;
    for (let step = table.get(`${event.type}@${version}`); step; step = table.get(`${event.type}@${version}`)) {
      data = step(data);
      version += 1;
    }
    // A new object: the stored event (and the hash computed over it) is never touched.
    return version === event.schemaVersion ? event : { ...event, schemaVersion: version, data };
  };
}
