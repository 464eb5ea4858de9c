import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Listens on 127.0.0.1:port; rejects if the port is taken. For stand-ins of a service in int specs. */
export function listenOnLoopback(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** Closes a stand-in at once: its open connections too (close() alone waits for idle keep-alive ones). */
export async function closeNow(server: Server | null): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/**
 * A stand-in for a service on the loopback port the code under test expects: `handle` answers
 * each request; `stop` and `start` again are a service restart on the same port.
 */
export abstract class LoopbackStandIn {
  private server: Server | null = null;

  constructor(readonly port: number) {}

  protected abstract handle(req: IncomingMessage, res: ServerResponse): void;

  /** Adjusts the server before it listens (keep-alive, timeouts). */
  protected configure(_server: Server): void {}

  async start(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    this.configure(server);
    await listenOnLoopback(server, this.port);
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    await closeNow(server);
  }
}
