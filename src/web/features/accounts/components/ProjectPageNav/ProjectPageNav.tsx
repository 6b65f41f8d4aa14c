import { Anchor, Group, Text } from '@mantine/core';
import { Link } from 'react-router';

/** The project pages this navigation links. */
export type ProjectPage = 'members' | 'audit';

/** Props of ProjectPageNav. */
export interface ProjectPageNavProps {
  /** The project's `project_string_id`. */
  project: string;
  /** The project's name, as people know it. */
  projectName: string;
  /** The page on screen (marked as the current one). */
  current: ProjectPage;
}

const pages: { page: ProjectPage; label: string; path: string }[] = [
  { page: 'members', label: 'Members', path: 'members' },
  { page: 'audit', label: 'Audit log', path: 'audit' },
];

/** The way back from a project's admin pages to its export page, and between those pages. */
export function ProjectPageNav({ project, projectName, current }: ProjectPageNavProps) {
  const base = `/projects/${encodeURIComponent(project)}`;
  return (
    <Group component="nav" aria-label="Project pages" gap="md" wrap="wrap">
      <Anchor component={Link} to={`${base}/export`} size="sm">
        ← Back to {projectName} exports
      </Anchor>
      <Text c="dimmed" aria-hidden size="sm">
        |
      </Text>
      {pages.map(({ page, label, path }) => (
        <Anchor
          key={page}
          component={Link}
          to={`${base}/${path}`}
          size="sm"
          fw={page === current ? 700 : 400}
          aria-current={page === current ? 'page' : undefined}
        >
          {label}
        </Anchor>
      ))}
    </Group>
  );
}
