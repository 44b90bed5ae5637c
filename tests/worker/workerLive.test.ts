import { describe, expect, it } from 'vitest';
import { runWorkerLive, type WorkerLiveFrame } from '../../src/worker/workerLive';

/** A stand-in for a VideoFrame: only `close()` matters to the loop. */
class FakeFrame {
  closed = false;
  constructor(readonly n: number) {}
  close(): void {
    this.closed = true;
  }
}

/** A camera stream the test pushes frames into, as MediaStreamTrackProcessor's readable would. */
function camera() {
  let controller!: ReadableStreamDefaultController<VideoFrame>;
  const readable = new ReadableStream<VideoFrame>({ start: (c) => (controller = c) }, { highWaterMark: 100 });
  return {
    readable,
    push: (f: FakeFrame) => controller.enqueue(f as unknown as VideoFrame),
    end: () => controller.close(),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await tick();
}

describe('runWorkerLive (the worker reads the camera itself)', () => {
  it('runs one frame at a time, takes the newest when free, and closes every frame it skips', async () => {
    const cam = camera();
    const ran: number[] = [];
    let finishRun!: () => void;
    let running = 0;
    let maxRunning = 0;
    const frames = Array.from({ length: 6 }, (_, i) => new FakeFrame(i));
    const handle = runWorkerLive(cam.readable, (f: WorkerLiveFrame) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      ran.push((f.frame as unknown as FakeFrame).n);
      return new Promise<void>((resolve) => {
        finishRun = () => {
          running--;
          f.frame.close();
          resolve();
        };
      });
    });
    cam.push(frames[0]);
    await settle();
    expect(ran).toEqual([0]);
    // Three frames arrive while frame 0 runs: only the newest may wait, the others are closed.
    cam.push(frames[1]);
    cam.push(frames[2]);
    cam.push(frames[3]);
    await settle();
    expect(ran).toEqual([0]);
    expect([frames[1].closed, frames[2].closed, frames[3].closed]).toEqual([true, true, false]);
    finishRun();
    await settle();
    expect(ran).toEqual([0, 3]);
    finishRun();
    await settle();
    // Nothing new arrived: the loop waits instead of re-running an old frame.
    expect(ran).toEqual([0, 3]);
    cam.push(frames[4]);
    await settle();
    expect(ran).toEqual([0, 3, 4]);
    expect(maxRunning).toBe(1);
    // Stop while frame 4 runs and frame 5 waits: the waiting frame is closed, never run.
    cam.push(frames[5]);
    await settle();
    handle.stop();
    expect(frames[5].closed).toBe(true);
    let ended = false;
    void handle.done.then(() => (ended = true));
    await settle();
    expect(ended).toBe(false); // frame 4 is still running
    finishRun();
    await settle();
    expect(ended).toBe(true);
    expect(ran).toEqual([0, 3, 4]);
    expect(frames.every((f) => f.closed)).toBe(true);
  });

  it('reports how long it had no frame before each one, and ends when the track ends', async () => {
    const cam = camera();
    const got: WorkerLiveFrame[] = [];
    const handle = runWorkerLive(cam.readable, async (f) => {
      got.push(f);
      f.frame.close();
    });
    cam.push(new FakeFrame(0));
    await settle();
    await new Promise((r) => setTimeout(r, 30));
    cam.push(new FakeFrame(1));
    await settle();
    expect(got.map((f) => (f.frame as unknown as FakeFrame).n)).toEqual([0, 1]);
    expect(got[0].idleMs).toBeUndefined();
    expect(got[1].idleMs).toBeGreaterThanOrEqual(25);
    cam.end();
    await expect(handle.done).resolves.toBeUndefined();
  });

  it('a failing run does not end the loop', async () => {
    const cam = camera();
    const ran: number[] = [];
    runWorkerLive(cam.readable, async (f) => {
      const n = (f.frame as unknown as FakeFrame).n;
      ran.push(n);
      f.frame.close();
      if (n === 0) throw new Error('landmarker failed');
    });
    cam.push(new FakeFrame(0));
    await settle();
    cam.push(new FakeFrame(1));
    await settle();
    expect(ran).toEqual([0, 1]);
  });
});
