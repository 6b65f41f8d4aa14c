import { useCallback, useEffect, useRef, useState } from 'react';
import type { Import } from '../../../../contract/imports.ts';
import { isAbortError } from '../../../lib/api-client.ts';
import type { UploadProgress } from '../../../lib/api-client.ts';
import { useUploadImport } from '../api/import-mutations.ts';
import type { ImportUpload } from '../api/imports-api.ts';

/** An upload in the Import dialog: start it, watch its bytes, cancel it. */
export interface ImportUploadState {
  /** Sends the file; `onCreated` gets the import the server queued. */
  start: (upload: ImportUpload, onCreated: (created: Import) => void) => void;
  /** Stops the upload (if one runs) and forgets its error. */
  cancel: () => void;
  /** True while the file is being sent. */
  uploading: boolean;
  /** Bytes sent of the file's size; null before the first upload. */
  progress: UploadProgress | null;
  /** Why the last upload failed (never a cancel the user asked for); null otherwise. */
  error: Error | null;
}

/**
 * The upload behind the Import dialog. One AbortController per upload: Cancel and leaving the
 * dialog (unmount) stop the transfer, so a closed dialog never keeps sending a 2 GB file.
 */
export function useImportUpload(project: string): ImportUploadState {
  const upload = useUploadImport(project);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const controllerRef = useRef<AbortController | null>(null);
  const { mutate, reset } = upload;

  useEffect(() => () => controllerRef.current?.abort(), []);

  const start = useCallback(
    (request: ImportUpload, onCreated: (created: Import) => void) => {
      controllerRef.current?.abort();
      const controller = new AbortController();
      controllerRef.current = controller;
      setProgress({ loaded: 0, total: request.file.size });
      mutate(
        { upload: request, onProgress: setProgress, signal: controller.signal },
        { onSuccess: onCreated },
      );
    },
    [mutate],
  );

  const cancel = useCallback(() => {
    controllerRef.current?.abort();
    controllerRef.current = null;
    reset();
    setProgress(null);
  }, [reset]);

  return {
    start,
    cancel,
    uploading: upload.isPending,
    progress,
    error: upload.error === null || isAbortError(upload.error) ? null : upload.error,
  };
}
