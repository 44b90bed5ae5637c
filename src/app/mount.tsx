/**
 * The React app, mounted by main.tsx once the model load has started. A module of its own so
 * React and the views are a chunk the browser fetches and evaluates *after* the inference worker
 * was spawned (start-up, issue #16).
 */
import { StrictMode, startTransition } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { useLiveStore } from '../stores/liveStore';
import { usePipelineStore } from '../stores/pipelineStore';
import { useTeachStore } from '../stores/teachStore';

export function mountApp(root: HTMLElement): void {
  const reactRoot = createRoot(root);
  // As a transition, the first render yields to the browser every few ms instead of holding the
  // main thread for 0.2–0.6 s here. Chrome hands a message posted to a worker before its script
  // ran (the pipeline's `init`) over on the page's main thread, so one long mount task delayed
  // the models' start (issue #16: ≈ 0.1 s, README "Benchmarks").
  startTransition(() =>
    reactRoot.render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  );
  // `npm run bench` and the e2e tests reach the stores through this hook; only with ?debug in the URL.
  if (new URLSearchParams(location.search).has('debug')) {
    (window as unknown as { __ig3d: object }).__ig3d = { live: useLiveStore, pipeline: usePipelineStore, teach: useTeachStore };
  }
}
