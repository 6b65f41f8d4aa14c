import { useState } from 'react';
import { Alert, Button, Checkbox, Group, Loader, Modal, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { maxDiffListed } from '../../../../../contract/export-diff.ts';
import type { DiffFileList, ExportDiff } from '../../../../../contract/export-diff.ts';
import type { Export } from '../../../../../contract/exports.ts';
import { errorMessage } from '../../../../lib/api-client.ts';
import { formatAbsoluteTime, formatCount } from '../../../../lib/format.ts';
import { exportDiffQuery } from '../../api/export-diff-queries.ts';

/** Props of ExportCompare. */
export interface ExportCompareProps {
  /** The project's `project_string_id`. */
  project: string;
  /** The exports on screen; only complete ones can be compared. */
  exports: readonly Export[];
}

/**
 * "Compare": pick two complete exports of the page (at most two), then see what changed from the
 * older to the newer: file lists, completion, instances per label.
 */
export function ExportCompare({ project, exports }: ExportCompareProps) {
  const [open, setOpen] = useState(false);
  const [selected, setSelected] = useState<number[]>([]);
  const [compared, setCompared] = useState<[number, number] | null>(null);
  const complete = exports.filter((item) => item.status === 'complete');

  const toggle = (id: number) => {
    setCompared(null);
    setSelected((current) =>
      current.includes(id) ? current.filter((other) => other !== id) : [...current, id].slice(-2),
    );
  };
  const close = () => {
    setOpen(false);
    setCompared(null);
  };
  // Older (the smaller id) as "from".
  const [from = 0, to = 0] = [...selected].sort((a, b) => a - b);

  return (
    <>
      <Button
        variant="default"
        size="sm"
        onClick={() => setOpen(true)}
        disabled={complete.length < 2}
      >
        Compare
      </Button>
      <Modal opened={open} onClose={close} title="Compare two exports" size="xl">
        <Stack gap="sm">
          <Text size="sm">Choose two complete exports; the older is compared to the newer.</Text>
          <Stack gap={4}>
            {complete.map((item) => (
              <Checkbox
                key={item.id}
                label={`Export ${item.id} · ${formatCount(item.file_list_length ?? 0)} files · ${formatAbsoluteTime(item.created_time)}`}
                checked={selected.includes(item.id)}
                onChange={() => toggle(item.id)}
              />
            ))}
          </Stack>
          <Group>
            <Button onClick={() => setCompared([from, to])} disabled={selected.length !== 2}>
              Compare {selected.length === 2 ? `export ${from} with export ${to}` : ''}
            </Button>
          </Group>
          {compared !== null && (
            <ExportDiffSummary project={project} from={compared[0]} to={compared[1]} />
          )}
        </Stack>
      </Modal>
    </>
  );
}

/** The answer of one diff: loading, its error, or its summary and lists. */
function ExportDiffSummary({ project, from, to }: { project: string; from: number; to: number }) {
  const diff = useQuery(exportDiffQuery(project, from, to));
  if (diff.isPending) {
    return (
      <Group gap="xs">
        <Loader size="sm" />
        <Text size="sm">Reading both files… (seconds for large exports)</Text>
      </Group>
    );
  }
  if (diff.isError) {
    return (
      <Alert color="red" title="The exports could not be compared">
        {errorMessage(diff.error)}
      </Alert>
    );
  }
  return <DiffView diff={diff.data} />;
}

function FileList({ name, list }: { name: string; list: DiffFileList }) {
  return (
    <Text size="sm">
      <strong>
        {name}: {list.count}
      </strong>
      {list.count > 0 && ` — ${list.file_ids.join(', ')}`}
      {list.count > list.file_ids.length && ` (the first ${maxDiffListed} of ${list.count} listed)`}
    </Text>
  );
}

function DiffView({ diff }: { diff: ExportDiff }) {
  const { files, instances } = diff;
  return (
    <Stack gap="xs" aria-label="Differences">
      <Text fw={600}>
        Export {diff.from.id} → export {diff.to.id}: {diff.identical ? 'identical' : 'changed'} (
        {diff.from.file_list_length} → {diff.to.file_list_length} files, {diff.from.instance_count}{' '}
        → {diff.to.instance_count} instances)
      </Text>
      <FileList name="Files added" list={files.added} />
      <FileList name="Files removed" list={files.removed} />
      <FileList name="Files changed" list={files.changed} />
      <FileList name="Completion changed" list={files.completion_changed} />
      <Text size="sm">Files unchanged: {files.unchanged_count}</Text>
      <Text size="sm">
        Instances: {instances.added} added, {instances.removed} removed, {instances.changed} changed
      </Text>
      {instances.per_label.length > 0 && (
        <Table aria-label="Instance changes per label">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Label</Table.Th>
              <Table.Th scope="col">Added</Table.Th>
              <Table.Th scope="col">Removed</Table.Th>
              <Table.Th scope="col">Changed</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {instances.per_label.map((row) => (
              <Table.Tr key={row.label}>
                <Table.Td>{row.label}</Table.Td>
                <Table.Td>{row.added}</Table.Td>
                <Table.Td>{row.removed}</Table.Td>
                <Table.Td>{row.changed}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
