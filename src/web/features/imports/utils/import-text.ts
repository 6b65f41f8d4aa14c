import type { Import } from '../../../../contract/imports.ts';

/** The one-word state a person reads: the stage while running (`Validating`, `Writing`), else the status. */
export function importStateLabel(item: Pick<Import, 'status' | 'stage'>): string {
  switch (item.status) {
    case 'queued':
      return 'Queued';
    case 'running':
      return item.stage === 'writing' ? 'Writing' : 'Validating';
    case 'complete':
      return 'Complete';
    case 'failed':
      return 'Failed';
  }
}

/** What a queued or running import is doing, in a sentence. */
export function importStageText(item: Pick<Import, 'status' | 'stage' | 'directory_name'>): string {
  if (item.status === 'queued') return 'Waiting for a worker to pick the import up.';
  if (item.status === 'running' && item.stage === 'writing')
    return `Writing files and instances into “${item.directory_name}”.`;
  if (item.status === 'running')
    return 'Validating: reading every packet before anything is written.';
  return '';
}

/** The file's name as the list shows it (the client may have sent none). */
export function importFileName(item: Pick<Import, 'original_filename'>): string {
  return item.original_filename ?? 'unnamed file';
}
