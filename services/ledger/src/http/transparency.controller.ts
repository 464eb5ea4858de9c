import { Controller, Get, Header, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { packLines, signCheckpoint, TreeIntegrityError, type EventStore } from '@peil/ledger';
import { QueryParams, type QueryValues } from '@peil/platform/http';
import { EVENT_STORE } from '@peil/platform/nest';
import type { Response } from 'express';
import { TreeHost } from '../tree/tree.host';
import { badQuery, optionalNonNegative, requiredNonNegative } from './query';

/**
 * The transparency log over the ledger: signed checkpoints in the C2SP formats, RFC 9162 proofs and
 * the audit pack. Checkpoints, keys and proofs hold no personal data (hashes only): every role may
 * read them, so a donor can run a witness. The pack carries events (ciphertext for personal data):
 * auditors and admins only.
 */
@Controller('v1/ledger')
export class TransparencyController {
  constructor(
    private readonly host: TreeHost,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get('checkpoint')
  @Header('content-type', 'text/plain; charset=utf-8')
  @Header('cache-control', 'no-store')
  async checkpoint(@QueryParams(['size']) { size: sizeQuery }: QueryValues): Promise<string> {
    const current = await this.current();
    const size = optionalNonNegative(sizeQuery, 'size') ?? current;
    this.within(size, current, 'size');
    const { origin, signer } = this.host.identity;
    return signCheckpoint({ origin, size, root: this.host.tree.root(size) }, signer);
  }

  @Get('checkpoint/key')
  @Header('content-type', 'text/plain; charset=utf-8')
  key(): string {
    return `${this.host.identity.verifierKey}\n`;
  }

  @Get('proofs/inclusion')
  async inclusion(@QueryParams(['index', 'size']) { index: indexQuery, size: sizeQuery }: QueryValues) {
    const index = requiredNonNegative(indexQuery, 'index');
    const size = requiredNonNegative(sizeQuery, 'size');
    const current = await this.current();
    this.within(size, current, 'size');
    if (index >= size) throw badQuery('index', `index must be below size (${size})`, 'beyond_tree');
    const tree = this.host.tree;
    return { index, size, leafHash: tree.leafHash(index).toString('hex'), proof: tree.inclusionProof(index, size).map((h) => h.toString('hex')) };
  }

  @Get('proofs/consistency')
  async consistency(@QueryParams(['from', 'to']) { from: fromQuery, to: toQuery }: QueryValues) {
    const from = requiredNonNegative(fromQuery, 'from');
    const to = requiredNonNegative(toQuery, 'to');
    const current = await this.current();
    this.within(to, current, 'to');
    if (from > to) throw badQuery('from', `from must not exceed to (${to})`);
    return { from, to, proof: this.host.tree.consistencyProof(from, to).map((h) => h.toString('hex')) };
  }

  /** The audit pack as NDJSON, streamed with back-pressure (a large ledger is never held in memory). */
  @Get('export')
  async export(@Res() res: Response, @QueryParams(['size']) { size: sizeQuery }: QueryValues): Promise<void> {
    const requested = optionalNonNegative(sizeQuery, 'size');
    const current = await this.current();
    if (requested !== undefined) this.within(requested, current, 'size');
    const { origin, signer } = this.host.identity;
    res.status(200).setHeader('content-type', 'application/x-ndjson; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="ledger-pack-${requested ?? current}.ndjson"`);
    try {
      for await (const chunk of packLines({ store: this.store, tree: this.host.tree, origin, signer }, requested ?? current)) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
        if (res.destroyed) return;
      }
      res.end();
    } catch (err) {
      // Headers are gone: cut the stream, so the pack is visibly incomplete (its verification fails).
      res.destroy(err as Error);
    }
  }

  private async current(): Promise<number> {
    try {
      return await this.host.current();
    } catch (err) {
      if (err instanceof TreeIntegrityError) {
        throw new ServiceUnavailableException({ error: { code: 'tree_integrity_fault', message: err.message } });
      }
      throw err;
    }
  }

  private within(size: number, current: number, path: string): void {
    if (size > current) throw badQuery(path, `${path} ${size} is beyond the tree (size ${current})`, 'beyond_tree');
  }
}
