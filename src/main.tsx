import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { useLiveStore } from './stores/liveStore';
import { usePipelineStore } from './stores/pipelineStore';
import { useTeachStore } from './stores/teachStore';
import './styles.css';
import { startupMark } from './core/startupMarks';

startupMark('page:main');

// Models start loading before React's first render: the worker, runtimes and model files are
// the critical path to the first prediction (start-up, issue #16). App loads only if idle.
void usePipelineStore.getState().load();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// `npm run bench` and the e2e tests reach the stores through this hook; only with ?debug in the URL.
if (new URLSearchParams(location.search).has('debug')) {
  (window as unknown as { __ig3d: object }).__ig3d = { live: useLiveStore, pipeline: usePipelineStore, teach: useTeachStore };
}
