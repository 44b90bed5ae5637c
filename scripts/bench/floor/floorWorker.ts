/**
 * The start-up floor's worker (scripts/bench/startupFloor.ts): the two runtimes the app's first
 * prediction needs and nothing else — fetch the models, create MediaPipe's face landmarker (CPU
 * delegate, as the app) and detect once on a 640×480 photo, open fer2d in onnxruntime-web's plain
 * WASM runtime (1 thread) and run it once. Marks are ms after the page's navigation.
 */
import { FaceLandmarker, FilesetResolver } from '@mediapipe/tasks-vision';
import * as ort from 'onnxruntime-web/wasm';

const since = () => performance.timeOrigin + performance.now();

async function landmarker(mediapipe: string, marks: Record<string, number>): Promise<number> {
  const [task, photo] = await Promise.all([
    fetch('/models/third_party/face_landmarker.task').then((r) => r.arrayBuffer()),
    fetch('/floor/face.jpg').then((r) => r.blob()).then((b) => createImageBitmap(b, { resizeWidth: 640, resizeHeight: 480 })),
  ]);
  const c = new OffscreenCanvas(640, 480);
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(photo, 0, 0);
  const fileset = await FilesetResolver.forVisionTasks(mediapipe, true);
  const lm = await FaceLandmarker.createFromOptions(fileset, {
    baseOptions: { modelAssetBuffer: new Uint8Array(task), delegate: 'CPU' },
    runningMode: 'VIDEO',
    numFaces: 1,
    outputFaceBlendshapes: true,
    outputFacialTransformationMatrixes: true,
  });
  marks.landmarkerCreated = since();
  const r = lm.detectForVideo(c, 1);
  marks.landmarkerFirst = since();
  return r.faceLandmarks.length;
}

async function session(ortWasm: string, marks: Record<string, number>): Promise<number> {
  const bytes = new Uint8Array(await (await fetch('/models/fer2d.onnx')).arrayBuffer());
  ort.env.wasm.wasmPaths = { wasm: ortWasm };
  ort.env.wasm.numThreads = 1;
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  marks.sessionOpen = since();
  const out = await s.run({ image: new ort.Tensor('float32', new Float32Array(48 * 48), [1, 1, 48, 48]) });
  marks.sessionFirst = since();
  return (out.logits.data as Float32Array).length;
}

self.onmessage = async ({ data }: MessageEvent<{ variant: string; ortWasm: string; mediapipe: string }>) => {
  const marks: Record<string, number> = { workerStart: since() };
  try {
    const v = data.variant;
    const [faces, logits] = await Promise.all([
      v === 'landmarker' || v === 'both' ? landmarker(data.mediapipe, marks) : undefined,
      v === 'ort' || v === 'both' ? session(data.ortWasm, marks) : undefined,
    ]);
    postMessage({ marks, faces, logits });
  } catch (e) {
    postMessage({ error: String((e as Error).stack ?? e) });
  }
};
