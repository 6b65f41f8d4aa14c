import type { ReactNode } from 'react';
import { Group, Select, Text, Title } from '@mantine/core';
import type { DirectorySummary, ProjectSummary } from '../../../../../contract/projects.ts';
import { formatCount, pluralize } from '../../../../lib/format.ts';
import classes from './ProjectHeader.module.css';

/** Props of ProjectHeader. */
export interface ProjectHeaderProps {
  project: ProjectSummary;
  directories: DirectorySummary[];
  currentDirectory: DirectorySummary | null;
  onDirectoryChange: (directoryId: number) => void;
  /** Project-wide actions beside the directory picker (the page decides which the user may see). */
  actions?: ReactNode;
}

/** The page header: the project and the current-directory picker (the account bar above links home). */
export function ProjectHeader({
  project,
  directories,
  currentDirectory,
  onDirectoryChange,
  actions,
}: ProjectHeaderProps) {
  return (
    <header className={classes.header}>
      <Group justify="space-between" align="center" gap="sm" className={classes.inner}>
        <Group gap="sm" align="baseline" wrap="nowrap" className={classes.title}>
          <Title order={1} size="h4" lineClamp={1}>
            {project.name}
          </Title>
          <Text size="sm" c="dimmed" visibleFrom="sm">
            {project.project_string_id}
          </Text>
        </Group>
        <Group gap="sm" align="center" wrap="nowrap" className={classes.tools}>
          <Select<number>
            label="Current directory"
            size="sm"
            className={classes.directory}
            data={directories.map((directory) => ({
              value: directory.id,
              label: directory.nickname,
            }))}
            value={currentDirectory?.id ?? null}
            onChange={(value) => {
              if (value !== null) onDirectoryChange(value);
            }}
            allowDeselect={false}
            placeholder={
              directories.length === 0 ? 'This project has no directories' : 'Pick a directory'
            }
            description={
              currentDirectory === null
                ? undefined
                : `${pluralize(currentDirectory.file_count, 'file')} · ${formatCount(currentDirectory.completed_file_count)} complete`
            }
          />
          {actions}
        </Group>
      </Group>
    </header>
  );
}
