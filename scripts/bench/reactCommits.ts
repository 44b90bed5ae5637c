/**
 * Counts React commits in a page, and which of its elements each commit re-rendered, from outside
 * the app: a minimal stand-in for the React DevTools hook, installed before the page's scripts run
 * (page.addInitScript). react-dom, production build included, reports every commit to that hook
 * (`onCommitFiberRoot`), so the same count works on any build, e.g. an older commit's `dist/` for a
 * before/after, with no instrumentation in the app (a `<Profiler>`'s onRender never fires in a
 * production build).
 *
 * "Re-rendered": a host element (a DOM node) whose props object changed since the last commit,
 * i.e. the component that renders it ran and made a new element. A component that bailed out
 * (memo, an unchanged zustand selector) hands React the same props object, so its elements are not
 * counted. Elements with a `data-testid` are also counted by that id.
 */

export interface CommitCounts {
  commits: number;
  /** Commits that re-rendered at least one element (the others only ran components that bailed out). */
  domCommits: number;
  /** Host elements re-rendered, all commits together. */
  elements: number;
  /** Re-renders per `data-testid`. */
  byTestId: Record<string, number>;
}

/**
 * Runs in the page before any of its scripts (page.addInitScript({ content })). Plain JavaScript in
 * a string: a function compiled by tsx would carry its name helpers (`__name`) into the page.
 */
export const COMMIT_COUNTER_SCRIPT = `(() => {
  const HOST_COMPONENT = 5;
  const counts = { commits: 0, domCommits: 0, elements: 0, byTestId: {} };
  const lastProps = new WeakMap();
  function walk(root) {
    const stack = [root];
    while (stack.length) {
      const f = stack.pop();
      if (f.tag === HOST_COMPONENT && f.stateNode && typeof f.stateNode === 'object' && lastProps.get(f.stateNode) !== f.memoizedProps) {
        lastProps.set(f.stateNode, f.memoizedProps);
        counts.elements++;
        const id = f.memoizedProps && f.memoizedProps['data-testid'];
        if (typeof id === 'string') counts.byTestId[id] = (counts.byTestId[id] || 0) + 1;
      }
      if (f.sibling) stack.push(f.sibling);
      if (f.child) stack.push(f.child);
    }
  }
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true,
    isDisabled: false,
    renderers: new Map(),
    inject() { return 1; },
    checkDCE() {},
    onCommitFiberRoot(id, root) { const before = counts.elements; counts.commits++; walk(root.current); if (counts.elements > before) counts.domCommits++; },
    onCommitFiberUnmount() {},
    onPostCommitFiberRoot() {},
  };
  window.__benchCommits = counts;
})();`;

/** An expression for page.evaluate: a copy of the page's counts now (read twice and subtracted). */
export const READ_COMMIT_COUNTS = 'JSON.parse(JSON.stringify(window.__benchCommits ?? { commits: 0, domCommits: 0, elements: 0, byTestId: {} }))';

export function countsBetween(a: CommitCounts, b: CommitCounts): CommitCounts {
  const byTestId: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.byTestId)) byTestId[k] = v - (a.byTestId[k] ?? 0);
  return { commits: b.commits - a.commits, domCommits: b.domCommits - a.domCommits, elements: b.elements - a.elements, byTestId };
}
