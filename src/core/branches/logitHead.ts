/**
 * The one place where a model's class logits become a branch output: run the session (through
 * the EP guard), put the logits in AffectNet order, softmax, and read the VA outputs when the
 * model has them. A per-branch calibration declared in the manifest belongs here, so every
 * caller (live, batch, teaching mode) gets it alike.
 */
import type { Fei2dModel, Head3dModel } from '../manifest/schema';
import type { BranchOutput } from '../types';
import { permutationToInternal, toInternalOrder } from '../classes/expressionClasses';
import { softmax } from '../fusion/lateFusion';
import { ModelSession } from '../inference/ortSession';
import type { EpGuard } from '../inference/epPolicy';
import type { ExecutionProvider } from '../types';
import { applyPriorCorrection, priorCorrection, type PriorCorrection } from '../calibration/priorCorrection';

export type Feeds = Record<string, { data: Float32Array; dims: number[] }>;
type ExpressionModel = Fei2dModel | Head3dModel;

interface ScalarOut {
  name: string;
  index: number;
  range: [number, number];
}

/** Model scalar in its declared range → −1..1. */
function scalar(outputs: Record<string, { data: Float32Array }>, s: ScalarOut, id: string): number {
  const t = outputs[s.name];
  if (!t || s.index >= t.data.length) throw new Error(`model ${id}: output '${s.name}' has no value at index ${s.index}`);
  const [lo, hi] = s.range;
  return ((t.data[s.index] - lo) / (hi - lo)) * 2 - 1;
}

function outputNames(model: ExpressionModel): string[] {
  const names = [model.outputs.logits.name, model.outputs.valence?.name, model.outputs.arousal?.name];
  return [...new Set(names.filter((n): n is string => !!n))];
}

export class LogitHead {
  private readonly perm: number[];
  /** The manifest's class-prior correction for this model, if it declares one. */
  readonly correction?: PriorCorrection;

  private constructor(
    readonly model: ExpressionModel,
    readonly session: ModelSession,
    private readonly guard: () => EpGuard,
  ) {
    const { classOrder, missing } = model.outputs.logits;
    this.perm = permutationToInternal(classOrder, { allowMissing: missing === 'abstain' });
    if (model.calibration) this.correction = priorCorrection(model.calibration, this.perm);
  }

  /**
   * The branch's final logits: with the declared prior correction unless the user switched it
   * off (`on` false; undefined = the manifest's `enabled`). Branches call this once per face,
   * after any view averaging, so a test-time policy sees the model's own scores.
   */
  calibrate(out: BranchOutput, on: boolean | undefined): BranchOutput {
    const pc = this.correction;
    if (!pc || !(on ?? this.model.calibration?.enabled ?? false)) return out;
    const logits = applyPriorCorrection(out.logits, pc);
    return { ...out, logits, probs: softmax(logits), calibration: pc.label };
  }

  /** `guard` is read per run: the pipeline creates it after every session is open. */
  static async open(model: ExpressionModel, bytes: Uint8Array, ep: ExecutionProvider, guard: () => EpGuard): Promise<LogitHead> {
    const session = await ModelSession.create({ id: model.id, bytes, inputs: [model.input.name], outputs: outputNames(model) }, ep);
    return new LogitHead(model, session, guard);
  }

  run(feeds: Feeds): Promise<BranchOutput> {
    return this.guard().run(this.session, () => this.runOnce(feeds));
  }

  private async runOnce(feeds: Feeds): Promise<BranchOutput> {
    const { id, outputs } = this.model;
    const out = await this.session.run(feeds);
    const raw = out[outputs.logits.name].data;
    const n = outputs.logits.classOrder.length;
    if (raw.length < n) throw new Error(`model ${id}: output '${outputs.logits.name}' has ${raw.length} values, expected ${n}`);
    const logits = toInternalOrder(raw, this.perm);
    const result: BranchOutput = { logits, probs: softmax(logits) };
    const { valence, arousal } = outputs as { valence?: ScalarOut; arousal?: ScalarOut };
    if (valence && arousal) result.va = { valence: scalar(out, valence, id), arousal: scalar(out, arousal, id) };
    return result;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
