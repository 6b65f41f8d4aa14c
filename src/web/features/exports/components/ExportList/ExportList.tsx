import { useId, useState } from 'react';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { Export } from '../../../../../contract/exports.ts';
import { errorMessage } from '../../../../lib/api-client.ts';
import {
  formatAbsoluteTime,
  formatBytes,
  formatClockTime,
  formatCount,
  formatRelativeTime,
} from '../../../../lib/format.ts';
import { useNow } from '../../../../lib/use-now.ts';
import { useArchiveExport } from '../../api/export-mutations.ts';
import {
  exportListRefetchInterval,
  exportPollIntervalMs,
  exportQueries,
} from '../../api/export-queries.ts';
import { ExportPreview } from '../ExportPreview/ExportPreview.tsx';
import { ExportStatusCell } from '../ExportStatusCell/ExportStatusCell.tsx';
import type { CursorPages } from './use-cursor-pages.ts';
import { useDownloadExport } from './use-download-export.ts';
import type { BlockedDownload } from './use-download-export.ts';
import classes from './ExportList.module.css';

/** Exports per page: enough to see recent work, few enough that 10,000 exports never slow the page. */
export const exportPageSize = 25;

/** The message the empty list shows. */
export const emptyListText =
  'No exports yet. Click Generate to build your first export, or call the SDK.';

/** Props of ExportList. */
export interface ExportListProps {
  /** The project's `project_string_id`. */
  project: string;
  /** Which page is on screen (owned by the page, so Generate can jump back to the newest). */
  pages: CursorPages;
}

const columns = [
  'Date',
  'Status',
  'Source',
  'Files',
  'Instances',
  'Size',
  'Completed only',
  'Actions',
] as const;

/** The table named "Exports": newest first, cursor-paged, refreshing itself while an export runs. */
export function ExportList({ project, pages }: ExportListProps) {
  const headingId = useId();
  const now = useNow(30_000);
  const list = useQuery(
    exportQueries.list(project, { cursor: pages.cursor, limit: exportPageSize }),
  );
  const [refreshing, setRefreshing] = useState(false);
  const download = useDownloadExport(project);
  const [previewing, setPreviewing] = useState<Export | null>(null);
  const [archiving, setArchiving] = useState<Export | null>(null);

  const handleRefresh = () => {
    setRefreshing(true);
    void list.refetch().finally(() => setRefreshing(false));
  };

  const page = list.data;
  const polling = exportListRefetchInterval(page) !== false;
  const firstRow = pages.pageIndex * exportPageSize + 1;

  return (
    <Stack gap="sm" component="section" aria-labelledby={headingId}>
      <Group justify="space-between" align="center" gap="sm">
        <Title order={2} size="h3" id={headingId}>
          Exports
        </Title>
        <Group gap="sm">
          {list.dataUpdatedAt > 0 && (
            <Text size="sm" c="dimmed" aria-live="off">
              Last updated{' '}
              <time dateTime={new Date(list.dataUpdatedAt).toISOString()}>
                {formatClockTime(list.dataUpdatedAt)}
              </time>
              {polling
                ? ` · updating every ${exportPollIntervalMs / 1000} s while exports run`
                : ''}
            </Text>
          )}
          <Button variant="default" size="sm" onClick={handleRefresh} loading={refreshing}>
            Refresh
          </Button>
        </Group>
      </Group>

      {download.blocked !== null && (
        <PopupBlockedAlert blocked={download.blocked} onClose={download.dismiss} />
      )}
      {download.error !== null && (
        <Alert
          color="red"
          title="Download failed"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={download.dismiss}
        >
          {download.error}
        </Alert>
      )}

      {list.isError && page === undefined ? (
        <Alert color="red" title="The exports could not be loaded">
          <Stack gap="sm" align="flex-start">
            <Text size="sm">{errorMessage(list.error)}</Text>
            <Button
              variant="light"
              color="red"
              size="xs"
              onClick={handleRefresh}
              loading={refreshing}
            >
              Try again
            </Button>
          </Stack>
        </Alert>
      ) : (
        <>
          {list.isError && (
            <Alert color="yellow" title="The list could not be refreshed">
              {errorMessage(list.error)} Showing the list as it was at{' '}
              {formatClockTime(list.dataUpdatedAt)}; press Refresh to try again.
            </Alert>
          )}
          <Table.ScrollContainer minWidth={960}>
            <Table
              aria-labelledby={headingId}
              aria-busy={list.isFetching}
              verticalSpacing="sm"
              highlightOnHover
              className={list.isPlaceholderData ? classes.stale : undefined}
            >
              <Table.Thead>
                <Table.Tr>
                  {columns.map((column) => (
                    <Table.Th key={column} scope="col" className={classes.nowrap}>
                      {column}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page === undefined ? (
                  <SkeletonRows />
                ) : page.exports.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={columns.length}>
                      <Text ta="center" c="dimmed" py="lg">
                        {pages.pageIndex === 0 ? emptyListText : 'No more exports on this page.'}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ) : (
                  page.exports.map((item) => (
                    <ExportRow
                      key={item.id}
                      item={item}
                      now={now}
                      downloading={download.pendingId === item.id}
                      onDownload={() => download.download(item)}
                      onPreview={() => setPreviewing(item)}
                      onArchive={() => setArchiving(item)}
                    />
                  ))
                )}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {page !== undefined && page.total > 0 && (
            <Group justify="space-between" gap="sm">
              <Text size="sm" c="dimmed">
                {page.exports.length === 0
                  ? `${formatCount(page.total)} exports`
                  : `${formatCount(firstRow)}–${formatCount(firstRow + page.exports.length - 1)} of ${formatCount(page.total)}`}
              </Text>
              <Group gap="xs">
                <Button
                  variant="default"
                  size="xs"
                  disabled={pages.pageIndex === 0}
                  onClick={pages.previous}
                >
                  Newer
                </Button>
                <Button
                  variant="default"
                  size="xs"
                  disabled={page.next_cursor === null || list.isPlaceholderData}
                  onClick={() => {
                    if (page.next_cursor !== null) pages.next(page.next_cursor);
                  }}
                >
                  Older
                </Button>
              </Group>
            </Group>
          )}
        </>
      )}

      <ExportPreview project={project} item={previewing} onClose={() => setPreviewing(null)} />
      <ArchiveExportModal project={project} item={archiving} onClose={() => setArchiving(null)} />
    </Stack>
  );
}

interface ExportRowProps {
  item: Export;
  now: number;
  downloading: boolean;
  onDownload: () => void;
  onPreview: () => void;
  onArchive: () => void;
}

function sourceKind(item: Export): string {
  return item.source === 'directory' ? 'Directory' : item.source === 'job' ? 'Job' : 'Task';
}

function sourceName(item: Export): string {
  const ref =
    item.source === 'directory' ? item.directory : item.source === 'job' ? item.job : item.task;
  return ref?.name ?? '(deleted)';
}

function ExportRow({ item, now, downloading, onDownload, onPreview, onArchive }: ExportRowProps) {
  const complete = item.status === 'complete';
  const fileCountDiffers =
    item.file_list_length !== null &&
    item.expected_file_count !== null &&
    item.file_list_length !== item.expected_file_count;
  const notReadyHint = complete ? undefined : 'Available once the export is complete';
  return (
    <Table.Tr>
      <Table.Td>
        <Tooltip label={formatAbsoluteTime(item.created_time)} withArrow>
          <time
            dateTime={item.created_time}
            title={formatAbsoluteTime(item.created_time)}
            className={classes.date}
          >
            {formatRelativeTime(item.created_time, now)}
          </time>
        </Tooltip>
        {/* The id is what file names start with and what the SDK and support ask for. */}
        <Text size="xs" c="dimmed">
          #{item.id}
        </Text>
      </Table.Td>
      <Table.Td className={classes.statusCell}>
        <ExportStatusCell item={item} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">
          <Text span size="sm" c="dimmed">
            {sourceKind(item)} ·{' '}
          </Text>
          {sourceName(item)}
        </Text>
        {item.include_removed && (
          <Text size="xs" c="dimmed">
            with removed instances
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Group gap={6} wrap="nowrap">
          <Text size="sm">
            {item.file_list_length === null ? '—' : formatCount(item.file_list_length)}
          </Text>
          {fileCountDiffers && (
            <Tooltip
              multiline
              w={260}
              withArrow
              label={`The check value before Generate was ${formatCount(item.expected_file_count ?? 0)} files; this export holds ${formatCount(item.file_list_length ?? 0)}. Files changed in between: check the source before using it.`}
            >
              <Badge color="orange" variant="light" size="sm">
                expected {formatCount(item.expected_file_count ?? 0)}
              </Badge>
            </Tooltip>
          )}
        </Group>
      </Table.Td>
      <Table.Td className={classes.nowrap}>
        {item.instance_count === null ? '—' : formatCount(item.instance_count)}
      </Table.Td>
      <Table.Td className={classes.nowrap}>
        {item.size_bytes === null ? '—' : formatBytes(item.size_bytes)}
      </Table.Td>
      <Table.Td className={classes.nowrap}>
        {item.ann_is_complete ? 'Yes' : 'No, all files'}
      </Table.Td>
      <Table.Td>
        <Group gap={6} wrap="nowrap">
          <Button
            size="xs"
            variant="light"
            disabled={!complete}
            loading={downloading}
            onClick={onDownload}
            title={notReadyHint}
          >
            Download
          </Button>
          <Button
            size="xs"
            variant="default"
            disabled={!complete}
            onClick={onPreview}
            title={notReadyHint}
          >
            Preview
          </Button>
          <Button size="xs" variant="subtle" color="red" onClick={onArchive}>
            Archive
          </Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

function SkeletonRows() {
  return (
    <>
      {[0, 1, 2, 3, 4].map((row) => (
        <Table.Tr key={row} aria-hidden>
          {columns.map((column) => (
            <Table.Td key={column}>
              <Skeleton height={14} radius="sm" />
            </Table.Td>
          ))}
        </Table.Tr>
      ))}
    </>
  );
}

/** What a user sees when the browser stopped the download pop-up: why, and the link to click instead. */
export function PopupBlockedAlert({
  blocked,
  onClose,
}: {
  blocked: BlockedDownload;
  onClose: () => void;
}) {
  return (
    <Alert
      color="yellow"
      title="The browser blocked the download pop-up"
      withCloseButton
      closeButtonLabel="Dismiss"
      onClose={onClose}
    >
      <Text size="sm">
        Allow pop-ups for this site to download with one click next time. For now, open the file
        from this link (it expires in a few minutes):{' '}
        <Anchor href={blocked.url} target="_blank" rel="noopener noreferrer">
          {blocked.fileName ?? `export ${blocked.exportId}`}
        </Anchor>
      </Text>
    </Alert>
  );
}

interface ArchiveExportModalProps {
  project: string;
  item: Export | null;
  onClose: () => void;
}

function ArchiveExportModal({ project, item, onClose }: ArchiveExportModalProps) {
  const archive = useArchiveExport(project);
  const close = () => {
    archive.reset();
    onClose();
  };
  return (
    <Modal
      opened={item !== null}
      onClose={close}
      title={item === null ? 'Archive export' : `Archive export ${item.id}?`}
      centered
    >
      {item !== null && (
        <Stack gap="md">
          <Text size="sm">
            {item.file_name ?? `Export ${item.id}`} leaves the list and its file is deleted. Links
            already handed out stop working. This cannot be undone.
          </Text>
          {archive.isError && (
            <Alert color="red" title="The export could not be archived">
              {errorMessage(archive.error)}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close} data-autofocus>
              Cancel
            </Button>
            <Button
              color="red"
              loading={archive.isPending}
              onClick={() => archive.mutate(item.id, { onSuccess: close })}
            >
              Archive
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
