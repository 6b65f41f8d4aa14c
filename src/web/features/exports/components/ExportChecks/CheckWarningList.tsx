import { Alert, Button, Code, CopyButton, Group, List, Stack, Text } from '@mantine/core';
import { exampleFileIds, formatCheckExample } from '../../../../../contract/export-check-rows.ts';
import type { CheckWarning } from '../../../../../contract/export-checks.ts';
import { formatCount } from '../../../../lib/format.ts';

/** Props of CheckWarningList. */
export interface CheckWarningListProps {
  /** What `checkWarnings` gave, most serious first; empty when every check passed. */
  warnings: CheckWarning[];
}

/** The warnings of an export's checks, each with what it means, what to do and where to look. */
export function CheckWarningList({ warnings }: CheckWarningListProps) {
  if (warnings.length === 0) {
    return (
      <Alert color="teal" variant="light" title="No warnings">
        Every check passed: nothing in this file looks wrong to annex. The values below say what it
        holds.
      </Alert>
    );
  }
  return (
    <Stack gap="sm">
      {warnings.map((warning) => (
        <Alert key={warning.key} color="orange" variant="light" title={warning.title}>
          <Stack gap="xs">
            <Text size="sm">{warning.sentence}</Text>
            {warning.finding !== null && warning.finding.examples.length > 0 && (
              <WarningPlaces title={warning.title} finding={warning.finding} />
            )}
          </Stack>
        </Alert>
      ))}
    </Stack>
  );
}

function WarningPlaces({
  title,
  finding,
}: {
  title: string;
  finding: NonNullable<CheckWarning['finding']>;
}) {
  const shown = finding.examples.length;
  const fileIds = exampleFileIds(finding).join(', ');
  return (
    <Stack gap={4}>
      <Group justify="space-between" gap="xs">
        <Text size="xs" fw={600}>
          {shown === finding.count
            ? 'Where to look'
            : `Where to look (the first ${formatCount(shown)} of ${formatCount(finding.count)})`}
        </Text>
        <CopyButton value={fileIds} timeout={2000}>
          {({ copied, copy }) => (
            <Button
              size="compact-xs"
              variant="light"
              color={copied ? 'teal' : 'orange'}
              onClick={copy}
              aria-label={`Copy the file ids of “${title}”`}
            >
              {copied ? 'Copied' : 'Copy file ids'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <List size="sm" spacing={2} aria-label={`Places of “${title}”`}>
        {finding.examples.map((example, index) => {
          const place = formatCheckExample(example);
          return (
            <List.Item key={`${place}-${index}`}>
              <Code>{place}</Code>
            </List.Item>
          );
        })}
      </List>
    </Stack>
  );
}
