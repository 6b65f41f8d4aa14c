import type { ReactNode } from 'react';
import { Badge, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { geometryRows, taskRows } from '../../../../../contract/export-check-rows.ts';
import type { FindingRow } from '../../../../../contract/export-check-rows.ts';
import type { ExportChecks } from '../../../../../contract/export-checks.ts';
import { formatCount } from '../../../../lib/format.ts';

/** Props of CheckValueTables. */
export interface CheckValueTablesProps {
  checks: ExportChecks;
}

/** Every check value of an export, as tables: counts side by side, then what the file holds. */
export function CheckValueTables({ checks }: CheckValueTablesProps) {
  return (
    <Stack gap="lg">
      <ExpectedWrittenTable checks={checks} />
      {checks.tasks !== null && <TaskTable checks={checks} tasks={checks.tasks} />}
      <Section title="Geometry and resolution">
        <FindingTable caption="Geometry and resolution" rows={geometryRows(checks)} />
      </Section>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg">
        <Section title="Files per type">
          <CountTable
            caption="Files per type"
            header="Type"
            unit="Files"
            rows={typeRows(checks.files_per_type)}
            empty="No files"
            footer={
              <Table.Tr>
                <Table.Th scope="row">Files with no instance</Table.Th>
                <Table.Td ta="right">
                  <Text span size="sm">
                    {formatCount(checks.files_without_instances.count)}
                  </Text>
                </Table.Td>
              </Table.Tr>
            }
          />
        </Section>
        <Section title="Instances per type">
          <CountTable
            caption="Instances per type"
            header="Type"
            unit="Instances"
            rows={typeRows(checks.instances_per_type)}
            empty="No instances"
          />
        </Section>
      </SimpleGrid>
      <Section title="Instances per label">
        <CountTable
          caption="Instances per label"
          header="Label"
          unit="Instances"
          rows={checks.instances_per_label.map((label) => ({
            key: String(label.label_file_id),
            name: label.name,
            count: label.count,
          }))}
          empty="No instances"
        />
      </Section>
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        {title}
      </Title>
      {children}
    </Stack>
  );
}

interface CountRow {
  key: string;
  name: string;
  count: number;
}

// The contract leaves out types with none, so every row counts something.
function typeRows(counts: Partial<Record<string, number>>): CountRow[] {
  return Object.entries(counts)
    .filter((entry): entry is [string, number] => entry[1] !== undefined)
    .map(([name, count]) => ({ key: name, name, count }));
}

function CountTable({
  caption,
  header,
  unit,
  rows,
  empty,
  footer,
}: {
  caption: string;
  header: string;
  unit: string;
  rows: CountRow[];
  empty: string;
  footer?: ReactNode;
}) {
  return (
    <Table striped withTableBorder aria-label={caption}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{header}</Table.Th>
          <Table.Th ta="right">{unit}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.length === 0 ? (
          <Table.Tr>
            <Table.Td colSpan={2}>
              <Text size="sm" c="dimmed">
                {empty}
              </Text>
            </Table.Td>
          </Table.Tr>
        ) : (
          rows.map((row) => (
            <Table.Tr key={row.key}>
              <Table.Th scope="row" fw={400}>
                {row.name}
              </Table.Th>
              <Table.Td ta="right">{formatCount(row.count)}</Table.Td>
            </Table.Tr>
          ))
        )}
        {footer}
      </Table.Tbody>
    </Table>
  );
}

/** A count that is a check: a green "none" when it found nothing, an orange count when it did. */
function FindingCount({ count }: { count: number }) {
  return count === 0 ? (
    <Badge color="teal" variant="light" size="sm">
      none
    </Badge>
  ) : (
    <Badge color="orange" variant="filled" size="sm">
      {formatCount(count)}
    </Badge>
  );
}

/** Check counts, one row each; `leading` rows (plain counts) come first. */
function FindingTable({
  caption,
  rows,
  leading,
}: {
  caption: string;
  rows: FindingRow[];
  leading?: ReactNode;
}) {
  return (
    <Table withTableBorder aria-label={caption}>
      <Table.Tbody>
        {leading}
        {rows.map((row) => (
          <Table.Tr key={row.key}>
            <Table.Th scope="row" fw={400}>
              {row.label}
            </Table.Th>
            <Table.Td ta="right">
              <FindingCount count={row.finding.count} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

// A written count that is not the one before it is what the reader should see first.
function CountCell({ value, differs }: { value: number | null; differs: boolean }) {
  if (value === null) {
    return (
      <Table.Td ta="right">
        <Text span size="sm" c="dimmed">
          not given
        </Text>
      </Table.Td>
    );
  }
  return (
    <Table.Td ta="right">
      <Text span size="sm" c={differs ? 'orange.8' : undefined} fw={differs ? 600 : undefined}>
        {formatCount(value)}
      </Text>
    </Table.Td>
  );
}

function ExpectedWrittenTable({ checks }: { checks: ExportChecks }) {
  const counts = checks.expected_vs_written;
  const filesDiffer =
    counts.expected_file_count !== null && counts.expected_file_count !== counts.written_file_count;
  return (
    <Section title="Expected and written">
      <Table withTableBorder aria-label="Expected and written">
        <Table.Thead>
          <Table.Tr>
            <Table.Th />
            <Table.Th ta="right">Expected (preflight)</Table.Th>
            <Table.Th ta="right">Selected</Table.Th>
            <Table.Th ta="right">Written</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th scope="row">Files</Table.Th>
            <CountCell value={counts.expected_file_count} differs={false} />
            <CountCell value={counts.selected_file_count} differs={false} />
            <CountCell
              value={counts.written_file_count}
              differs={filesDiffer || counts.selected_file_count !== counts.written_file_count}
            />
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">Instances</Table.Th>
            {/* The preflight counts files only. */}
            <Table.Td ta="right">
              <Text span size="sm" c="dimmed">
                —
              </Text>
            </Table.Td>
            <CountCell value={counts.selected_instance_count} differs={false} />
            <CountCell
              value={counts.written_instance_count}
              differs={counts.selected_instance_count !== counts.written_instance_count}
            />
          </Table.Tr>
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed">
        Expected is the file count shown before Generate; selected, what the export&apos;s snapshot
        held when it started; written, what the file holds.
      </Text>
    </Section>
  );
}

function TaskTable({
  checks,
  tasks,
}: {
  checks: ExportChecks;
  tasks: NonNullable<ExportChecks['tasks']>;
}) {
  return (
    <Section title="Tasks and files">
      <FindingTable
        caption="Tasks and files"
        rows={taskRows(checks)}
        leading={
          <>
            <Table.Tr>
              <Table.Th scope="row" fw={400}>
                Tasks complete
              </Table.Th>
              <Table.Td ta="right">
                {formatCount(tasks.tasks_complete)} of {formatCount(tasks.tasks_total)}
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th scope="row" fw={400}>
                Files exported
              </Table.Th>
              <Table.Td ta="right">{formatCount(tasks.files_exported)}</Table.Td>
            </Table.Tr>
          </>
        }
      />
      <Text size="xs" c="dimmed">
        Archived tasks are left out.
      </Text>
    </Section>
  );
}
