import { Button, Group, Text } from '@mantine/core';
import { formatCount } from '../../../../lib/format.ts';

/** Props of ExportPager. */
export interface ExportPagerProps {
  /** 0 for the first (newest) page. */
  pageIndex: number;
  pageSize: number;
  /** Rows on the page on screen. */
  rowCount: number;
  /** Exports over all pages. */
  total: number;
  /** False on the last page, and while the next page is still loading. */
  canGoOlder: boolean;
  onNewer: () => void;
  onOlder: () => void;
}

/** Where the page sits among all exports (`1–25 of 26`), with Newer and Older. */
export function ExportPager({
  pageIndex,
  pageSize,
  rowCount,
  total,
  canGoOlder,
  onNewer,
  onOlder,
}: ExportPagerProps) {
  const firstRow = pageIndex * pageSize + 1;
  return (
    <Group justify="space-between" gap="sm">
      <Text size="sm" c="dimmed">
        {rowCount === 0
          ? `${formatCount(total)} exports`
          : `${formatCount(firstRow)}–${formatCount(firstRow + rowCount - 1)} of ${formatCount(total)}`}
      </Text>
      <Group gap="xs">
        <Button variant="default" size="xs" disabled={pageIndex === 0} onClick={onNewer}>
          Newer
        </Button>
        <Button variant="default" size="xs" disabled={!canGoOlder} onClick={onOlder}>
          Older
        </Button>
      </Group>
    </Group>
  );
}
