import { useState } from 'react';
import type { Export } from '../../../../contract/exports.ts';
import { errorMessage } from '../../../lib/api-client.ts';
import { useExportLink } from '../api/export-mutations.ts';

/** A download the browser's pop-up blocker stopped: the link to click instead. */
export interface BlockedDownload {
  exportId: number;
  fileName: string | null;
  url: string;
}

/** Download state for the list: which row is asking for a link, a blocked pop-up, or an error. */
export interface DownloadExport {
  /** Asks for a fresh link and opens it in a pop-up. */
  download: (item: Export) => void;
  /** The export whose link is being fetched, if any. */
  pendingId: number | null;
  blocked: BlockedDownload | null;
  error: string | null;
  dismiss: () => void;
}

/**
 * Download as the walkthrough describes: a fresh signed link opened with `window.open`. A blocked
 * pop-up (`window.open` returns null) is reported with the link to click, never swallowed.
 */
export function useDownloadExport(project: string): DownloadExport {
  const link = useExportLink(project);
  const [blocked, setBlocked] = useState<BlockedDownload | null>(null);
  const [error, setError] = useState<string | null>(null);

  const download = (item: Export) => {
    setBlocked(null);
    setError(null);
    // mutateAsync, not mutate's per-call callbacks: TanStack runs those only for the latest call, so a
    // second click on another row would silently swallow the first row's pop-up.
    void link.mutateAsync(item.id).then(
      (answer) => {
        const popup = window.open(answer.url, '_blank');
        if (popup === null) {
          setBlocked({
            exportId: item.id,
            fileName: answer.export.file_name ?? item.file_name,
            url: answer.url,
          });
          return;
        }
        // The file needs no handle back to the panel.
        popup.opener = null;
      },
      (failure: unknown) =>
        setError(`Export ${item.id} could not be downloaded: ${errorMessage(failure)}`),
    );
  };

  return {
    download,
    pendingId: link.isPending ? link.variables : null,
    blocked,
    error,
    dismiss: () => {
      setBlocked(null);
      setError(null);
    },
  };
}
