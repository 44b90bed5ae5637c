import { describe, expect, it } from 'vitest';
import { COMMIT_COUNTER_SCRIPT, countsBetween, type CommitCounts } from '../../scripts/bench/reactCommits';

type Fiber = { tag: number; stateNode: unknown; memoizedProps: Record<string, unknown> | null; child: Fiber | null; sibling: Fiber | null };
type Hook = { supportsFiber: boolean; inject: (r: unknown) => number; onCommitFiberRoot: (id: number, root: { current: Fiber }) => void };

/** Runs the page script against a stand-in `window`, as react-dom would see it. */
function install(): { hook: Hook; counts: () => CommitCounts } {
  const win: Record<string, unknown> = {};
  new Function('window', COMMIT_COUNTER_SCRIPT)(win);
  return { hook: win.__REACT_DEVTOOLS_GLOBAL_HOOK__ as Hook, counts: () => JSON.parse(JSON.stringify(win.__benchCommits)) as CommitCounts };
}

const host = (node: object, props: Record<string, unknown>, child: Fiber | null = null, sibling: Fiber | null = null): Fiber => ({ tag: 5, stateNode: node, memoizedProps: props, child, sibling });
const component = (child: Fiber | null, sibling: Fiber | null = null): Fiber => ({ tag: 0, stateNode: null, memoizedProps: {}, child, sibling });

describe('the bench’s React commit counter', () => {
  it('is accepted by react-dom as a DevTools hook', () => {
    const { hook } = install();
    expect(hook.supportsFiber).toBe(true);
    expect(typeof hook.inject({})).toBe('number');
  });

  it('counts commits, and only the elements whose props object changed (bailed-out components keep theirs)', () => {
    const { hook, counts } = install();
    const [a, b, c] = [{}, {}, {}];
    const pa = { 'data-testid': 'pipeline' };
    const pb = { 'data-testid': 'explorer' };
    const pc = {};
    const tree = (propsA: Record<string, unknown>, propsB: Record<string, unknown>) => ({ current: component(host(a, propsA, host(c, pc), host(b, propsB))) });
    hook.onCommitFiberRoot(1, tree(pa, pb)); // first commit: everything is new
    const first = counts();
    expect(first).toMatchObject({ commits: 1, domCommits: 1, elements: 3 });
    hook.onCommitFiberRoot(1, tree({ ...pa }, pb)); // the pipeline re-rendered, the explorer bailed out
    hook.onCommitFiberRoot(1, tree(pa, pb)); // nothing new… but pa's object differs from the last one seen
    hook.onCommitFiberRoot(1, tree(pa, pb)); // nothing changed at all
    const d = countsBetween(first, counts());
    expect(d.commits).toBe(3);
    expect(d.domCommits).toBe(2);
    expect(d.elements).toBe(2);
    expect(d.byTestId).toEqual({ pipeline: 2, explorer: 0 });
  });
});
