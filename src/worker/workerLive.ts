/**
 * Worker side of the live loop when the camera's frames come straight to the worker: the page
 * transfers a `MediaStreamTrackProcessor`'s readable stream (liveLoop.ts), and this module reads
 * it here. Why: with the page handing out frames, each result had to reach the page's main thread
 * (busy with React and the views) before the next frame could leave it, and the worker idled for
 * that round trip on every frame (issue #16). Here the worker starts the next frame as soon as
 * the last one is done.
 *
 * The same rules as the page loop: every frame is read as it arrives so the track never stalls;
 * only the newest waits (a newer one closes it); at most one frame is being processed; when a run
 * ends, the frames that arrived during it are let in first, so the next run takes the newest and
 * never one it has already missed.
 */

export interface WorkerLiveFrame {
  frame: VideoFrame;
  /** performance.now() in this worker when the frame was read. */
  arrivedAt: number;
  /** How long the worker had no frame to run before this one (ms); undefined for the first. */
  idleMs?: number;
}

export interface WorkerLiveHandle {
  stop(): void;
  /** Resolves when reading has ended (stopped, or the track ended) and the last run is done. */
  readonly done: Promise<void>;
}

/**
 * Let the tasks already queued (frames read during a synchronous run) go first. A message, not
 * setTimeout(0): chained timers are clamped to 4 ms after a few levels of nesting.
 */
function yieldToQueuedTasks(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}

/**
 * Read `readable` and hand the newest frame to `run` whenever it is free. `run` owns the frame it
 * is given (it must close it). Errors from `run` are its own to report; the loop goes on.
 */
export function runWorkerLive(readable: ReadableStream<VideoFrame>, run: (f: WorkerLiveFrame) => Promise<void>): WorkerLiveHandle {
  const reader = readable.getReader();
  let waiting: WorkerLiveFrame | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  let lastEnd: number | undefined;
  let readingDone!: () => void;
  const readEnded = new Promise<void>((resolve) => (readingDone = resolve));

  const kick = (): void => {
    if (stopped || running || !waiting) return;
    const next = { ...waiting, idleMs: lastEnd === undefined ? undefined : performance.now() - lastEnd };
    waiting = undefined;
    running = run(next)
      .catch(() => undefined)
      .then(() => {
        lastEnd = performance.now();
      })
      .then(yieldToQueuedTasks)
      .finally(() => {
        running = undefined;
        kick();
      });
  };

  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || !value) break;
        if (stopped) {
          value.close();
          break;
        }
        waiting?.frame.close();
        waiting = { frame: value, arrivedAt: performance.now() };
        kick();
      }
    } catch {
      // The track ended or the stream was cancelled: no more frames.
    } finally {
      readingDone();
    }
  })();

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    waiting?.frame.close();
    waiting = undefined;
    void reader.cancel().catch(() => undefined);
  };

  return {
    stop,
    done: readEnded.then(async () => {
      stop();
      await running;
    }),
  };
}
