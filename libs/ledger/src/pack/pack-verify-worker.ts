import { parentPort, workerData } from 'node:worker_threads';
import { checkPackFileRange } from './pack-ranges';

/** One byte range of a pack verified in parallel (verify-pack-file.ts): whole lines, [start, end). */
export interface PackWorkerData {
  file: string;
  start: number;
  end: number;
}

const { file, start, end } = workerData as PackWorkerData;
const report = checkPackFileRange(file, start, end);
// The leaves are moved, not copied: a range of 500,000 events has 16 MB of them.
parentPort!.postMessage(report, [report.leaves.buffer as ArrayBuffer]);
