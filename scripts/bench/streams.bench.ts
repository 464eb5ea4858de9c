import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CoachingVisitRecorded, TRAINING_EVENT_SCHEMAS, householdStatusView, householdStreamId, participationStreamId } from '@peil/contracts';
import { SqliteEventStore } from '@peil/ledger';
import { type Principal } from '@peil/platform/auth';
import { ManualClock } from '@peil/platform/clock';
import { DeciderRuntime, PublishedReader } from '@peil/platform/streams';
import { SubmissionProcessor } from '@peil/platform/submissions';
import { countingReads, storedEvent as stored, visitsDecider } from '@peil/testing';
import { type BenchContext, type BenchRow, type BenchSection, msSince, percentile } from './harness';
import { TARGETS } from './targets';

const ON = '2026-03-02T09:00:00.000Z';
const principal = { role: 'ngo', name: 'bench', requestId: '' } as Principal;

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

/**
 * One household with 50,000 coaching visits in its participation stream, then the stream layer every
 * context decides and reads through (the submission pipeline, a typed stream fold, the household's
 * published status view, the decider runtime) over it: one more visit, and one read of the household, each timed alone.
 * With the stream kept folded both cost the new events, not the stream. The visit rule here is the
 * training context's (an active household, a visit id once); the bench uses the libraries only.
 */
export const streamsBench: BenchSection = {
  name: 'streams',
  title: 'Long stream: one more event and one read after 50,000 events in one stream (stream layer)',
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
      const households = new PublishedReader(reads.store, householdStatusView);
      const visits = new DeciderRuntime(reads.store, {
        streamId: (v) => participationStreamId(v.householdId),
        decider: visitsDecider(),
        events: TRAINING_EVENT_SCHEMAS,
        inputs: async (v) => ({ household: await households.read(v.householdId) }),
      });
      const submissions = new SubmissionProcessor(reads.store, { CoachingVisitRecorded: visits.handler(CoachingVisitRecorded) }, Buffer.alloc(32, 3), new ManualClock(new Date(ON)));
      const household = async (householdId: string) => ({
        status: (await households.read(householdId)).status,
        coachingVisits: (await visits.aggregate(participationStreamId(householdId))).state.size,
      });
      const visit = () => ({ eventId: randomUUID(), type: 'CoachingVisitRecorded', occurredAt: ON, data: { visitId: randomUUID(), householdId: 'H1' } });

      // The first decision after a start folds the stream once (paged, yielding between pages).
      let t = process.hrtime.bigint();
      const [first] = await submissions.processBatch([visit()], principal);
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
        const [result] = await submissions.processBatch([visit()], principal);
        visitMs.push(msSince(t));
        visitEvents += reads.streamEvents;
        if (result?.status !== 'accepted') throw new Error(`bench visit not accepted: ${JSON.stringify(result)}`);
        reads.reset();
        t = process.hrtime.bigint();
        const read = await household('H1');
        readMs.push(msSince(t));
        readEvents += reads.streamEvents;
        if (read.coachingVisits !== length + i + 2) throw new Error(`bench read ${read.coachingVisits} visits, expected ${length + i + 2}`);
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
