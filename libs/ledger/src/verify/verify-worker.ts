import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteReader } from '../sqlite/open-sqlite-file';
import { readStatements } from '../sqlite/sqlite-rows';
import { verifyRange } from './range-verify';

/** One range of a parallel verification (parallel-verify.ts), on its own read-only connection. */
export interface VerifyWorkerData {
  file: string;
  after: number;
  through: number;
  pageSize: number;
}

const { file, after, through, pageSize } = workerData as VerifyWorkerData;
const db = openSqliteReader(file);
try {
  const range = readStatements(db).range;
  parentPort!.postMessage(verifyRange((from, to) => range.all(from, to), after, through, pageSize));
} finally {
  db.close();
}
