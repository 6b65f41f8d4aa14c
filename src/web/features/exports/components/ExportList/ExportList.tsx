import { useId, useState } from 'react';
import { Alert, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { Export } from '../../../../../contract/exports.ts';
import { useCreateExport } from '../../api/export-mutations.ts';
import { regenerateRequest } from '../../utils/export-regeneration.ts';
import { sameContentAs } from '../../utils/same-content.ts';
import { errorMessage } from '../../../../lib/api-client.ts';
import { formatClockTime } from '../../../../lib/format.ts';
import { useNow } from '../../../../lib/use-now.ts';
import {
  exportListRefetchInterval,
  exportPollIntervalMs,
  exportQueries,
} from '../../api/export-queries.ts';
import type { CursorPages } from '../../hooks/use-cursor-pages.ts';
import { useDownloadExport } from '../../hooks/use-download-export.ts';
import { useExportLiveUpdates } from '../../hooks/use-export-live-updates.ts';
import { LiveStatusBadge } from '../LiveStatusBadge/LiveStatusBadge.tsx';
import { ExportCompare } from '../ExportCompare/ExportCompare.tsx';
import { ArchiveExportDialog } from '../ArchiveExportDialog/ArchiveExportDialog.tsx';
import { ExportPager } from '../ExportPager/ExportPager.tsx';
import { ExportPreview } from '../ExportPreview/ExportPreview.tsx';
import { exportColumns } from '../ExportRow/export-columns.ts';
import { ExportRow } from '../ExportRow/ExportRow.tsx';
import { SpotCheckModal } from '../SpotCheck/SpotCheckModal.tsx';
import { ExportSkeletonRows } from '../ExportSkeletonRows/ExportSkeletonRows.tsx';
import { ExportStorageUsage } from '../ExportStorageUsage/ExportStorageUsage.tsx';
import { PopupBlockedAlert } from '../PopupBlockedAlert/PopupBlockedAlert.tsx';
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
  /** Whether the signed-in user may archive an export (see `canArchiveExport`). */
  canArchive: (item: Export) => boolean;
  /** Whether the signed-in user may regenerate a stale export (editor and up: see `canGenerateExports`). */
  canRegenerate: boolean;
}

/**
 * The table named "Exports": newest first, cursor-paged, kept up to date over the live stream, and
 * polling while an export runs whenever the stream is not live.
 */
export function ExportList({ project, pages, canArchive, canRegenerate }: ExportListProps) {
  const headingId = useId();
  const now = useNow(30_000);
  const liveState = useExportLiveUpdates(project);
  const live = liveState === 'live';
  const list = useQuery({
    ...exportQueries.list(project, { cursor: pages.cursor, limit: exportPageSize }),
    // Live, every change arrives by itself; otherwise the list polls as it always did.
    ...(live ? { refetchInterval: false as const } : {}),
  });
  const [refreshing, setRefreshing] = useState(false);
  const download = useDownloadExport(project);
  const [previewing, setPreviewing] = useState<Export | null>(null);
  const [spotChecking, setSpotChecking] = useState<Export | null>(null);
  const [archiving, setArchiving] = useState<Export | null>(null);
  const regenerate = useCreateExport(project);
  const [regeneratingId, setRegeneratingId] = useState<number | null>(null);

  const handleRegenerate = (item: Export) => {
    const request = regenerateRequest(item);
    if (request === null || regenerate.isPending) return;
    setRegeneratingId(item.id);
    // As Generate does: the new export is seeded at the top of the newest page, which comes back on screen.
    regenerate.mutate(request, { onSuccess: () => pages.reset() });
  };

  const handleRefresh = () => {
    setRefreshing(true);
    void list.refetch().finally(() => setRefreshing(false));
  };

  const page = list.data;
  const polling = !live && exportListRefetchInterval(page) !== false;
  const sameContent = sameContentAs(page?.exports ?? []);

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
          <LiveStatusBadge state={liveState} pollSeconds={exportPollIntervalMs / 1000} />
          {page !== undefined && <ExportCompare project={project} exports={page.exports} />}
          <Button variant="default" size="sm" onClick={handleRefresh} loading={refreshing}>
            Refresh
          </Button>
        </Group>
      </Group>

      <ExportStorageUsage project={project} listUpdatedAt={list.dataUpdatedAt} />

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

      {regenerate.isError && (
        <Alert
          color="red"
          title={`Export ${regeneratingId ?? ''} could not be regenerated`}
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => regenerate.reset()}
        >
          {errorMessage(regenerate.error)}
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
                  {exportColumns.map((column) => (
                    <Table.Th key={column} scope="col" className={classes.nowrap}>
                      {column}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page === undefined ? (
                  <ExportSkeletonRows />
                ) : page.exports.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={exportColumns.length}>
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
                      onSpotCheck={() => setSpotChecking(item)}
                      onArchive={() => setArchiving(item)}
                      canArchive={canArchive(item)}
                      onRegenerate={() => handleRegenerate(item)}
                      canRegenerate={canRegenerate}
                      regenerating={regenerate.isPending && regeneratingId === item.id}
                      sameContentAs={sameContent.get(item.id)}
                    />
                  ))
                )}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {page !== undefined && page.total > 0 && (
            <ExportPager
              pageIndex={pages.pageIndex}
              pageSize={exportPageSize}
              rowCount={page.exports.length}
              total={page.total}
              canGoOlder={page.next_cursor !== null && !list.isPlaceholderData}
              onNewer={pages.previous}
              onOlder={() => {
                if (page.next_cursor !== null) pages.next(page.next_cursor);
              }}
            />
          )}
        </>
      )}

      <ExportPreview project={project} item={previewing} onClose={() => setPreviewing(null)} />
      <SpotCheckModal project={project} item={spotChecking} onClose={() => setSpotChecking(null)} />
      <ArchiveExportDialog project={project} item={archiving} onClose={() => setArchiving(null)} />
    </Stack>
  );
}
