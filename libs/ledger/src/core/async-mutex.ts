/**
 * A FIFO lock for async code in one process. SQLite serialises writers across processes, but a
 * connection is shared by every request of its process: an append issued while another request's
 * unit of work is open would silently join that transaction, so in-process writers queue here.
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves with the release function once every earlier holder has released. */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => held);
    await previous;
    return release;
  }
}
