import { Alert, Drawer, Stack, Text, Title } from '@mantine/core';
import { checkWarnings } from '../../../../../contract/export-checks.ts';
import type { Export } from '../../../../../contract/exports.ts';
import { pluralize } from '../../../../lib/format.ts';
import { CheckValueTables } from './CheckValueTables.tsx';
import { CheckWarningList } from './CheckWarningList.tsx';

/** Props of ExportChecksDrawer. */
export interface ExportChecksDrawerProps {
  /** The export whose checks to show. */
  item: Export;
  opened: boolean;
  onClose: () => void;
}

/** A drawer with an export's check values: its warnings first, then every value. */
export function ExportChecksDrawer({ item, opened, onClose }: ExportChecksDrawerProps) {
  return (
    <Drawer
      opened={opened}
      onClose={onClose}
      position="right"
      size="min(48rem, 100%)"
      title={`Checks of export ${item.id}`}
    >
      <ExportChecksContent item={item} />
    </Drawer>
  );
}

/** The Checks view's body; says so when the export has no check values. */
export function ExportChecksContent({ item }: { item: Export }) {
  if (item.checks === null) {
    return (
      <Alert color="gray" variant="light" title="No check values">
        {item.status === 'complete'
          ? `Export ${item.id} was made before annex kept check values. Regenerate it for a file with them.`
          : `Check values are counted while the file is written: they show here once export ${item.id} is complete.`}
      </Alert>
    );
  }
  const warnings = checkWarnings(item.checks);
  return (
    <Stack gap="lg">
      <Stack gap="xs">
        <Title order={3} size="h5">
          {warnings.length === 0 ? 'Warnings' : pluralize(warnings.length, 'warning')}
        </Title>
        <CheckWarningList warnings={warnings} />
      </Stack>
      <CheckValueTables checks={item.checks} />
      <Text size="xs" c="dimmed">
        Counted while the file was written, so they describe the file itself.
      </Text>
    </Stack>
  );
}
