/** Something that runs in the background of a node: it starts, and it stops (writing what it holds). */
export interface LifecyclePart {
  start?(): unknown;
  stop?(): unknown;
}

/**
 * The background work of a node, in one list: parts start in the order they were added and stop
 * in the reverse order, so a part stops before what it depends on (the services before the store
 * they write to).
 */
export class Lifecycle {
  private readonly parts: { name: string; part: LifecyclePart; started: boolean }[] = [];

  /** Adds a part; it starts with {@link start}. Parts added later stop earlier. */
  add(name: string, part: LifecyclePart): this {
    if (this.parts.some((p) => p.name === name)) throw new Error(`the lifecycle has a part named ${name} already`);
    this.parts.push({ name, part, started: false });
    return this;
  }

  /** Starts the parts not started yet, in order; with `names`, only those parts. */
  async start(names?: readonly string[]): Promise<void> {
    for (const p of this.parts) {
      if (p.started || (names !== undefined && !names.includes(p.name))) continue;
      p.started = true;
      await p.part.start?.();
    }
  }

  /**
   * Stops every part, started or not (stopping also writes what a part holds, such as pending
   * usage), last added first. A part that fails to stop does not keep the others running: they
   * stop, then the first failure is thrown.
   */
  async stop(): Promise<void> {
    let failure: { err: unknown } | undefined;
    for (const p of [...this.parts].reverse()) {
      p.started = false;
      try {
        await p.part.stop?.();
      } catch (err) {
        failure ??= { err };
      }
    }
    if (failure !== undefined) throw failure.err;
  }
}
