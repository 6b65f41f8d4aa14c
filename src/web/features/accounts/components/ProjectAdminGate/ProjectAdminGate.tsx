import type { ReactNode } from 'react';
import { Alert, Container, Skeleton, Stack, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ProjectSummary } from '../../../../../contract/projects.ts';
import { ErrorState } from '../../../../components/ErrorState/ErrorState.tsx';
import { NotFoundPage } from '../../../../components/NotFoundPage/NotFoundPage.tsx';
import { errorMessage, isApiStatus } from '../../../../lib/api-client.ts';
import { projectQueries } from '../../../projects/api/project-queries.ts';
import { ProjectPageNav } from '../ProjectPageNav/ProjectPageNav.tsx';
import type { ProjectPage } from '../ProjectPageNav/ProjectPageNav.tsx';

/** Props of ProjectAdminGate. */
export interface ProjectAdminGateProps {
  /** The project's `project_string_id`. */
  project: string;
  page: ProjectPage;
  /** The page's heading, after the project's name is known ("Members"). */
  title: string;
  /** What a member who is not admin reads instead of the page ("Only project admins manage members."). */
  notAllowed: string;
  /** The page itself, rendered only for a project admin. */
  children: (project: ProjectSummary) => ReactNode;
}

/**
 * The frame of a project's admin pages: the way back to its exports, its heading, and the page
 * only for its admins (`my_role`). Others get a sentence instead of controls the server would refuse.
 */
export function ProjectAdminGate({
  project,
  page,
  title,
  notAllowed,
  children,
}: ProjectAdminGateProps) {
  const detail = useQuery(projectQueries.detail(project));

  if (detail.isPending) {
    return (
      <Container size="lg" py="lg" role="status" aria-label={`Loading ${title.toLowerCase()}`}>
        <Stack gap="md">
          <Skeleton height={20} width="30%" />
          <Skeleton height={36} width="40%" />
          <Skeleton height={200} />
        </Stack>
      </Container>
    );
  }
  if (detail.isError && detail.data === undefined) {
    if (isApiStatus(detail.error, 404))
      return <NotFoundPage title="Project not found" message={errorMessage(detail.error)} />;
    return (
      <Container size="sm" py="xl">
        <ErrorState
          title="The project could not be loaded"
          message={errorMessage(detail.error)}
          onRetry={() => void detail.refetch()}
          retrying={detail.isFetching}
        />
      </Container>
    );
  }
  const summary = detail.data.project;
  return (
    <Container size="xl" py="lg" component="main">
      <title>{`${title} · ${summary.name} · annex`}</title>
      <Stack gap="lg">
        <ProjectPageNav project={project} projectName={summary.name} current={page} />
        <Title order={1}>
          {title} · {summary.name}
        </Title>
        {summary.my_role === 'admin' ? (
          children(summary)
        ) : (
          <Alert color="gray" title={notAllowed}>
            You are {summary.my_role === 'editor' ? 'an editor' : 'a viewer'} of this project. Ask
            one of its admins if you need this.
          </Alert>
        )}
      </Stack>
    </Container>
  );
}
