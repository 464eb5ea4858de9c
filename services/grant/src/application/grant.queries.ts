import { Injectable } from '@nestjs/common';
import type { SignedGrant } from '../domain/grant.decider';
import { GrantRegistry } from './grant-registry';
import { GrantStreams } from './grant.streams';
import { budgetLineView, commitmentView, expenditureView, grantSummaryView, grantView, type BudgetLineView, type ExpenditureView } from './grant.views';

/**
 * Reads of the grant context, folded fresh from the grant streams (the same state decisions use),
 * so another service's pre-check sees every commitment and expenditure recorded before it asked.
 */
@Injectable()
export class GrantQueries {
  constructor(
    private readonly registry: GrantRegistry,
    private readonly grants: GrantStreams,
  ) {}

  async budgetLines(): Promise<BudgetLineView[]> {
    const out: BudgetLineView[] = [];
    for (const grantId of [...(await this.registry.current()).directory.grants]) {
      // Views are taken right after each load: a later load may move the shared fold forward.
      const grant = await this.signed(grantId);
      if (grant) for (const line of grant.lines.values()) out.push(budgetLineView(grant.grantId, line));
    }
    return out;
  }

  /** Expenditures in ledger order, of one line or of every line; null when the line does not exist. */
  async expenditures(budgetLine?: string): Promise<ExpenditureView[] | null> {
    const { directory } = await this.registry.current();
    const grantIds = budgetLine === undefined ? [...directory.grants] : [directory.lineOwners.get(budgetLine)];
    if (grantIds[0] === undefined && budgetLine !== undefined) return null;
    const out: ExpenditureView[] = [];
    for (const grantId of grantIds) {
      const grant = grantId === undefined ? undefined : await this.signed(grantId);
      if (!grant) continue;
      for (const e of grant.expenditures.values()) {
        if (budgetLine === undefined || e.budgetLine === budgetLine) out.push(expenditureView(grant.grantId, e));
      }
    }
    return out.sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  }

  async grantSummaries() {
    const out = [];
    for (const grantId of [...(await this.registry.current()).directory.grants]) {
      const grant = await this.signed(grantId);
      if (grant) out.push(grantSummaryView(grant));
    }
    return out;
  }

  async grant(grantId: string) {
    const grant = await this.signed(grantId);
    return grant ? grantView(grant) : null;
  }

  async commitment(commitmentId: string) {
    const { directory } = await this.registry.current();
    const grantId = directory.commitmentOwners.get(commitmentId);
    const grant = grantId === undefined ? undefined : await this.signed(grantId);
    const commitment = grant?.commitments.get(commitmentId);
    return grant && commitment ? commitmentView(grant.grantId, commitment) : null;
  }

  private async signed(grantId: string): Promise<SignedGrant | undefined> {
    const { grant } = await this.grants.load(grantId);
    return grant.status === 'signed' ? grant : undefined;
  }
}
