import { z } from 'zod';

/**
 * The ledger's own events (stream `$checkpoints`), written by its sealer, never submitted: a signed
 * head of the Merkle tree over the ledger, so the history of checkpoints is itself in the tree, in
 * every audit pack, and on the Kafka profile's topics. `checkpoint` is the C2SP signed note exactly as
 * GET /v1/ledger/checkpoint serves it; origin, size and root repeat its body for readers without a
 * note parser (trust only what the signature covers).
 */
export const LedgerCheckpointed = z.object({
  origin: z.string().min(1),
  size: z.number().int().nonnegative(),
  root: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 SHA-256 hash'),
  checkpoint: z.string().min(1),
});
export type LedgerCheckpointed = z.infer<typeof LedgerCheckpointed>;
