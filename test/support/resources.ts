/** Anything a test opens and must close: servers, clients, raw sockets. */
export interface Closable {
  close(): unknown;
}

/**
 * Collects what a test opens so `afterEach` can close it all, newest first (clients before the
 * server they talk to), even when the test failed half way.
 */
export class Resources {
  #open: Closable[] = [];

  /** Registers `resource` for closing and returns it. */
  track<T extends Closable>(resource: T): T {
    this.#open.push(resource);
    return resource;
  }

  /** Closes everything tracked, newest first; one failure does not stop the others. */
  async closeAll(): Promise<void> {
    const open = this.#open.reverse();
    this.#open = [];
    const failures: unknown[] = [];
    for (const resource of open) {
      try {
        await resource.close();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, 'Closing test resources failed');
  }
}
