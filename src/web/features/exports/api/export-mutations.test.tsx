import { screen, waitFor } from '@testing-library/react';
import { useQuery } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  exportsPath,
  jsonResponse,
  recordRequests,
  server,
} from '../../../test-utils/api-server.ts';
import { buildExport, buildExportPage, demoProject } from '../../../test-utils/builders.ts';
import { createTestQueryClient, renderWithProviders } from '../../../test-utils/render.tsx';
import { seedCreatedExport, useArchiveExport, useCreateExport } from './export-mutations.ts';
import { exportQueries } from './export-queries.ts';

const otherProject = 'other';
const firstPage = { cursor: undefined, limit: 25 };

// Both projects list an export #3, so a change that leaks across projects shows in the other list too.
const demoExport = buildExport({ id: 3 });
const otherExport = buildExport({ id: 3, project_string_id: otherProject });
const created = buildExport({ id: 9, status: 'queued', percent_complete: 0 });

function TwoProjects() {
  const demo = useQuery(exportQueries.list(demoProject, firstPage));
  const other = useQuery(exportQueries.list(otherProject, firstPage));
  const archive = useArchiveExport(demoProject);
  const create = useCreateExport(demoProject);
  const ids = (page: typeof demo.data) => page?.exports.map((item) => item.id).join(',') ?? '…';
  return (
    <>
      <p>demo: {ids(demo.data)}</p>
      <p>other: {ids(other.data)}</p>
      <button type="button" onClick={() => archive.mutate(3)}>
        Archive demo 3
      </button>
      <button
        type="button"
        onClick={() =>
          create.mutate({ source: 'directory', directory_id: 10, ann_is_complete: true })
        }
      >
        Create in demo
      </button>
    </>
  );
}

function serveTwoProjects() {
  let demoExports = [demoExport];
  server.use(
    http.get(exportsPath(), () => jsonResponse(buildExportPage(demoExports))),
    http.get(exportsPath(otherProject), () => jsonResponse(buildExportPage([otherExport]))),
    http.delete(`${exportsPath()}/3`, () => {
      demoExports = [];
      return new HttpResponse(null, { status: 204 });
    }),
    http.post(exportsPath(), () => {
      demoExports = [created, ...demoExports];
      return jsonResponse(created, 202);
    }),
  );
  return recordRequests();
}

describe('export mutations stay in their project', () => {
  it('archiving in one project re-reads that project’s list only, and leaves the other’s rows', async () => {
    const log = serveTwoProjects();
    const { user } = renderWithProviders(<TwoProjects />);
    expect(await screen.findByText('demo: 3')).toBeInTheDocument();
    expect(await screen.findByText('other: 3')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Archive demo 3' }));
    await waitFor(() => expect(log.to('GET', exportsPath())).toHaveLength(2));
    expect(screen.getByText('demo:')).toBeInTheDocument();
    expect(screen.getByText('other: 3')).toBeInTheDocument();
    expect(log.to('GET', exportsPath(otherProject))).toHaveLength(1);
  });

  it('creating in one project re-reads that project’s list only', async () => {
    const log = serveTwoProjects();
    const { user } = renderWithProviders(<TwoProjects />);
    expect(await screen.findByText('other: 3')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Create in demo' }));
    await waitFor(() => expect(log.to('GET', exportsPath())).toHaveLength(2));
    expect(screen.getByText('demo: 9,3')).toBeInTheDocument();
    expect(screen.getByText('other: 3')).toBeInTheDocument();
    expect(log.to('GET', exportsPath(otherProject))).toHaveLength(1);
  });
});

describe('seedCreatedExport', () => {
  it('puts a new export on its own project’s first page only', () => {
    const queryClient = createTestQueryClient();
    const demoFirst = exportQueries.list(demoProject, firstPage).queryKey;
    const demoOlder = exportQueries.list(demoProject, { cursor: '175', limit: 25 }).queryKey;
    const otherFirst = exportQueries.list(otherProject, firstPage).queryKey;
    queryClient.setQueryData(demoFirst, buildExportPage([demoExport]));
    queryClient.setQueryData(demoOlder, buildExportPage([buildExport({ id: 1 })]));
    queryClient.setQueryData(otherFirst, buildExportPage([otherExport]));

    seedCreatedExport(queryClient, created);

    const ids = (key: typeof demoFirst) =>
      queryClient.getQueryData(key)?.exports.map((item) => item.id);
    expect(ids(demoFirst)).toEqual([9, 3]);
    expect(queryClient.getQueryData(demoFirst)?.total).toBe(2);
    expect(ids(demoOlder)).toEqual([1]);
    expect(ids(otherFirst)).toEqual([3]);
  });
});
