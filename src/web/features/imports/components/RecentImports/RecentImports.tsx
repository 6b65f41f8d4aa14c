import { useId } from 'react';
import { Button, Skeleton, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../../../lib/api-client.ts';
import { formatAbsoluteTime, formatRelativeTime } from '../../../../lib/format.ts';
import { useNow } from '../../../../lib/use-now.ts';
import { importQueries } from '../../api/import-queries.ts';
import { importFileName } from '../../utils/import-text.ts';
import { ImportStateBadge } from '../ImportStateBadge/ImportStateBadge.tsx';

/** How many recent imports the dialog lists: enough to find the one just closed. */
export const recentImportsLimit = 5;

/** Props of RecentImports. */
export interface RecentImportsProps {
  project: string;
  /** The import the dialog shows, marked in the list. */
  shownId: number | null;
  /** Shows one import's progress or result in the dialog. */
  onShow: (id: number) => void;
}

/** The project's last few imports, newest first, so a result can be found again after the dialog closed. */
export function RecentImports({ project, shownId, onShow }: RecentImportsProps) {
  const list = useQuery(importQueries.list(project, { limit: recentImportsLimit }));
  const now = useNow(30_000);
  const headingId = useId();
  return (
    <Stack gap="xs" component="section" aria-labelledby={headingId}>
      <Title order={3} size="h5" id={headingId}>
        Recent imports
      </Title>
      {list.isPending ? (
        <Skeleton height={60} />
      ) : list.isError && list.data === undefined ? (
        <Text size="sm" c="red.8">
          The recent imports could not be loaded: {errorMessage(list.error)}
        </Text>
      ) : list.data.imports.length === 0 ? (
        <Text size="sm" c="dimmed">
          No imports yet.
        </Text>
      ) : (
        <Table aria-labelledby={headingId} verticalSpacing={4} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">File</Table.Th>
              <Table.Th scope="col">Directory</Table.Th>
              <Table.Th scope="col">State</Table.Th>
              <Table.Th scope="col">When</Table.Th>
              <Table.Th scope="col">
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.imports.map((item) => (
              <Table.Tr key={item.id} aria-current={item.id === shownId ? 'true' : undefined}>
                <Table.Td>
                  <Text size="sm" lineClamp={1} maw={180} title={importFileName(item)}>
                    {importFileName(item)}
                  </Text>
                </Table.Td>
                <Table.Td>{item.directory?.name ?? item.directory_name}</Table.Td>
                <Table.Td>
                  <ImportStateBadge item={item} />
                </Table.Td>
                <Table.Td>
                  <time dateTime={item.created_time} title={formatAbsoluteTime(item.created_time)}>
                    {formatRelativeTime(item.created_time, now)}
                  </time>
                </Table.Td>
                <Table.Td>
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    onClick={() => onShow(item.id)}
                    disabled={item.id === shownId}
                    aria-label={`Show import ${item.id}`}
                  >
                    Show
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
