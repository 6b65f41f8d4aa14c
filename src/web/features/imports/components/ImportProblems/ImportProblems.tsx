import { List, ScrollArea, Stack, Text } from '@mantine/core';
import { formatImportProblem } from '../../../../../contract/imports.ts';
import type { Import } from '../../../../../contract/imports.ts';
import { formatCount, pluralize } from '../../../../lib/format.ts';

/** Props of ImportProblems. */
export interface ImportProblemsProps {
  item: Pick<Import, 'errors' | 'error_count'>;
  /** What the problems did: "Problems that failed the import", "Packets skipped". */
  title: string;
}

/** The problems found in the file, one line each (`packet 812 › instance_list[3] › x_max: …`). */
export function ImportProblems({ item, title }: ImportProblemsProps) {
  if (item.error_count === 0 && item.errors.length === 0) return null;
  const more = item.error_count - item.errors.length;
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        {title} ({pluralize(Math.max(item.error_count, item.errors.length), 'problem')})
      </Text>
      <ScrollArea.Autosize mah={240} type="auto">
        <List size="sm" spacing={2} aria-label={title}>
          {item.errors.map((problem, index) => (
            // Problems have no id; the same packet and path may appear twice, so the index keeps keys apart.
            <List.Item key={`${String(index)}-${problem.packet ?? ''}-${problem.path}`}>
              <Text span size="sm" ff="monospace">
                {formatImportProblem(problem)}
              </Text>
            </List.Item>
          ))}
        </List>
      </ScrollArea.Autosize>
      {more > 0 && (
        <Text size="sm" c="dimmed">
          and {formatCount(more)} more
        </Text>
      )}
    </Stack>
  );
}
