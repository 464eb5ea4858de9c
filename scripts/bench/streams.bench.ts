import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { householdStreamId, participationStreamId } from '@peil/contracts';
import { SqliteEventStore, type NewEvent } from '@peil/ledger';
import { ManualClock, type Principal } from '@peil/platform';
import { storeTailFeeds } from '@peil/projections';
import { countingReads } from '@peil/testing';
import type { GrantClient } from '../../services/grant/src';
import { SessionExpenditures } from '../../services/training/src/application/session-expenditures';
import { TrainingSubmissions } from '../../services/training/src/application/training.handlers';
import { TrainingReads } from '../../services/training/src/application/training-reads';
import { TrainingController } from '../../services/training/src/http/training.controller';
import { type BenchContext, type BenchRow, type BenchSection, msSince, percentile } from './harness';
import { TARGETS } from './targets';

const ON = '2026-03-02T09:00:00.000Z';
const principal = { role: 'ngo', name: 'bench', requestId: '' } as Principal;

const stored = (type: string, data: NewEvent['data']): NewEvent => {
  const eventId = randomUUID();
  return { eventId, type, schemaVersion: 1, occurredAt: ON, recordedAt: ON, source: 'bench', actor: 'bench', correlationId: eventId, causationId: null, data, contentDigest: eventId };
};
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

/**
 * One household with 50,000 coaching visits in its participation stream, then the training service's
 * own code (submission pipeline, reads, controller) over it: one more visit, and one read of the
 * household, each timed alone. With the stream kept folded both cost the new events, not the stream.
 */
export const streamsBench: BenchSection = {
  name: 'streams',
  title: 'Long stream: one more event and one read after 50,000 events in one stream (training)',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const store = new SqliteEventStore(join(ctx.dir, 'streams.sqlite'));
    try {
      const length = ctx.scale(50_000);
      store.appendSync(householdStreamId('H1'), [stored('HouseholdEnrolled', { householdId: 'H1', essnId: 'E1', governorate: 'North', district: 'Tripoli', sdcId: 'SDC-1', participant: {} })], 'no_stream');
      for (let i = 0; i < length; i += 1_000) {
        const batch = Array.from({ length: Math.min(1_000, length - i) }, () => stored('CoachingVisitRecorded', { visitId: randomUUID(), householdId: 'H1' }));
        store.appendSync(participationStreamId('H1'), batch, i === 0 ? 'no_stream' : i - 1);
      }
      const reads = countingReads(store);
      const trainingReads = new TrainingReads(reads.store);
      // Coaching visits never reach the grant service.
      const submissions = new TrainingSubmissions(reads.store, new ManualClock(new Date(ON)), Buffer.alloc(32, 3), 60_000, trainingReads, new SessionExpenditures({} as GrantClient), storeTailFeeds(reads.store));
      const controller = new TrainingController(submissions, trainingReads);
      const visit = () => ({ eventId: randomUUID(), type: 'CoachingVisitRecorded', occurredAt: ON, data: { visitId: randomUUID(), householdId: 'H1' } });

      // The first decision after a start folds the stream once (paged, yielding between pages).
      let t = process.hrtime.bigint();
      const [first] = await submissions.processor.processBatch([visit()], principal);
      const coldMs = msSince(t);
      if (first?.status !== 'accepted') throw new Error(`bench visit not accepted: ${JSON.stringify(first)}`);

      const rounds = ctx.scale(200);
      const visitMs: number[] = [];
      const readMs: number[] = [];
      let visitEvents = 0;
      let readEvents = 0;
      for (let i = 0; i < rounds; i++) {
        reads.reset();
        t = process.hrtime.bigint();
        const [result] = await submissions.processor.processBatch([visit()], principal);
        visitMs.push(msSince(t));
        visitEvents += reads.streamEvents;
        if (result?.status !== 'accepted') throw new Error(`bench visit not accepted: ${JSON.stringify(result)}`);
        reads.reset();
        t = process.hrtime.bigint();
        const household = await controller.household('H1');
        readMs.push(msSince(t));
        readEvents += reads.streamEvents;
        if (household.coachingVisits !== length + i + 2) throw new Error(`bench read ${household.coachingVisits} visits, expected ${length + i + 2}`);
      }
      visitMs.sort((a, b) => a - b);
      readMs.sort((a, b) => a - b);
      const streamLabel = `${length.toLocaleString('en-US')}-event stream`;
      const row = (metric: string, ms: number[], p: number, eventsRead: number): BenchRow => ({
        metric: `${streamLabel}: ${metric} p${p}`,
        value: percentile(ms, p),
        unit: 'ms',
        better: 'lower',
        target: TARGETS.longStreamOpMs,
        note: `${rounds} rounds; ${(eventsRead / rounds).toFixed(1)} events read per op; p50 ${fmt(percentile(ms, 50))} ms, p99 ${fmt(percentile(ms, 99))} ms`,
      });
      return [
        row('one more visit (POST pipeline, fsync)', visitMs, 50, visitEvents),
        row('one more visit (POST pipeline, fsync)', visitMs, 99, visitEvents),
        row('read household (GET)', readMs, 50, readEvents),
        row('read household (GET)', readMs, 99, readEvents),
        { metric: `${streamLabel}: first decision after start (cold fold)`, value: coldMs, unit: 'ms', better: 'lower', note: 'once per stream per process; paged, the event loop runs between pages' },
      ];
    } finally {
      await store.close();
    }
  },
};
