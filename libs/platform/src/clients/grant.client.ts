import type { Provider } from '@nestjs/common';
import { INTERNAL_TOKEN } from '../auth/roles.guard';
import { serviceUrl, type PlatformConfig, type ServiceName } from '../config/platform.config';
import { InternalCallError, InternalClient } from '../http/internal-client';
import { PLATFORM_CONFIG } from '../nest/tokens';
import type { SubmissionResult } from '../submissions/submission.schema';

export interface BudgetLineView {
  code: string;
  name: string;
  component: string;
  purpose?: string | null;
  allocationMinor: number;
  committedMinor: number;
  spentMinor: number;
  remainingMinor: number;
}

/**
 * The grant context's client for other contexts (plan commitments, delivery and training
 * expenditures), over its HTTP API: the grant service is the only writer of grant streams and the
 * only judge of "committed + spent ≤ allocation". A live answer, so a query over HTTP, not a view.
 */
export class GrantClient {
  constructor(private readonly http: InternalClient) {}

  async budgetLines(): Promise<BudgetLineView[]> {
    const body = await this.http.get<{ budgetLines: BudgetLineView[] } | BudgetLineView[]>('/v1/grant/budget-lines');
    return Array.isArray(body) ? body : body.budgetLines;
  }

  /** The first budget line whose purpose is `purpose`, in the order grants were signed. */
  async lineFor(purpose: string): Promise<BudgetLineView | undefined> {
    return (await this.budgetLines()).find((line) => line.purpose === purpose);
  }

  /** US cents a commitment still holds; 0 when it does not exist. */
  async commitmentOutstanding(commitmentId: string): Promise<number> {
    try {
      const c = await this.http.get<{ outstandingMinor: number }>(`/v1/grant/commitments/${encodeURIComponent(commitmentId)}`);
      return c.outstandingMinor;
    } catch (err) {
      if (err instanceof InternalCallError && err.status === 404) return 0;
      throw err;
    }
  }

  async submit(event: { eventId: string; type: string; occurredAt: string; data: Record<string, unknown> }, correlationId?: string): Promise<SubmissionResult> {
    const [result] = await this.http.submit('grant', [event], correlationId);
    if (!result) throw new Error('the grant service answered without a result');
    return result;
  }
}

/** Injection token of the GrantClient in the contexts that fund their work from a grant. */
export const GRANT_CLIENT = Symbol('GrantClient');

/** The GrantClient of service `caller`, calling the grant service with the internal token. */
export const grantClientProvider = (caller: ServiceName): Provider => ({
  provide: GRANT_CLIENT,
  inject: [PLATFORM_CONFIG, INTERNAL_TOKEN],
  useFactory: (config: PlatformConfig, token: string) => new GrantClient(new InternalClient(serviceUrl(config, 'grant'), token, caller)),
});
