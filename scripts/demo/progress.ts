import type { EventResult } from './client';
import type { Submission } from './timeline';

const WIDTH = 30;
const n = (v: number) => v.toLocaleString('en-US');

/**
 * On a terminal, one bar redrawn in place; otherwise (a CI log, a pipe) one plain line per pilot
 * month. Both on stderr, so that stdout holds only the summary.
 */
export class Progress {
  private posted = 0;
  private startedAt = Date.now();
  private month: { label: string; events: number; accepted: number; duplicate: number; startedAt: number; endedAt: number } | null = null;

  constructor(private readonly io: { err(text: string): void; isTty: boolean }, private readonly total: number, private readonly enabled: boolean) {}

  advance(submission: Submission, answers: EventResult[]): void {
    // A month's line is printed when the next month's first answer arrives; `posted` then still counts up to that month.
    if (this.enabled && !this.io.isTty && this.month && this.month.label !== submission.month) this.line();
    this.posted += answers.length;
    if (!this.enabled) return;
    if (this.io.isTty) {
      const filled = Math.round((this.posted / this.total) * WIDTH);
      const percent = String(Math.floor((this.posted / this.total) * 100)).padStart(3);
      this.io.err(`\r  [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${percent}%  ${n(this.posted)}/${n(this.total)} events  ${submission.month} ${submission.context.padEnd(14)}`);
      return;
    }
    this.month ??= { label: submission.month, events: 0, accepted: 0, duplicate: 0, startedAt: this.startedAt, endedAt: this.startedAt };
    this.month.endedAt = Date.now();
    this.month.events += answers.length;
    this.month.accepted += answers.filter((a) => a.status === 'accepted').length;
    this.month.duplicate += answers.filter((a) => a.status === 'duplicate').length;
  }

  done(): void {
    if (!this.enabled) return;
    if (this.io.isTty) this.io.err('\n');
    else if (this.month) this.line();
  }

  private line(): void {
    const m = this.month!;
    const seconds = ((m.endedAt - m.startedAt) / 1000).toFixed(1);
    this.io.err(`${m.label}: ${n(m.events)} events in ${seconds} s (${n(m.accepted)} accepted, ${n(m.duplicate)} duplicate); ${n(this.posted)} of ${n(this.total)}\n`);
    this.startedAt = m.endedAt;
    this.month = null;
  }
}
