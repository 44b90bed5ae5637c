/**
 * Coalesce bursts of requests to a slow worker call (e.g. the 3D head on every slider move):
 * at most one run at a time, and calls made during a run collapse into one more run after it,
 * which reads the state as it is then (the latest wins). Without this, dragging a slider queues
 * dozens of stale evaluations behind each other.
 */
export function latestWins(task: () => Promise<void>): () => void {
  let running = false;
  let dirty = false;
  const request = (): void => {
    if (running) {
      dirty = true;
      return;
    }
    running = true;
    void task()
      .catch(() => undefined)
      .finally(() => {
        running = false;
        if (dirty) {
          dirty = false;
          request();
        }
      });
  };
  return request;
}
