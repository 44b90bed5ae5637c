import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { useLiveStore } from './stores/liveStore';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// `npm run bench` reads per-frame stage timings through this hook; only with ?bench in the URL.
if (new URLSearchParams(location.search).has('bench')) {
  (window as unknown as { __ig3dLive: typeof useLiveStore }).__ig3dLive = useLiveStore;
}
