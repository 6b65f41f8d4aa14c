import { Container, Stack, Text, Title } from '@mantine/core';
import type { QueryClient } from '@tanstack/react-query';
import { redirect } from 'react-router';
import { projectQueries } from '../../../features/projects/api/project-queries.ts';

/** The export page of a project. */
export function projectExportPath(project: string): string {
  return `/projects/${encodeURIComponent(project)}/export`;
}

/** `/` loader: sends the user to the first project they may see; stays only when they see none. */
export function homeLoader(queryClient: QueryClient) {
  return async (): Promise<Response | null> => {
    const { projects } = await queryClient.query(projectQueries.list());
    const first = projects[0];
    return first === undefined ? null : redirect(projectExportPath(first.project_string_id));
  };
}

/** `/` for a user who is a member of no project yet. */
export function HomePage() {
  return (
    <Container size="sm" py={64}>
      <title>annex</title>
      <Stack gap="md">
        <Title order={1}>No projects yet</Title>
        <Text>You are not a member of any project yet; ask a project admin to add you.</Text>
        <Text c="dimmed" size="sm">
          Once you are added, the project opens here.
        </Text>
      </Stack>
    </Container>
  );
}
