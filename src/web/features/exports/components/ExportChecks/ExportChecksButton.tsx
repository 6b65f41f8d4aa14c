import { useState } from 'react';
import { Badge, Button } from '@mantine/core';
import { checkWarnings } from '../../../../../contract/export-checks.ts';
import type { Export } from '../../../../../contract/exports.ts';
import { pluralize } from '../../../../lib/format.ts';
import { ExportChecksDrawer } from './ExportChecksDrawer.tsx';

/** Props of ExportChecksButton. */
export interface ExportChecksButtonProps {
  item: Export;
}

/**
 * "Checks" on an export's row, with the number of warnings; opens the Checks view. Nothing for an
 * export without check values (not complete yet, or made before annex kept them).
 */
export function ExportChecksButton({ item }: ExportChecksButtonProps) {
  const [opened, setOpened] = useState(false);
  if (item.checks === null) return null;
  const warningCount = checkWarnings(item.checks).length;
  return (
    <>
      <Button
        size="xs"
        variant="default"
        onClick={() => setOpened(true)}
        aria-label={`Checks: ${warningCount === 0 ? 'no warnings' : pluralize(warningCount, 'warning')}`}
        title={
          warningCount === 0
            ? 'Every check value passed'
            : `${pluralize(warningCount, 'check')} found something to look at`
        }
        rightSection={
          warningCount > 0 ? (
            <Badge color="orange" variant="filled" size="xs" circle aria-hidden>
              {warningCount}
            </Badge>
          ) : undefined
        }
      >
        Checks
      </Button>
      <ExportChecksDrawer item={item} opened={opened} onClose={() => setOpened(false)} />
    </>
  );
}
