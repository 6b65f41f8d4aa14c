import fsp from 'node:fs/promises';

// Storage folders and files that may not exist yet (nothing stored so far) or any more (removed by
// a sweep or another process): each store reads them the same way, so these live once.

/** The names in `folder`, or none when the folder does not exist. */
export async function readdirOrEmpty(folder: string): Promise<string[]> {
  try {
    return await fsp.readdir(folder);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** When `file` was last modified, or null when it is gone. */
export async function modifiedTimeOf(file: string): Promise<Date | null> {
  try {
    return (await fsp.stat(file)).mtime;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/** True for the error a file-system call throws when its path does not exist. */
export function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
