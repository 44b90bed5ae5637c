// Headless Chromium settings shared by the Playwright config and the command-line tools.
// Software WebGPU (SwiftShader Vulkan) and WebGL (ANGLE on SwiftShader); no network chatter.
// Never add --disable-gpu: it removes navigator.gpu.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-angle=swiftshader',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Flags for a fake webcam that plays (and loops) a .y4m file, with camera permission granted. */
export function fakeWebcamArgs(file) {
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${file}`];
}
