/**
 * Runs what is submitted in batches, one batch at a time, in arrival order: what arrives while a
 * batch runs waits and goes in the next (at most `max`). A lone request runs at once, alone; a burst
 * becomes a few large batches instead of many one-by-one transactions. Each caller gets its own item's
 * outcome; a batch that throws fails every caller in it.
 */
export class Batcher<I, O> {
  private queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly max = 200,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain() {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.max);
        try {
          const out = await this.run(batch.map((b) => b.item));
          for (const [i, b] of batch.entries()) {
            if (i < out.length) b.resolve(out[i] as O);
            else b.reject(new Error("the batch gave no outcome for this item"));
          }
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
