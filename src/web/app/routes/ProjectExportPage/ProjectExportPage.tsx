import { Box, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useParams, useSearchParams } from 'react-router';
import type { ProjectDetailResponse } from '../../../../contract/projects.ts';
import { authQueries } from '../../../features/auth/api/auth-queries.ts';
import { ErrorState } from '../../../components/ErrorState/ErrorState.tsx';
import { NotFoundPage } from '../../../components/NotFoundPage/NotFoundPage.tsx';
import { preselectFromSearchParams } from '../../../features/exports/utils/export-selection.ts';
import { ExportForm } from '../../../features/exports/components/ExportForm/ExportForm.tsx';
import { ExportList } from '../../../features/exports/components/ExportList/ExportList.tsx';
import { useCursorPages } from '../../../features/exports/hooks/use-cursor-pages.ts';
import {
  canArchiveExport,
  canGenerateExports,
} from '../../../features/exports/utils/export-permissions.ts';
import { ImportAction } from '../../../features/imports/components/ImportAction/ImportAction.tsx';
import { canImport } from '../../../features/imports/utils/import-permissions.ts';
import { projectQueries } from '../../../features/projects/api/project-queries.ts';
import { ProjectHeader } from '../../../features/projects/components/ProjectHeader/ProjectHeader.tsx';
import { useCurrentDirectory } from '../../../features/projects/hooks/use-current-directory.ts';
import { errorMessage, isApiStatus } from '../../../lib/api-client.ts';
import classes from './ProjectExportPage.module.css';

/** `/projects/:project/export`: the project's export panel, or its 404 when the project does not exist. */
export function ProjectExportPage() {
  const { project = '' } = useParams();
  const detail = useQuery(projectQueries.detail(project));

  if (detail.isPending) return <PageSkeleton />;
  // A failed background re-read (window focus, stale time) keeps the panel and its form as they are.
  if (detail.isError && detail.data === undefined) {
    if (isApiStatus(detail.error, 404)) {
      return <NotFoundPage title="Project not found" message={errorMessage(detail.error)} />;
    }
    return (
      <Box p="md" maw={640} mx="auto" mt="xl">
        <ErrorState
          title="The project could not be loaded"
          message={errorMessage(detail.error)}
          onRetry={() => void detail.refetch()}
          retrying={detail.isFetching}
        />
      </Box>
    );
  }
  // Keyed by project: its paging, form and remembered directory belong to one project only.
  return <ExportPanel key={project} project={project} detail={detail.data} />;
}

function ExportPanel({ project, detail }: { project: string; detail: ProjectDetailResponse }) {
  const [searchParams] = useSearchParams();
  const jobs = useQuery(projectQueries.jobs(project));
  const [currentDirectory, setCurrentDirectory] = useCurrentDirectory(project, detail);
  const pages = useCursorPages();
  const preselect = preselectFromSearchParams(searchParams);
  // The signed-in layout read `me` before this page rendered.
  const email = useQuery(authQueries.me()).data?.user.email ?? '';
  const role = detail.project.my_role;

  return (
    <>
      <title>{`Export · ${detail.project.name} · annex`}</title>
      <ProjectHeader
        project={detail.project}
        directories={detail.directories}
        currentDirectory={currentDirectory}
        onDirectoryChange={setCurrentDirectory}
        actions={
          canImport(role) && (
            <ImportAction
              project={project}
              currentDirectoryName={currentDirectory?.nickname ?? null}
            />
          )
        }
      />
      <main className={classes.main}>
        <Stack gap="xl">
          <Paper withBorder p="md" component="section" aria-labelledby="new-export-heading">
            <Stack gap="sm">
              <Title order={2} size="h3" id="new-export-heading">
                New export
              </Title>
              {canGenerateExports(role) ? (
                <ExportForm
                  // A new ?job_id= or ?task_id= starts the form over on that source.
                  key={`${preselect?.source ?? 'none'}-${preselect?.id ?? ''}`}
                  project={project}
                  directories={detail.directories}
                  jobs={jobs.data?.jobs}
                  jobsError={jobs.isError ? errorMessage(jobs.error) : undefined}
                  currentDirectoryId={currentDirectory?.id ?? null}
                  preselect={preselect}
                  onCreated={pages.reset}
                />
              ) : (
                <Text size="sm" c="dimmed">
                  You are a viewer of this project: you can preview and download its exports.
                  Generating one needs the editor role; ask a project admin.
                </Text>
              )}
            </Stack>
          </Paper>
          <ExportList
            project={project}
            pages={pages}
            canArchive={(item) => canArchiveExport(role, item, email)}
            canRegenerate={canGenerateExports(role)}
          />
        </Stack>
      </main>
    </>
  );
}

function PageSkeleton() {
  return (
    <Box aria-busy aria-label="Loading the export panel" role="status">
      <Box className={classes.main}>
        <Stack gap="xl">
          <Skeleton height={36} width="40%" />
          <Skeleton height={120} />
          <Skeleton height={24} width="20%" />
          <Skeleton height={240} />
        </Stack>
      </Box>
    </Box>
  );
}
