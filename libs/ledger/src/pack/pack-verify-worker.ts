import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { checkPackLines, fileLines } from './pack-ranges';

/** One byte range of a pack verified in parallel (verify-pack-file.ts): whole lines, [start, end). */
export interface PackWorkerData {
  file: string;
  start: number;
  end: number;
}

const { file, start, end } = workerData as PackWorkerData;
const fd = openSync(file, 'r');
try {
  const report = checkPackLines(fileLines(fd, start, end));
  // The leaves are moved, not copied: a range of 500,000 events has 16 MB of them.
  parentPort!.postMessage(report, [report.leaves.buffer as ArrayBuffer]);
} finally {
  closeSync(fd);
}
