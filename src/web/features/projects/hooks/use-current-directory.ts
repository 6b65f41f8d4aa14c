import { useLocalStorage } from '@mantine/hooks';
import type { DirectorySummary, ProjectDetailResponse } from '../../../../contract/projects.ts';

/** The localStorage key that remembers a project's current directory across reloads. */
export function currentDirectoryStorageKey(project: string): string {
  return `annex:current-directory:${project}`;
}

/** The remembered directory if it still exists, else the project's default, else its first directory. */
export function resolveCurrentDirectory(
  detail: Pick<ProjectDetailResponse, 'directories' | 'default_directory'>,
  rememberedId: number | null,
): DirectorySummary | null {
  return (
    detail.directories.find((directory) => directory.id === rememberedId) ??
    detail.default_directory ??
    detail.directories[0] ??
    null
  );
}

function parseStoredId(value: string | undefined): number | null {
  if (value === undefined || !/^[1-9]\d*$/.test(value)) return null;
  return Number(value);
}

/** The project's current directory (chosen in the header, remembered per project in localStorage) and its setter. */
export function useCurrentDirectory(
  project: string,
  detail: Pick<ProjectDetailResponse, 'directories' | 'default_directory'>,
): [DirectorySummary | null, (directoryId: number) => void] {
  const [rememberedId, setRememberedId] = useLocalStorage<number | null>({
    key: currentDirectoryStorageKey(project),
    defaultValue: null,
    // Read at once, so the first render already shows the remembered directory (no flash of the default).
    getInitialValueInEffect: false,
    serialize: (value) => (value === null ? '' : String(value)),
    deserialize: parseStoredId,
  });
  return [resolveCurrentDirectory(detail, rememberedId), setRememberedId];
}
