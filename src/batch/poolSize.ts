import { sampleTimes } from './frameSampling';

/**
 * How many inference workers a batch run starts: one, and a second only when it has enough items
 * to earn its start-up. Every worker opens its own landmarker and ONNX sessions, which on a
 * 2-core machine costs about as much CPU as 140 images (FER+ Test through `npm run batch`,
 * alternated: 42 images 12.8 s with one worker vs 14.4 s with two; 300 images 24.9 s vs 22.0 s;
 * the fitted lines cross at ≈ 138; `npm run bench -- batch-pool` in a slower stretch: ≈ 364, with
 * two workers 0.5 s slower at 300 images). Cheaper start-ups elsewhere move the crossing lower:
 * ≈ 45 on session 24's host, whose fresh memory was ten times cheaper (README, `npm run batch`).
 * Results do not depend on the pool size, only the time.
 */
export const ITEMS_PER_WORKER = 140;
/** At most two workers, one WASM thread each: the 2-core machines this app is measured on. */
export const MAX_BATCH_WORKERS = 2;

/** The pool for `items` items, at most `maxWorkers` (one per ITEMS_PER_WORKER items, at least one). */
export function batchPoolSize(items: number, maxWorkers = MAX_BATCH_WORKERS): number {
  return Math.max(1, Math.min(Math.floor(maxWorkers), Math.ceil(items / ITEMS_PER_WORKER)));
}

/**
 * What the Batch tab knows of a plan's videos before the run: each one's length in seconds, in plan
 * order (null: unreadable, it becomes an error row without a worker). `complete` is false while some
 * are still being read.
 */
export interface VideoLengths {
  durations: (number | null)[];
  complete: boolean;
}

/**
 * The items of a plan that need a worker: its images plus its videos' frames sampled at `fps` (as
 * buildItems samples them). Infinity while a video's length is unknown: such a plan gets the full
 * pool, as every plan with a video did before its lengths were read. Other files become error rows
 * without a worker.
 */
export function plannedItems(plan: { images: readonly unknown[]; videos: readonly unknown[] }, videos: VideoLengths | undefined, fps: number): number {
  if (plan.videos.length === 0) return plan.images.length;
  if (!videos?.complete || videos.durations.length !== plan.videos.length) return Infinity;
  return videos.durations.reduce<number>((n, d) => n + (d === null ? 0 : sampleTimes(d, fps).times.length), plan.images.length);
}

/**
 * A plan with more videos than this keeps the full pool without reading their lengths first: each
 * readable video gives at least one frame, so such a run is rarely small, and reading hundreds of
 * headers would delay the preview for nothing.
 */
export const MAX_VIDEOS_MEASURED = 20;

/**
 * Up to this many images a Batch-tab run borrows the live view's worker, already up with its
 * models loaded, instead of starting its own (beyond ITEMS_ON_LENT_WORKER_ALONE, with a worker of
 * its own joining it). Measured before workers could join: one worker runs stills at ≈ 49 ms per image here,
 * two fresh ones side by side at ≈ 33 ms once both are up, but the lent one starts at once:
 * `npm run bench -- batch-small` on FER+ Test, Run → finished, lent worker vs two fresh ones:
 * 141 images 9.3 vs 10.6 s, 300 images 17.1 vs 15.8 s; the lines cross at ≈ 220. With a worker of
 * the run's own joining, the lent worker no longer costs time on longer runs either (session 24, a
 * build lending for any size vs two workers of the run's own: 300 images 10.6 vs 11.1 s, 600 images
 * 20.3 vs 19.8 s), but a longer run would hold the live view's worker for minutes: the bound stays.
 */
export const ITEMS_ON_LENT_WORKER = 220;

/** Whether a Batch-tab run of `items` items (plannedItems) fits the live view's worker when that one is up. */
export function fitsLentWorker(items: number): boolean {
  return items <= ITEMS_ON_LENT_WORKER;
}

/**
 * Up to this many items the lent worker runs them alone; a larger run on it also starts workers of
 * its own (up to MAX_BATCH_WORKERS in all), which join it as soon as they are up (BatchRunner.join),
 * so the first row still comes at once. `npm run bench -- batch-small`, FER+ Test, Run → finished,
 * the lent worker alone vs joined (session 24's host, fresh memory at ≈ 1.9 GB/s, where the joining
 * worker was up after 1.2–1.6 s): 40 images 3.20 vs 2.98 s, 70 images 4.75 vs 3.98 s, 140 images
 * 9.14 vs 6.77 s; the first row came 0.2 s later (0.40 → 0.63 s). On session 20's host, where
 * fresh memory cost ten times as much, a worker's start-up took 3.5–4 s: the lent worker alone
 * has done 70–80 images by then, so a worker joining a run of a few dozen only takes CPU from it.
 */
export const ITEMS_ON_LENT_WORKER_ALONE = 50;

/** How many workers a run on the lent worker uses in all, the lent one included. */
export function lentPoolSize(items: number, maxWorkers = MAX_BATCH_WORKERS): number {
  return items > ITEMS_ON_LENT_WORKER_ALONE ? batchPoolSize(Infinity, maxWorkers) : 1;
}
