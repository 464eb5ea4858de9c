import { InternalCallError, type InternalClient, type SubmissionResult } from '@peil/platform';

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
 * only judge of "committed + spent ≤ allocation". Published here, by the context that owns the API.
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
