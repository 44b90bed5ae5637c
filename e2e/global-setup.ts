// Playwright global setup: generates the e2e fixtures into e2e/.fixtures/ (gitignored) when they are
// missing or were made by an older recipe. Sources come from ../shared (beside the repo); nothing
// from there is committed. Needs ffmpeg.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED_DIR = path.resolve(REPO_ROOT, '..', 'shared');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'e2e', '.fixtures');

/** Fake-webcam videos (raw YUV4MPEG2, yuv420p, 640x480, 10 fps; Chromium's fake capture loops them). */
export const FAKE_VIDEOS = {
  /** The 42 frames of AFEW-VA clip 001 (one actor, face visible throughout), 4.2 s loop. */
  afew: path.join(FIXTURES_DIR, 'afew.y4m'),
  /** ffmpeg testsrc2 pattern: moving colour bars and digits, no face. 3 s loop. */
  noface: path.join(FIXTURES_DIR, 'noface.y4m'),
} as const;
export type FakeVideo = keyof typeof FAKE_VIDEOS;
export const FAKE_VIDEO_SIZE = { width: 640, height: 480, fps: 10 } as const;

/** Still images for upload/drop tests. */
export const STILLS = {
  /** AFEW-VA 001 frame 0, 720x576 JPEG: one face, medium size, film grain. */
  face: path.join(FIXTURES_DIR, 'face.jpg'),
  /** NASA astronaut portrait (public domain), 512x512 JPEG: one clear, large face. */
  astronaut: path.join(FIXTURES_DIR, 'astronaut.jpg'),
  /** The astronaut and the AFEW frame side by side, 1296x576 JPEG: two faces. */
  twoFaces: path.join(FIXTURES_DIR, 'two-faces.jpg'),
  /** A testsrc2 frame, 640x480 JPEG: no face. */
  noface: path.join(FIXTURES_DIR, 'noface.jpg'),
} as const;

const AFEW_DIR = path.join(SHARED_DIR, 'data', 'afew-va', '001');
const ASTRONAUT = path.join(SHARED_DIR, 'data', 'photos', 'astronaut.png');

// Bump when any recipe below changes: the fixtures are then regenerated.
const RECIPE_VERSION = '1';
const { width: W, height: H, fps: FPS } = FAKE_VIDEO_SIZE;

const RECIPES: Array<{ out: string; args: string[] }> = [
  {
    out: FAKE_VIDEOS.afew,
    args: ['-framerate', String(FPS), '-start_number', '0', '-i', path.join(AFEW_DIR, '%05d.png'),
      '-vf', `scale=${W}:${H}:flags=bicubic,format=yuv420p`, '-f', 'yuv4mpegpipe'],
  },
  {
    out: FAKE_VIDEOS.noface,
    args: ['-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=${FPS}:duration=3`, '-vf', 'format=yuv420p', '-f', 'yuv4mpegpipe'],
  },
  { out: STILLS.face, args: ['-i', path.join(AFEW_DIR, '00000.png'), '-q:v', '3', '-f', 'mjpeg'] },
  { out: STILLS.astronaut, args: ['-i', ASTRONAUT, '-q:v', '3', '-f', 'mjpeg'] },
  {
    out: STILLS.twoFaces,
    args: ['-i', ASTRONAUT, '-i', path.join(AFEW_DIR, '00000.png'),
      '-filter_complex', '[0:v]scale=576:576[a];[a][1:v]hstack=inputs=2,format=yuvj420p', '-q:v', '3', '-f', 'mjpeg'],
  },
  {
    out: STILLS.noface,
    args: ['-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=1`, '-frames:v', '1', '-q:v', '3', '-f', 'mjpeg'],
  },
];

function ffmpeg(args: string[], out: string) {
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-threads', '1', ...args, tmp], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (err) {
    rmSync(tmp, { force: true });
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('e2e fixtures need ffmpeg on PATH (Debian: apt-get install -y ffmpeg)', { cause: err });
    throw new Error(`ffmpeg failed making ${path.relative(REPO_ROOT, out)}:\n${e.stderr?.toString() ?? e.message}`, { cause: err });
  }
  renameSync(tmp, out);
}

/**
 * A 2.1 s clip of the AFEW-VA frames at 10 fps, VP8 WebM (decodable by every Chromium build, proprietary
 * codecs or not): the Batch tab's video fixture (e2e/batch.spec.ts) and the `batch-small` bench's clip.
 */
export function makeAfewClip(out: string): void {
  ffmpeg(['-framerate', '10', '-start_number', '0', '-i', path.join(AFEW_DIR, '%05d.png'), '-frames:v', '21', '-vf', 'scale=360:288,format=yuv420p', '-c:v', 'libvpx', '-b:v', '600k', '-deadline', 'realtime', '-f', 'webm'], out);
}

export function ensureFixtures(): string[] {
  const stamp = path.join(FIXTURES_DIR, '.recipe');
  const current = existsSync(stamp) && readFileSync(stamp, 'utf8') === RECIPE_VERSION;
  const todo = RECIPES.filter((r) => !current || !existsSync(r.out));
  if (todo.length === 0) return [];

  if (!existsSync(AFEW_DIR) || !existsSync(ASTRONAUT)) {
    throw new Error(`e2e fixtures need ../shared beside the repo (looked for ${AFEW_DIR} and ${ASTRONAUT})`);
  }
  const frames = readdirSync(AFEW_DIR).filter((f) => f.endsWith('.png'));
  if (frames.length === 0) throw new Error(`no PNG frames in ${AFEW_DIR}`);

  mkdirSync(FIXTURES_DIR, { recursive: true });
  rmSync(stamp, { force: true });
  for (const r of todo) ffmpeg(r.args, r.out);
  writeFileSync(stamp, RECIPE_VERSION);
  return todo.map((r) => path.relative(REPO_ROOT, r.out));
}

/** Removes fake-camera symlinks (see fixtures.ts) left by worker processes that no longer run. */
function removeStaleCameraLinks() {
  for (const name of existsSync(FIXTURES_DIR) ? readdirSync(FIXTURES_DIR) : []) {
    const pid = Number(/^\.camera-(\d+)\.y4m$/.exec(name)?.[1]);
    if (!pid) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') rmSync(path.join(FIXTURES_DIR, name), { force: true });
    }
  }
}

export default async function globalSetup() {
  const t0 = performance.now();
  removeStaleCameraLinks();
  const made = ensureFixtures();
  if (made.length) {
    console.log(`[global-setup] made ${made.join(', ')} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}
