import { Container, Stack, Text, Title } from '@mantine/core';
import type { QueryClient } from '@tanstack/react-query';
import { redirect } from 'react-router';
import { projectQueries } from '../../../features/projects/api/project-queries.ts';

/** The export page of a project. */
export function projectExportPath(project: string): string {
  return `/projects/${encodeURIComponent(project)}/export`;
}

/** `/` loader: sends the user to the first project's export page; stays only when there is no project. */
export function homeLoader(queryClient: QueryClient) {
  return async (): Promise<Response | null> => {
    const { projects } = await queryClient.query(projectQueries.list());
    const first = projects[0];
    return first === undefined ? null : redirect(projectExportPath(first.project_string_id));
  };
}

/** `/` when the database holds no project. */
export function HomePage() {
  return (
    <Container size="sm" py={64}>
      <title>annex</title>
      <Stack gap="md">
        <Title order={1}>No projects yet</Title>
        <Text>
          annex has no project to export from. Start the server with <code>SEED_DEMO=true</code>{' '}
          (the default) on an empty database to get the demo project, or seed one with{' '}
          <code>npm run seed</code>.
        </Text>
      </Stack>
    </Container>
  );
}
