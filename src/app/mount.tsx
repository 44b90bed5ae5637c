/**
 * The React app, mounted by main.tsx once the model load has started. A module of its own so
 * React and the views are a chunk the browser fetches and evaluates *after* the inference worker
 * was spawned (start-up, issue #16).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { useLiveStore } from '../stores/liveStore';
import { usePipelineStore } from '../stores/pipelineStore';
import { useTeachStore } from '../stores/teachStore';

export function mountApp(root: HTMLElement): void {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  // `npm run bench` and the e2e tests reach the stores through this hook; only with ?debug in the URL.
  if (new URLSearchParams(location.search).has('debug')) {
    (window as unknown as { __ig3d: object }).__ig3d = { live: useLiveStore, pipeline: usePipelineStore, teach: useTeachStore };
  }
}
