import { useState } from 'react';
import { Alert, Button, Group, Select, Skeleton, Stack, Table, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { auditActions } from '../../../../../contract/auth.ts';
import type { AuditAction, AuditEvent } from '../../../../../contract/auth.ts';
import { ErrorState } from '../../../../components/ErrorState/ErrorState.tsx';
import { errorMessage } from '../../../../lib/api-client.ts';
import { formatAbsoluteTime } from '../../../../lib/format.ts';
import { accountQueries } from '../../api/account-queries.ts';
import {
  auditActionText,
  auditActorText,
  auditDetailLines,
  auditViaText,
} from '../../utils/audit-text.ts';

/** Events per page: a screenful; "Load more" reads the next. */
export const auditPageSize = 50;

const columns = ['Time', 'Who', 'Via', 'Action', 'Target', 'Details', 'Address'];

/** Props of AuditTable. */
export interface AuditTableProps {
  /** The project's `project_string_id`. */
  project: string;
}

/** The project's audit trail, newest first, filtered by action, read further with "Load more". */
export function AuditTable({ project }: AuditTableProps) {
  const [action, setAction] = useState<AuditAction | undefined>(undefined);
  const audit = useInfiniteQuery(accountQueries.audit(project, { action, limit: auditPageSize }));
  const events = audit.data?.pages.flatMap((page) => page.events);

  return (
    <Stack gap="sm">
      <Select
        label="Action"
        placeholder="All actions"
        data={auditActions.map((value) => ({ value, label: auditActionText[value] }))}
        value={action ?? null}
        onChange={(value) => setAction(value ?? undefined)}
        clearable
        w={280}
      />
      {audit.isPending ? (
        <Stack gap="xs" role="status" aria-label="Loading the audit log">
          <Skeleton height={32} />
          <Skeleton height={32} />
          <Skeleton height={32} />
        </Stack>
      ) : audit.isError && events === undefined ? (
        <ErrorState
          title="The audit log could not be loaded"
          message={errorMessage(audit.error)}
          onRetry={() => void audit.refetch()}
          retrying={audit.isFetching}
        />
      ) : events === undefined || events.length === 0 ? (
        <Text c="dimmed" py="md">
          {action === undefined
            ? 'Nothing recorded in this project yet.'
            : `No “${auditActionText[action]}” events in this project.`}
        </Text>
      ) : (
        <>
          <Table.ScrollContainer minWidth={1000}>
            <Table aria-label="Audit events" verticalSpacing="xs" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  {columns.map((column) => (
                    // Details hold ids and names that wrap badly in a narrow column.
                    <Table.Th key={column} scope="col" miw={column === 'Details' ? 300 : undefined}>
                      {column}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {events.map((event) => (
                  <Table.Tr key={event.id}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <time dateTime={event.time}>{formatAbsoluteTime(event.time)}</time>
                    </Table.Td>
                    <Table.Td>{auditActorText(event)}</Table.Td>
                    <Table.Td>{auditViaText(event.via)}</Table.Td>
                    <Table.Td>{auditActionText[event.action]}</Table.Td>
                    <Table.Td>{event.target ?? '—'}</Table.Td>
                    <Table.Td>
                      <AuditDetails details={event.details} />
                    </Table.Td>
                    <Table.Td>{event.ip ?? '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {audit.isFetchNextPageError && (
            <Alert color="red" title="The next events could not be loaded">
              {errorMessage(audit.error)} Press Load more to try again.
            </Alert>
          )}
          <Group justify="center">
            {audit.hasNextPage ? (
              <Button
                variant="default"
                onClick={() => void audit.fetchNextPage()}
                loading={audit.isFetchingNextPage}
              >
                Load more
              </Button>
            ) : (
              <Text size="sm" c="dimmed">
                That is every event{action === undefined ? '' : ' of this kind'}.
              </Text>
            )}
          </Group>
        </>
      )}
    </Stack>
  );
}

function AuditDetails({ details }: { details: AuditEvent['details'] }) {
  const lines = auditDetailLines(details);
  if (lines.length === 0) return <>—</>;
  return (
    <Stack gap={0}>
      {lines.map((line) => (
        <Text key={line} size="sm" style={{ overflowWrap: 'anywhere' }}>
          {line}
        </Text>
      ))}
    </Stack>
  );
}
