/**
 * Building a pipeline from a pack: load the files (packLoader), open the landmarker, choose the
 * EP and open every model on it (epPolicy), and list the expression branches. To add a branch,
 * implement branches/expressionBranch.ts and add it to `branches` below.
 */
import type { ExecutionProvider } from './types';
import type { PipelineOptions } from './pipelineTypes';
import { loadPack, type LoadedPack } from './packLoader';
import { canonicalMeshFromTask, type CanonicalMesh } from './mesh/canonicalMesh';
import type { FlameDecoder } from './flame/flameDecoder';
import { LandmarkerStage } from './inference/landmarkerStage';
import { configureOrtEnv } from './inference/ortSession';
import { EpGuard, openOnEp, pickFaster, resolveEp, type EpChoice, type EpStatusListener } from './inference/epPolicy';
import { timeImageModels } from './inference/epTiming';
import { FlameBranch } from './inference/flameBranch';
import { LogitHead } from './branches/logitHead';
import { Fer2dBranch } from './branches/fer2dBranch';
import { Head3dBranch } from './branches/head3dBranch';
import type { ExpressionBranch } from './branches/expressionBranch';
import { InferencePipeline } from './pipeline';
import { weights2d } from './fusion/fusionPolicy';
import { startupMark } from './startupMarks';

export async function openPipeline(options: PipelineOptions, onStatus?: EpStatusListener): Promise<InferencePipeline> {
  configureOrtEnv(options.assets, options.numThreads);
  // Start-up (issue #16): nothing waits for what it does not need. The landmarker needs the pack
  // but not the EP choice: asking for a WebGPU adapter took 0.1–0.4 s here (a software one), in
  // which the worker sat idle while the landmarker waited. Only the ONNX sessions need both. The
  // landmarker and the sessions each do one warm-up run on a blank input, so the first camera
  // frame does not pay for MediaPipe's first-call set-up (≈ 0.6–1.2 s here) or ORT's.
  // Not done, measured: initialising ORT's runtime at once with a one-node model. V8 compiles
  // wasm lazily, on first call, on this thread, so that only moved ORT's compile ahead of the
  // landmarker's (README "Benchmarks", start-up).
  const packReady = loadPack(options).then((p) => (startupMark('worker:pack-loaded'), p));
  const epReady = resolveEp(options.ep).then((c) => (startupMark('worker:ep-resolved'), c));
  const landmarkerReady = packReady.then(async (loaded) => {
    const stage = await LandmarkerStage.create({
      modelBytes: loaded.landmarker.bytes,
      wasmDir: options.assets.mediapipeWasmDir,
      numFaces: loaded.landmarker.model.numFaces,
      delegate: options.landmarkerDelegate ?? 'CPU',
      initialMode: options.frameMode ?? 'video',
    });
    startupMark('worker:landmarker-created');
    try {
      await stage.warmUp();
    } catch (e) {
      stage.close();
      throw e;
    }
    startupMark('worker:landmarker-warm');
    return stage;
  });
  let pack: LoadedPack, epChoice: EpChoice, flameDecoder: FlameDecoder | undefined, mesh: CanonicalMesh;
  try {
    [pack, epChoice] = await Promise.all([packReady, epReady]);
    // A malformed flame.bin fails here, before any ONNX model is opened.
    flameDecoder = pack.flame && FlameBranch.prepareDecoder(pack.flame.regressor.model, pack.flame.morphable.bytes);
    mesh = canonicalMeshFromTask(pack.landmarker.bytes);
  } catch (e) {
    // The landmarker may still be on its way up: release it when it is.
    void landmarkerReady.then((s) => s.close(), () => undefined);
    throw e;
  }
  const { fei2d, head3d, flame: flameFiles } = pack;
  // The holder's guard exists once every session is open; the heads read it per run.
  const holder: { guard?: EpGuard } = {};
  const getGuard = () => holder.guard!;
  const open = async (ep: ExecutionProvider) => ({
    images: await Promise.all(fei2d.map(async (f) => new Fer2dBranch(f.model, await LogitHead.open(f.model, f.bytes, ep, getGuard)))),
    head3d: head3d ? new Head3dBranch(head3d.model, await LogitHead.open(head3d.model, head3d.bytes, ep, getGuard)) : undefined,
    flame: flameFiles && flameDecoder ? await FlameBranch.create(flameFiles.regressor.model, flameFiles.regressor.bytes, flameDecoder, ep) : undefined,
  });
  const sessionsReady = (async () => {
    // Auto on a hardware WebGPU adapter: the faster EP for this pack on this machine, by timing.
    // That timing waits for the landmarker so the two do not disturb each other's numbers.
    let choice: EpChoice = epChoice;
    if (epChoice.measure && fei2d.length) {
      await landmarkerReady.catch(() => undefined);
      choice = await pickFaster((ep) => timeImageModels(fei2d, ep));
    }
    const opened = await openOnEp(choice, open);
    startupMark('worker:sessions-open');
    await Promise.all(opened.opened.images.map((b) => b.warmUp()));
    startupMark('worker:sessions-warm');
    return opened;
  })();
  const [landmarkerResult, sessionsResult] = await Promise.allSettled([landmarkerReady, sessionsReady]);
  if (landmarkerResult.status === 'rejected' || sessionsResult.status === 'rejected') {
    // Whichever half did open is released before the error goes up.
    if (landmarkerResult.status === 'fulfilled') landmarkerResult.value.close();
    if (sessionsResult.status === 'fulfilled') {
      const o = sessionsResult.value.opened;
      await Promise.all([...o.images, ...(o.head3d ? [o.head3d] : [])].map((b) => b.release().catch(() => undefined)));
      await o.flame?.session.release().catch(() => undefined);
    }
    throw landmarkerResult.status === 'rejected' ? landmarkerResult.reason : (sessionsResult as PromiseRejectedResult).reason;
  }
  const landmarker = landmarkerResult.value;
  const opened = sessionsResult.value;
  const { images, head3d: head, flame } = opened.opened;
  // Order: image branches, then feature branches (the flow runs them in this order).
  const branches: ExpressionBranch[] = [...images, ...(head ? [head] : [])];
  const guard = (holder.guard = new EpGuard(opened.ep, () => [...branches.flatMap((b) => b.sessions), ...(flame ? [flame.session] : [])]));
  if (onStatus) guard.onStatus(onStatus);

  const roles = ['landmarker', ...(images.length ? ['fei2d'] : []), ...(head ? ['head3d'] : []), ...(flame ? ['regressor3d', 'morphable'] : [])];
  const flameMesh = flame ? { ...flame.mesh, family: flame.model.family } : undefined;
  return new InferencePipeline({
    manifest: pack.manifest,
    landmarker,
    mesh,
    guard,
    branches,
    head3d: head,
    flame,
    info: {
      ep: opened.ep,
      epNote: opened.note,
      triangles: mesh.triangles,
      roles,
      ...(flameMesh ? { flameMesh } : {}),
      calibrations: [...images.map((b) => b.head), ...(head ? [head.head] : [])].flatMap((h) =>
        h.correction ? [{ id: h.model.id, label: h.correction.label, enabled: h.model.calibration!.enabled, live: h.model.calibration!.live ?? h.model.calibration!.enabled }] : [],
      ),
      models2d: images.map((b) => ({ id: b.id, weight: weights2d(pack.manifest, b.id) })),
    },
  });
}
