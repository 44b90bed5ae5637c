// MediaPipe rebuilds its whole graph when the running mode changes (setOptions), so the landmarker
// is built and warmed in the mode its frames will use: a batch worker in IMAGE mode with the pack's
// face count, the live view in VIDEO mode tracking one face. A frame of the other mode (the Teach
// tab's Freeze on the live worker) gets a landmarker of its own, built once, and the mode is never
// switched. These tests stand in for MediaPipe and record which calls the runner makes, on which
// landmarker (#1 the first built).
import { beforeEach, describe, expect, it, vi } from 'vitest';

const log: string[] = [];
const createdWith: { runningMode: string; numFaces: number }[] = [];
const empty = { faceLandmarks: [], faceBlendshapes: [], facialTransformationMatrixes: [] };

vi.mock('@mediapipe/tasks-vision', () => ({
  FilesetResolver: { forVisionTasks: vi.fn(async () => ({ wasmLoaderPath: 'loader.js', wasmBinaryPath: 'x.wasm' })) },
  FaceLandmarker: {
    createFromOptions: vi.fn(async (_fileset: unknown, o: { runningMode: string; numFaces: number }) => {
      createdWith.push({ runningMode: o.runningMode, numFaces: o.numFaces });
      const id = `#${createdWith.length}`;
      // A build takes a while: frames that arrive meanwhile must not start a second one.
      await new Promise((r) => setTimeout(r, 5));
      return {
        detect: () => (log.push(`detect ${id}`), empty),
        detectForVideo: () => (log.push(`detectForVideo ${id}`), empty),
        setOptions: async (s: { runningMode: string; numFaces: number }) => void log.push(`setOptions ${id} ${s.runningMode} ${s.numFaces}`),
        close: () => void log.push(`close ${id}`),
      };
    }),
  },
}));

class FakeCanvas {
  constructor(readonly width: number, readonly height: number) {}
  getContext() {
    return { fillRect() {}, setTransform() {}, drawImage() {} };
  }
}

const { FaceLandmarkerRunner } = await import('../../src/core/inference/faceLandmarker');
const options = { modelBytes: new Uint8Array(4), wasmDir: '/mediapipe/', numFaces: 4 };
const image = new FakeCanvas(48, 48) as unknown as OffscreenCanvas;

beforeEach(() => {
  log.length = 0;
  createdWith.length = 0;
  vi.stubGlobal('OffscreenCanvas', FakeCanvas);
});

describe('FaceLandmarkerRunner initial mode', () => {
  it("'image': built in IMAGE mode with the pack's face count, warmed with a still detection, and never switched", async () => {
    const runner = await FaceLandmarkerRunner.create({ ...options, initialMode: 'image' });
    expect(createdWith).toEqual([{ runningMode: 'IMAGE', numFaces: 4 }]);
    await runner.warmUp();
    await runner.detect(image, 'image', 0);
    // No face: the padded retry is a second still detection, still without a mode switch.
    expect(log).toEqual(['detect #1', 'detect #1', 'detect #1']);
  });

  it("'image': a rebuild after a failure comes back in IMAGE mode", async () => {
    const runner = await FaceLandmarkerRunner.create({ ...options, initialMode: 'image' });
    await runner.recover();
    await runner.detect(image, 'image', 0);
    expect(createdWith.map((c) => c.runningMode)).toEqual(['IMAGE', 'IMAGE']);
    expect(log.filter((c) => c.startsWith('setOptions'))).toEqual([]);
  });

  it('default (live view): VIDEO mode tracking one face; stills get an IMAGE landmarker of their own, built once', async () => {
    const runner = await FaceLandmarkerRunner.create(options);
    expect(createdWith).toEqual([{ runningMode: 'VIDEO', numFaces: 1 }]);
    await runner.warmUp();
    await runner.detect(image, 'video', 10);
    expect(log).toEqual(['detectForVideo #1', 'detectForVideo #1']);
    log.length = 0;
    // Freeze, unfreeze, freeze again: no mode switch anywhere, one more build in all.
    await runner.detect(image, 'image', 0);
    await runner.detect(image, 'video', 20);
    await runner.detect(image, 'image', 0);
    await runner.detect(image, 'video', 30);
    expect(createdWith).toEqual([{ runningMode: 'VIDEO', numFaces: 1 }, { runningMode: 'IMAGE', numFaces: 4 }]);
    expect(log.filter((c) => c.startsWith('setOptions'))).toEqual([]);
    // Each still: the direct try and the padded retry (no face here), on the IMAGE landmarker.
    expect(log).toEqual(['detect #2', 'detect #2', 'detectForVideo #1', 'detect #2', 'detect #2', 'detectForVideo #1']);
  });

  it('stills that arrive while the IMAGE landmarker is being built share the one build', async () => {
    const runner = await FaceLandmarkerRunner.create(options);
    await Promise.all([runner.detect(image, 'image', 0), runner.detect(image, 'image', 0)]);
    expect(createdWith.map((c) => c.runningMode)).toEqual(['VIDEO', 'IMAGE']);
  });

  it('recover() closes both landmarkers and rebuilds only the initial one; the other comes back on its next frame', async () => {
    const runner = await FaceLandmarkerRunner.create(options);
    await runner.detect(image, 'image', 0);
    log.length = 0;
    await runner.recover();
    expect(log.sort()).toEqual(['close #1', 'close #2']);
    expect(createdWith.map((c) => c.runningMode)).toEqual(['VIDEO', 'IMAGE', 'VIDEO']);
    log.length = 0;
    await runner.detect(image, 'video', 40);
    await runner.detect(image, 'image', 0);
    expect(createdWith.map((c) => c.runningMode)).toEqual(['VIDEO', 'IMAGE', 'VIDEO', 'IMAGE']);
    expect(log).toEqual(['detectForVideo #3', 'detect #4', 'detect #4']);
    log.length = 0;
    runner.close();
    expect(log.sort()).toEqual(['close #3', 'close #4']);
  });

  it('release: the still-image landmarker of a live worker is closed and built again by the next still; the initial one stays', async () => {
    const runner = await FaceLandmarkerRunner.create(options);
    await runner.warmUp('image');
    expect(createdWith.map((c) => c.runningMode)).toEqual(['VIDEO', 'IMAGE']);
    log.length = 0;
    runner.release('image');
    runner.release('video'); // the initial mode's: kept
    expect(log).toEqual(['close #2']);
    await runner.detect(image, 'video', 50);
    await runner.detect(image, 'image', 0);
    expect(createdWith.map((c) => c.runningMode)).toEqual(['VIDEO', 'IMAGE', 'IMAGE']);
    expect(log).toEqual(['close #2', 'detectForVideo #1', 'detect #3', 'detect #3']);
  });
});
