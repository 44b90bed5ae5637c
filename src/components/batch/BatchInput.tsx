import { useEffect, useRef, useState } from 'react';
import { filesFromDataTransfer, filesFromInput } from '../../batch/collectFiles';
import { useBatchStore } from '../../stores/batchStore';

/** Drop zone plus folder and files pickers. */
export function BatchInput({ disabled }: { disabled: boolean }) {
  const folderRef = useRef<HTMLInputElement>(null);
  const filesRef = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const setFiles = useBatchStore((s) => s.setFiles);

  useEffect(() => {
    // Not in React's typings; set as a plain attribute.
    folderRef.current?.setAttribute('webkitdirectory', '');
    folderRef.current?.setAttribute('directory', '');
  }, []);

  const onDrop = async (e: React.DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (disabled) return;
    const { files, problems } = await filesFromDataTransfer(e.dataTransfer);
    await setFiles(files, problems);
  };

  return (
    <div
      className={`batch-drop ${over ? 'batch-drop--over' : ''} ${disabled ? 'batch-drop--disabled' : ''}`}
      data-testid="batch-dropzone"
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => void onDrop(e)}
    >
      <p>
        <strong>Drop a folder</strong> (or images and videos) here, or choose:
      </p>
      <div className="batch-pickers">
        <label className="button-like">
          Choose a folder…
          <input
            ref={folderRef}
            type="file"
            multiple
            hidden
            disabled={disabled}
            data-testid="batch-folder-input"
            onChange={(e) => {
              if (e.target.files) void setFiles(filesFromInput(e.target.files));
              e.target.value = '';
            }}
          />
        </label>
        <label className="button-like">
          Choose files…
          <input
            ref={filesRef}
            type="file"
            multiple
            hidden
            disabled={disabled}
            accept="image/*,video/*,.csv"
            data-testid="batch-files-input"
            onChange={(e) => {
              if (e.target.files) void setFiles(filesFromInput(e.target.files));
              e.target.value = '';
            }}
          />
        </label>
      </div>
      <p className="muted small">
        Images: JPEG, PNG, WebP, BMP, GIF (first frame). Videos: WebM, MP4 (frames sampled at the rate below). Labels, when
        present: class-named folders (happy/, Anger/ …), a FER+ <code>label.csv</code>, or a CSV <code>file,label[,valence,arousal]</code>{' '}
        / AffectNet <code>exp,val,aro</code>. Files never leave this device.
      </p>
    </div>
  );
}
