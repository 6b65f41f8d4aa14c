import { Alert, Stack, Table, Text } from '@mantine/core';
import type { Import } from '../../../../../contract/imports.ts';
import { formatCount } from '../../../../lib/format.ts';
import { importFileName } from '../../utils/import-text.ts';
import { ImportProblems } from '../ImportProblems/ImportProblems.tsx';

/** Props of ImportResult. */
export interface ImportResultProps {
  /** A complete or failed import. */
  item: Import;
}

const countRows: { label: string; count: (item: Import) => number }[] = [
  { label: 'Files created', count: (item) => item.files_created },
  { label: 'Files updated', count: (item) => item.files_updated },
  { label: 'Files skipped', count: (item) => item.files_skipped },
  { label: 'Instances created', count: (item) => item.instances_created },
  { label: 'Instances updated', count: (item) => item.instances_updated },
  { label: 'Instances removed', count: (item) => item.instances_removed },
  { label: 'Labels created', count: (item) => item.labels_created },
];

/** How a finished import ended: what it created, updated and skipped, or why it failed; and the problems found. */
export function ImportResult({ item }: ImportResultProps) {
  if (item.status === 'failed') {
    return (
      <Stack gap="sm">
        <Alert color="red" title="The import failed">
          {item.status_text ??
            'The import failed without saying why. Try it again; if it fails again, check the server log.'}
        </Alert>
        <ImportProblems item={item} title="Problems found" />
      </Stack>
    );
  }
  return (
    <Stack gap="sm">
      <Alert color="teal" title="Import complete">
        {importFileName(item)} is in the directory “{item.directory?.name ?? item.directory_name}”.
        Pick it as the source of a new export.
      </Alert>
      <Table aria-label="Import counts" withRowBorders={false} verticalSpacing={4} maw={360}>
        <Table.Tbody>
          {countRows.map(({ label, count }) => (
            <Table.Tr key={label}>
              <Table.Th scope="row" fw={400}>
                {label}
              </Table.Th>
              <Table.Td ta="right">{formatCount(count(item))}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {item.files_skipped > 0 && (
        <Text size="sm" c="orange.8">
          Skipped packets were left out; fix them in the file and import it again into the same
          directory: files already imported are updated in place, not duplicated.
        </Text>
      )}
      <ImportProblems item={item} title="Packets skipped" />
    </Stack>
  );
}
