import type { ReadTx } from '@peil/projections';

/** Read-modify-write of one read-model document; `init` when it does not exist yet. */
export async function update<T extends Record<string, unknown>>(tx: ReadTx, collection: string, id: string, init: () => T, change: (doc: T) => T | void): Promise<void> {
  const current = (await tx.get<T>(collection, id)) ?? init();
  const next = change(current) ?? current;
  await tx.put(collection, id, next);
}

/** The calendar quarter of an ISO date or timestamp, as the field office dated it: 2025-10-01 → 2025Q4. */
export function quarterOf(isoDay: string): string {
  const month = Number(isoDay.slice(5, 7));
  return `${isoDay.slice(0, 4)}Q${Math.floor((month - 1) / 3) + 1}`;
}

export const dayOf = (occurredAt: string): string => occurredAt.slice(0, 10);
