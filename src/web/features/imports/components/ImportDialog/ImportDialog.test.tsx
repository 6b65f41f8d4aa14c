import { File as NodeFile } from 'node:buffer';
import { screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { Import } from '../../../../../contract/imports.ts';
import { exportQueries } from '../../../exports/api/export-queries.ts';
import { projectQueries } from '../../../projects/api/project-queries.ts';
import {
  errorResponse,
  importsPath,
  jsonResponse,
  neverAnswer,
  recordRequests,
  server,
} from '../../../../test-utils/api-server.ts';
import {
  buildImport,
  buildImportPage,
  buildProjectDetail,
  demoProject,
} from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { ImportAction } from '../ImportAction/ImportAction.tsx';

const fileText = '{"readme":{},"label_map":{}}';

/**
 * A file as the picker hands it over. Node's File, not jsdom's: msw turns the XMLHttpRequest into a
 * Node Request, which reads a Node Blob's bytes but not a jsdom one's (it sends "undefined").
 */
function jsonFile(name = 'street-scenes.json', text = fileText): File {
  return new NodeFile([text], name, { type: 'application/json' }) as unknown as File;
}

const queued = buildImport({
  id: 8,
  directory: null,
  directory_name: 'Luckfrill',
  status: 'queued',
  percent_complete: 0,
  packet_count: null,
  files_created: 0,
  instances_created: 0,
  labels_created: 0,
  started_time: null,
  finished_time: null,
});

/** Answers `GET …/imports/8` with each of `answers` in turn, then the last one for good. */
function detailAnswers(...answers: Import[]) {
  let index = 0;
  return http.get(`${importsPath()}/8`, () => {
    const next = answers[Math.min(index, answers.length - 1)];
    index += 1;
    return jsonResponse({ import: next ?? queued });
  });
}

function renderAction(currentDirectoryName: string | null = 'Luckfrill') {
  return renderWithProviders(
    <ImportAction project={demoProject} currentDirectoryName={currentDirectoryName} />,
  );
}

async function openDialog(view: ReturnType<typeof renderAction>): Promise<HTMLElement> {
  await view.user.click(screen.getByRole('button', { name: 'Import' }));
  return screen.findByRole('dialog', { name: 'Import annotations' });
}

async function chooseFile(view: ReturnType<typeof renderAction>, file: File): Promise<void> {
  await view.user.upload(screen.getByLabelText('Diffgram JSON file to import'), file);
}

describe('ImportDialog', () => {
  it('uploads the file with its settings, shows the upload, then validating, then the counts', async () => {
    let answerUpload: () => void = () => undefined;
    let sent = { body: '', contentType: '' };
    server.use(
      http.get(importsPath(), () => jsonResponse(buildImportPage([]))),
      http.post(importsPath(), async ({ request }) => {
        sent = {
          body: await request.text(),
          contentType: request.headers.get('content-type') ?? '',
        };
        await new Promise<void>((resolve) => {
          answerUpload = resolve;
        });
        return jsonResponse({ import: queued }, 202);
      }),
      detailAnswers(
        { ...queued, status: 'running', stage: 'validating', percent_complete: 30 },
        buildImport({
          id: 8,
          directory_name: 'Night drive',
          directory: { id: 14, name: 'Night drive' },
          files_created: 38,
          files_updated: 2,
          files_skipped: 0,
          instances_created: 400,
          instances_updated: 12,
          instances_removed: 3,
          labels_created: 5,
        }),
      ),
    );
    const log = recordRequests();
    const view = renderAction();
    const dialog = await openDialog(view);

    const directory = within(dialog).getByRole('textbox', { name: 'Directory' });
    expect(directory).toHaveValue('Luckfrill');
    const importButton = within(dialog).getByRole('button', { name: 'Import' });
    expect(importButton).toBeDisabled();

    await chooseFile(view, jsonFile());
    await view.user.clear(directory);
    await view.user.type(directory, 'Night drive');
    await view.user.click(
      within(dialog).getByRole('radio', { name: 'Skip it and import the rest' }),
    );
    await view.user.click(importButton);

    expect(await within(dialog).findByText('Uploading')).toBeInTheDocument();
    expect(within(dialog).getByRole('progressbar', { name: 'Upload progress' })).toHaveAttribute(
      'aria-valuenow',
      '0',
    );
    expect(dialog).toHaveTextContent(`0 B of ${String(fileText.length)} B · 0%`);
    await waitFor(() => expect(sent.body).toBe(fileText));
    expect(sent.contentType).toBe('application/json');
    const post = log.to('POST', importsPath())[0];
    expect(post?.query.get('directory')).toBe('Night drive');
    expect(post?.query.get('on_error')).toBe('skip');
    expect(post?.query.get('filename')).toBe('street-scenes.json');

    answerUpload();
    expect(await within(dialog).findByText('Validating')).toBeInTheDocument();
    expect(within(dialog).getByRole('progressbar', { name: 'Import 8 progress' })).toHaveAttribute(
      'aria-valuenow',
      '30',
    );

    // The next poll finds it complete.
    const counts = await within(dialog).findByRole('table', { name: 'Import counts' });
    const count = (label: string) =>
      within(counts).getByRole('rowheader', { name: label }).closest('tr');
    expect(count('Files created')).toHaveTextContent('38');
    expect(count('Files updated')).toHaveTextContent('2');
    expect(count('Files skipped')).toHaveTextContent('0');
    expect(count('Instances created')).toHaveTextContent('400');
    expect(count('Instances updated')).toHaveTextContent('12');
    expect(count('Instances removed')).toHaveTextContent('3');
    expect(count('Labels created')).toHaveTextContent('5');
    expect(dialog).toHaveTextContent('street-scenes.json is in the directory “Night drive”');
  });

  it('when complete, re-reads the project, the export lists and the check values', async () => {
    server.use(
      http.get(importsPath(), () => jsonResponse(buildImportPage([]))),
      http.post(importsPath(), () => jsonResponse({ import: queued }, 202)),
      detailAnswers(buildImport({ id: 8 })),
    );
    const view = renderAction();
    const { queryClient } = view;
    const detailKey = projectQueries.detail(demoProject).queryKey;
    const listKey = [...exportQueries.lists(demoProject), { limit: 25 }];
    const preflightKey = [...exportQueries.preflights(demoProject), { source: 'directory' }];
    for (const key of [detailKey, listKey, preflightKey]) queryClient.setQueryData(key, {});
    queryClient.setQueryData(detailKey, buildProjectDetail());

    const dialog = await openDialog(view);
    await chooseFile(view, jsonFile());
    await view.user.click(within(dialog).getByRole('button', { name: 'Import' }));
    expect(await within(dialog).findByText('Import complete')).toBeInTheDocument();
    for (const key of [detailKey, listKey, preflightKey])
      await waitFor(() => expect(queryClient.getQueryState(key)?.isInvalidated).toBe(true));
  });

  it('shows the server’s reason when the file is not Diffgram JSON, and keeps the form', async () => {
    server.use(
      http.get(importsPath(), () => jsonResponse(buildImportPage([]))),
      http.post(importsPath(), () =>
        errorResponse(
          400,
          'invalid_import_file',
          'This is not a Diffgram JSON file: its top level has no "readme" object.',
        ),
      ),
    );
    const view = renderAction();
    const dialog = await openDialog(view);
    await chooseFile(view, jsonFile('notes.json', '{"hello":1}'));
    await view.user.click(within(dialog).getByRole('button', { name: 'Import' }));

    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('The file was not imported');
    expect(alert).toHaveTextContent(
      'This is not a Diffgram JSON file: its top level has no "readme" object.',
    );
    expect(alert).toHaveTextContent('Choose a Diffgram JSON 1.0 file');
    // The choices stay, so a corrected file can go to the same place.
    expect(within(dialog).getByRole('textbox', { name: 'Directory' })).toHaveValue('Luckfrill');
    expect(within(dialog).getByRole('button', { name: 'Import' })).toBeEnabled();
  });

  it('shows why a failed import failed, each problem on one line, and how many more there are', async () => {
    const failed = buildImport({
      id: 8,
      directory: null,
      status: 'failed',
      status_text: '3 packets are invalid; on_error=fail, so nothing was written.',
      percent_complete: 50,
      files_created: 0,
      instances_created: 0,
      labels_created: 0,
      error_count: 3,
      errors: [
        { packet: '812', path: 'instance_list[3] › x_max', message: 'expected a number' },
        { packet: '815', path: '', message: 'has no file object' },
      ],
    });
    server.use(
      http.get(importsPath(), () => jsonResponse(buildImportPage([]))),
      http.post(importsPath(), () => jsonResponse({ import: queued }, 202)),
      detailAnswers(failed),
    );
    const view = renderAction();
    const dialog = await openDialog(view);
    await chooseFile(view, jsonFile());
    await view.user.click(within(dialog).getByRole('button', { name: 'Import' }));

    expect(await within(dialog).findByText('The import failed')).toBeInTheDocument();
    expect(dialog).toHaveTextContent(
      '3 packets are invalid; on_error=fail, so nothing was written.',
    );
    const problems = within(dialog).getByRole('list', { name: 'Problems found' });
    expect(
      within(problems)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual([
      'packet 812 › instance_list[3] › x_max: expected a number',
      'packet 815: has no file object',
    ]);
    expect(dialog).toHaveTextContent('and 1 more');
    expect(within(dialog).queryByRole('table', { name: 'Import counts' })).toBeNull();
  });

  it('cancels the upload on Cancel and goes back to the form', async () => {
    server.use(
      http.get(importsPath(), () => jsonResponse(buildImportPage([]))),
      http.post(importsPath(), () => neverAnswer()),
    );
    const view = renderAction();
    const dialog = await openDialog(view);
    await chooseFile(view, jsonFile());
    await view.user.click(within(dialog).getByRole('button', { name: 'Import' }));
    await view.user.click(await within(dialog).findByRole('button', { name: 'Cancel upload' }));
    expect(await within(dialog).findByRole('button', { name: 'Import' })).toBeEnabled();
    expect(within(dialog).queryByRole('alert')).toBeNull();
  });

  it('lists recent imports and shows one again', async () => {
    const older = buildImport({
      id: 5,
      original_filename: 'transcripts.json',
      directory_name: 'Marshwood',
      directory: { id: 11, name: 'Marshwood' },
      files_created: 12,
    });
    server.use(
      http.get(importsPath(), () => jsonResponse(buildImportPage([older]))),
      http.get(`${importsPath()}/5`, () => jsonResponse({ import: older })),
    );
    const view = renderAction();
    const dialog = await openDialog(view);
    const recent = await within(dialog).findByRole('table', { name: 'Recent imports' });
    const row = within(recent).getByText('transcripts.json').closest('tr');
    if (row === null) throw new Error('no row for transcripts.json');
    expect(row).toHaveTextContent('Marshwood');
    expect(row).toHaveTextContent('Complete');

    await view.user.click(within(row).getByRole('button', { name: 'Show import 5' }));
    const counts = await within(dialog).findByRole('table', { name: 'Import counts' });
    expect(
      within(counts).getByRole('rowheader', { name: 'Files created' }).closest('tr'),
    ).toHaveTextContent('12');
    await view.user.click(within(dialog).getByRole('button', { name: 'Import another file' }));
    expect(within(dialog).getByRole('button', { name: 'Import' })).toBeInTheDocument();
  });

  it('refuses a directory name the server would refuse, saying why', async () => {
    server.use(http.get(importsPath(), () => jsonResponse(buildImportPage([]))));
    const view = renderAction(null);
    const dialog = await openDialog(view);
    const directory = within(dialog).getByRole('textbox', { name: 'Directory' });
    expect(directory).toHaveValue('');
    await chooseFile(view, jsonFile());
    expect(within(dialog).getByRole('button', { name: 'Import' })).toBeDisabled();
    await view.user.click(directory);
    await view.user.paste('x'.repeat(201));
    expect(
      within(dialog).getByText('A directory name has at most 200 characters.'),
    ).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Import' })).toBeDisabled();
  });
});
