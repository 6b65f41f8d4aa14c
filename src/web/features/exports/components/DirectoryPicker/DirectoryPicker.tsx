import { Select, Stack, Text } from '@mantine/core';
import type { DirectorySummary } from '../../../../../contract/projects.ts';
import { formatCount, pluralize } from '../../../../lib/format.ts';

/** Props of DirectoryPicker. */
export interface DirectoryPickerProps {
  directories: DirectorySummary[];
  value: number | null;
  onChange: (directoryId: number | null) => void;
  className?: string;
}

/** The Directory source picker; each option says how many of its files are complete. */
export function DirectoryPicker({ directories, value, onChange, className }: DirectoryPickerProps) {
  return (
    <Select<number>
      label="Directory"
      placeholder="Pick a directory"
      className={className}
      data={directories.map((directory) => ({
        value: directory.id,
        label: directory.nickname,
      }))}
      value={value}
      onChange={onChange}
      allowDeselect={false}
      renderOption={({ option }) => {
        const directory = directories.find((item) => item.id === option.value);
        return (
          <Stack gap={0}>
            <Text size="sm">{option.label}</Text>
            {directory !== undefined && (
              <Text size="xs" c="dimmed">
                {pluralize(directory.file_count, 'file')} ·{' '}
                {formatCount(directory.completed_file_count)} complete
              </Text>
            )}
          </Stack>
        );
      }}
    />
  );
}
