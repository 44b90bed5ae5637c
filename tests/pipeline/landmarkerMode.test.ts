// MediaPipe rebuilds its whole graph when the running mode changes (setOptions), so the landmarker
// is built and warmed in the mode its frames will use: a batch worker in IMAGE mode with the pack's
// face count, the live view in VIDEO mode tracking one face. These tests stand in for MediaPipe and
// record which calls the runner makes.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const log: string[] = [];
const createdWith: { runningMode: string; numFaces: number }[] = [];
const empty = { faceLandmarks: [], faceBlendshapes: [], facialTransformationMatrixes: [] };

vi.mock('@mediapipe/tasks-vision', () => ({
  FilesetResolver: { forVisionTasks: vi.fn(async () => ({ wasmLoaderPath: 'loader.js', wasmBinaryPath: 'x.wasm' })) },
  FaceLandmarker: {
    createFromOptions: vi.fn(async (_fileset: unknown, o: { runningMode: string; numFaces: number }) => {
      createdWith.push({ runningMode: o.runningMode, numFaces: o.numFaces });
      return {
        detect: () => (log.push('detect'), empty),
        detectForVideo: () => (log.push('detectForVideo'), empty),
        setOptions: async (s: { runningMode: string; numFaces: number }) => void log.push(`setOptions ${s.runningMode} ${s.numFaces}`),
        close: () => void log.push('close'),
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
    expect(log).toEqual(['detect', 'detect', 'detect']);
  });

  it("'image': a rebuild after a failure comes back in IMAGE mode", async () => {
    const runner = await FaceLandmarkerRunner.create({ ...options, initialMode: 'image' });
    await runner.recover();
    await runner.detect(image, 'image', 0);
    expect(createdWith.map((c) => c.runningMode)).toEqual(['IMAGE', 'IMAGE']);
    expect(log.filter((c) => c.startsWith('setOptions'))).toEqual([]);
  });

  it('default (live view): VIDEO mode tracking one face; a still image switches the mode once', async () => {
    const runner = await FaceLandmarkerRunner.create(options);
    expect(createdWith).toEqual([{ runningMode: 'VIDEO', numFaces: 1 }]);
    await runner.warmUp();
    await runner.detect(image, 'video', 10);
    expect(log).toEqual(['detectForVideo', 'detectForVideo']);
    log.length = 0;
    await runner.detect(image, 'image', 0);
    await runner.detect(image, 'image', 0);
    expect(log.filter((c) => c.startsWith('setOptions'))).toEqual(['setOptions IMAGE 4']);
  });
});
