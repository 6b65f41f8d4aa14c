import { Badge, Button, Group, Table, Text, Tooltip } from '@mantine/core';
import type { Export } from '../../../../../contract/exports.ts';
import {
  formatAbsoluteTime,
  formatBytes,
  formatCount,
  formatRelativeTime,
} from '../../../../lib/format.ts';
import { isStaleExport, regenerateRequest } from '../../utils/export-regeneration.ts';
import { ExportChecksButton } from '../ExportChecks/ExportChecksButton.tsx';
import { ExportCancelRetryActions } from '../ExportCancelRetry/ExportCancelRetryActions.tsx';
import { ExportRetryNotes } from '../ExportCancelRetry/ExportRetryNotes.tsx';
import { ExportStatusCell } from '../ExportStatusCell/ExportStatusCell.tsx';
import { SameContentBadge } from '../SameContentBadge/SameContentBadge.tsx';
import classes from './ExportRow.module.css';

/** Props of ExportRow. */
export interface ExportRowProps {
  item: Export;
  /** The clock the relative date is measured against (ms since the epoch). */
  now: number;
  /** True while this export's download link is being fetched. */
  downloading: boolean;
  onDownload: () => void;
  onPreview: () => void;
  /** Opens the visual spot-check; omitted: no Spot check button. */
  onSpotCheck?: () => void;
  onArchive: () => void;
  /** Shows Archive: an admin's, or an editor's own export. */
  canArchive: boolean;
  /** Asks for a new export with this one's settings. */
  onRegenerate: () => void;
  /** Shows Regenerate on a stale export: the user may generate exports (editor and up). */
  canRegenerate: boolean;
  /** True while this export's regeneration is being asked for. */
  regenerating: boolean;
  /** An older export on the list with the same source, settings and content (see `sameContentAs`). */
  sameContentAs?: number | undefined;
}

function sourceKind(item: Export): string {
  return item.source === 'directory' ? 'Directory' : item.source === 'job' ? 'Job' : 'Task';
}

function sourceName(item: Export): string {
  const ref =
    item.source === 'directory' ? item.directory : item.source === 'job' ? item.job : item.task;
  return ref?.name ?? '(deleted)';
}

/**
 * One export in the table, its cells in `exportColumns` order; Download and Preview wait for a
 * complete export, and a stale one offers Regenerate.
 */
export function ExportRow({
  item,
  now,
  downloading,
  onDownload,
  onPreview,
  onSpotCheck,
  onArchive,
  canArchive,
  onRegenerate,
  canRegenerate,
  regenerating,
  sameContentAs,
}: ExportRowProps) {
  const complete = item.status === 'complete';
  const fileCountDiffers =
    item.file_list_length !== null &&
    item.expected_file_count !== null &&
    item.file_list_length !== item.expected_file_count;
  // Regenerate needs the source still there: a deleted one has nothing to read again.
  const showRegenerate = canRegenerate && isStaleExport(item) && regenerateRequest(item) !== null;
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
        {/* Who asked for it, whichever door they came in by (panel, SDK, CLI, Diffgram's SDK). */}
        <Text size="xs" c="dimmed" className={classes.creator} title={item.created_by}>
          by {item.created_by}
        </Text>
      </Table.Td>
      <Table.Td className={classes.statusCell}>
        <ExportStatusCell item={item} />
        <ExportRetryNotes item={item} />
        {sameContentAs !== undefined && <SameContentBadge sameAs={sameContentAs} />}
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
          {onSpotCheck !== undefined && (
            <Button
              size="xs"
              variant="default"
              disabled={!complete}
              onClick={onSpotCheck}
              title={notReadyHint ?? 'Draw a sample of its files with their instances'}
            >
              Spot check
            </Button>
          )}
          <ExportChecksButton item={item} />
          {showRegenerate && (
            <Button
              size="xs"
              variant="light"
              color="orange"
              loading={regenerating}
              onClick={onRegenerate}
              title="A new export with the same source and settings, from today’s data"
            >
              Regenerate
            </Button>
          )}
          <ExportCancelRetryActions item={item} canCancel={canArchive} canRetry={canRegenerate} />
          {canArchive && (
            <Button size="xs" variant="subtle" color="red" onClick={onArchive}>
              Archive
            </Button>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}
