import { JsonLogger } from './json-logger';
import { withRequestId } from './request-context';

describe('JsonLogger', () => {
  const capture = (levels: Parameters<typeof makeLogger>[0] = ['log', 'warn', 'error']) => makeLogger(levels);
  function makeLogger(levels: Array<'log' | 'warn' | 'error' | 'debug' | 'verbose' | 'fatal'>) {
    const lines: string[] = [];
    return { logger: new JsonLogger('enrolment', levels, (l) => lines.push(l)), lines };
  }

  it('writes one JSON object per line with time, service, level, context and message, and no colour codes', () => {
    const { logger, lines } = capture();
    logger.log('listening on 127.0.0.1:18081', 'enrolment');
    logger.warn('slow', 'projector');
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      expect(l.endsWith('\n')).toBe(true);
      expect(l.slice(0, -1)).not.toContain('\n');
      expect(l).not.toMatch(/\u001b\[/);
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({ service: 'enrolment', level: 'info', context: 'enrolment', msg: 'listening on 127.0.0.1:18081' });
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'warn', context: 'projector' });
    expect(Date.parse(JSON.parse(lines[0]!).time)).not.toBeNaN();
  });

  it('adds the request id of the request being served, and only then', async () => {
    const { logger, lines } = capture();
    await withRequestId('req-42', async () => {
      await Promise.resolve();
      logger.log('inside');
    });
    logger.log('outside');
    expect(JSON.parse(lines[0]!).requestId).toBe('req-42');
    expect(JSON.parse(lines[1]!).requestId).toBeUndefined();
  });

  it('keeps a multi-line stack inside one line, and drops levels not enabled', () => {
    const { logger, lines } = capture(['error']);
    logger.log('not shown');
    logger.error('failed', 'Error: boom\n    at x (y.js:1:1)', 'submissions');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', context: 'submissions', msg: 'failed', stack: 'Error: boom\n    at x (y.js:1:1)' });
  });

  it('writes structured records with their fields beside the message', () => {
    const { logger, lines } = capture();
    logger.record('log', 'access', 'request', { method: 'GET', status: 200 });
    expect(JSON.parse(lines[0]!)).toMatchObject({ context: 'access', msg: 'request', method: 'GET', status: 200, level: 'info' });
  });
});
