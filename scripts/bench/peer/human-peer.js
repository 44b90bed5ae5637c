// The peer's live loop, written the way its demos run it: human.detect(video) on the main thread,
// one detection at a time, each on a camera frame not seen before (requestVideoFrameCallback).
// Face + mesh + emotion on tfjs's WASM backend; iris, description, antispoof, liveness, body,
// hands, objects, gestures and segmentation off. cacheSensitivity 0: every new frame is processed
// (its input-change cache would otherwise skip frames of the looping clip).
import { Human } from '/__human/dist/human.esm.js';

const status = document.getElementById('status');
const video = document.getElementById('video');
const stats = { frames: 0, detectMs: [], faces: 0, emotions: 0, ready: false, error: undefined, backend: undefined };
window.peerStats = stats;

const human = new Human({
  backend: 'wasm',
  wasmPath: '/__tfwasm/',
  modelBasePath: '/__human/models/',
  cacheSensitivity: 0,
  warmup: 'none',
  debug: false,
  filter: { enabled: false },
  face: {
    enabled: true,
    detector: { enabled: true, rotation: false },
    mesh: { enabled: true },
    iris: { enabled: false },
    emotion: { enabled: true },
    description: { enabled: false },
    antispoof: { enabled: false },
    liveness: { enabled: false },
    attention: { enabled: false },
  },
  body: { enabled: false },
  hand: { enabled: false },
  object: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
});

let fresh = false;
const watch = () => video.requestVideoFrameCallback(() => { fresh = true; watch(); });
const nextFrame = () => new Promise((r) => video.requestVideoFrameCallback(() => r()));

async function main() {
  await human.load();
  await human.tf.ready();
  stats.backend = human.tf.getBackend();
  video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  await video.play();
  watch();
  stats.ready = true;
  status.textContent = `running on ${stats.backend}`;
  for (;;) {
    if (!fresh) await nextFrame();
    fresh = false;
    const t0 = performance.now();
    const r = await human.detect(video);
    stats.detectMs.push(performance.now() - t0);
    stats.frames++;
    if (r.face.length) stats.faces++;
    if (r.face[0]?.emotion?.length) stats.emotions++;
  }
}
main().catch((e) => {
  stats.error = String(e?.message ?? e);
  status.textContent = stats.error;
});
