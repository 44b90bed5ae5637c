import { usePipelineStore } from './stores/pipelineStore';
import './styles.css';
import { startupMark } from './core/startupMarks';

startupMark('page:main');

// Models start loading before React is even evaluated: the worker, runtimes and model files are
// the critical path to the first prediction (start-up, issue #16). This entry holds only the
// pipeline store (and the worker client under it), so the worker spawns as soon as this small
// script runs; React and the views come in the chunk below, evaluated while the worker starts.
void usePipelineStore.getState().load();

void import('./app/mount').then(({ mountApp }) => mountApp(document.getElementById('root')!));
