import { Controller, Get, Inject } from '@nestjs/common';
import type { EventStore } from '@peil/ledger';
import { Public } from '../auth/roles.guard';
import { EVENT_STORE, SERVICE_NAME } from './tokens';

/** Liveness and readiness of one service, polled by the gateway's /v1/health. */
@Controller('internal/health')
export class HealthController {
  constructor(
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Public()
  @Get()
  async health(): Promise<{ service: string; ok: boolean; ledgerHead: number | null }> {
    // Reading the head proves the ledger file is open and readable, not just that the process is up.
    return { service: this.service, ok: true, ledgerHead: await this.store.headPosition() };
  }
}
