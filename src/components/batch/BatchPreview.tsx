import { EXPRESSIONS, EXPRESSION_LABELS } from '../../core/classes/expressionClasses';
import type { BatchPreview as Preview } from '../../batch/prepareBatch';

const MAX_LIST = 12;

function List({ items, testId }: { items: string[]; testId: string }) {
  return (
    <ul className="batch-list" data-testid={testId} data-count={items.length}>
      {items.slice(0, MAX_LIST).map((p) => (
        <li key={p}>{p}</li>
      ))}
      {items.length > MAX_LIST && <li className="muted">… and {items.length - MAX_LIST} more</li>}
    </ul>
  );
}

/** What the run will see, before it runs. */
export function BatchPreview({ preview, problems }: { preview: Preview; problems: string[] }) {
  const labelled = EXPRESSIONS.reduce((a, e) => a + preview.perClass[e], 0);
  return (
    <section className="batch-panel" data-testid="batch-preview">
      <h3>Preview</h3>
      <p>
        <span data-testid="preview-images" data-count={preview.images}>{preview.images} images</span>,{' '}
        <span data-testid="preview-videos" data-count={preview.videos}>{preview.videos} videos</span>
        {preview.skipped > 0 && <span className="muted"> ({preview.skipped} hidden/system files skipped)</span>}.{' '}
        {labelled > 0 ? `${labelled} images have a class label` : 'No class labels found'}
        {preview.withVA > 0 && `, ${preview.withVA} have valence/arousal`}.
      </p>
      {labelled > 0 && (
        <table className="batch-counts" data-testid="preview-classes">
          <tbody>
            <tr>
              {EXPRESSIONS.map((e) => (
                <th key={e}>{EXPRESSION_LABELS[e]}</th>
              ))}
            </tr>
            <tr>
              {EXPRESSIONS.map((e) => (
                <td key={e} data-testid={`preview-class-${e}`} data-count={preview.perClass[e]}>
                  {preview.perClass[e]}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      )}
      {preview.labelFiles.length > 0 && (
        <div data-testid="preview-label-files">
          <h4>Label files</h4>
          <ul className="batch-list">
            {preview.labelFiles.map((l) => (
              <li key={l.path}>
                {l.path}: {l.source === 'unused' ? 'not a label table (will be reported)' : `${l.source}, ${l.entries} entries`}
                {l.problems.length > 0 && <span className="muted"> — {l.problems.length} rows skipped (e.g. {l.problems[0]})</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {preview.unmatchedFolders.length > 0 && (
        <div className="batch-warn">
          <h4>Folder names that are not expression classes (their images get no class from the folder)</h4>
          <List items={preview.unmatchedFolders} testId="preview-unmatched" />
        </div>
      )}
      {labelled > 0 && preview.unlabelled.length > 0 && (
        <div className="batch-warn">
          <h4>Images without a label ({preview.unlabelled.length}) — predicted, but not scored</h4>
          <List items={preview.unlabelled} testId="preview-unlabelled" />
        </div>
      )}
      {preview.nonMedia.length > 0 && (
        <div className="batch-warn">
          <h4>Not images or videos ({preview.nonMedia.length}) — each gets an error row</h4>
          <List items={preview.nonMedia} testId="preview-nonmedia" />
        </div>
      )}
      {problems.length > 0 && (
        <div className="batch-warn">
          <h4>Could not read</h4>
          <List items={problems} testId="preview-problems" />
        </div>
      )}
    </section>
  );
}
