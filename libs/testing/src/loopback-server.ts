import type { Server } from 'node:http';

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
