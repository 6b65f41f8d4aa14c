import { useState } from 'react';
import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Export } from '../../../../../contract/exports.ts';
import { http } from 'msw';
import {
  apiPath,
  errorResponse,
  exportsPath,
  jsonResponse,
  recordRequests,
  server,
} from '../../../../test-utils/api-server.ts';
import type { RequestLog } from '../../../../test-utils/api-server.ts';
import {
  buildExport,
  buildJobList,
  buildPreflight,
  buildProjectDetail,
  buildTaskDetail,
  demoProject,
} from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { preflightDebounceMs } from '../../hooks/use-preflight.ts';
import { ExportForm } from './ExportForm.tsx';
import type { ExportFormProps } from './ExportForm.tsx';

const preflightPath = `${exportsPath()}/preflight`;
const createPath = exportsPath();
const task99Path = apiPath(`/projects/${demoProject}/tasks/99`);

// Answers like the server would for the demo project: All counts more than Completed only.
const preflightHandler = http.get(preflightPath, ({ request }) => {
  const query = new URL(request.url).searchParams;
  const all = query.get('ann_is_complete') === 'false';
  if (query.get('directory_id') === '11' && !all) {
    return jsonResponse(
      buildPreflight({
        file_count: 0,
        instance_count: 0,
        source_file_count: 12,
        empty_reason: 'No file matches: 12 files, none marked complete. Choose All to export them.',
      }),
    );
  }
  if (query.get('source') === 'job')
    return jsonResponse(buildPreflight({ file_count: 7, instance_count: 90 }));
  if (query.get('source') === 'task')
    return jsonResponse(buildPreflight({ file_count: 1, instance_count: 4 }));
  const removed = query.get('include_removed') === 'true' ? 9 : 0;
  return jsonResponse(
    buildPreflight(
      all ? { file_count: 40, instance_count: 455 + removed } : { instance_count: 412 + removed },
    ),
  );
});

function renderForm(props: Partial<ExportFormProps> = {}) {
  const detail = buildProjectDetail();
  const onCreated = vi.fn<(created: Export) => void>();
  const view = renderWithProviders(
    <ExportForm
      project={demoProject}
      directories={detail.directories}
      jobs={buildJobList().jobs}
      currentDirectoryId={10}
      preselect={null}
      onCreated={onCreated}
      {...props}
    />,
  );
  return { ...view, onCreated };
}

function checkValue(): HTMLElement {
  return screen.getByRole('status', { name: 'Check value' });
}

function lastPreflightQuery(log: RequestLog): Record<string, string> {
  const requests = log.to('GET', preflightPath);
  return Object.fromEntries(requests.at(-1)?.query ?? []);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ExportForm', () => {
  it('opens on the current directory, completed files only, and shows the check value', async () => {
    server.use(preflightHandler);
    const log = recordRequests();
    renderForm();

    const source = screen.getByRole('radiogroup', { name: 'Source' });
    expect(within(source).getByRole('radio', { name: 'Directory' })).toBeChecked();
    expect(screen.getByRole('combobox', { name: 'Directory' })).toHaveValue('Luckfrill');
    const files = screen.getByRole('radiogroup', { name: 'Files' });
    expect(within(files).getByRole('radio', { name: 'Completed only' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Include removed instances' })).not.toBeChecked();
    expect(screen.getByText(/not a task’s status/)).toBeInTheDocument();

    await waitFor(() =>
      expect(checkValue()).toHaveTextContent('Will export 37 files · 412 instances'),
    );
    expect(lastPreflightQuery(log)).toEqual({
      source: 'directory',
      directory_id: '10',
      ann_is_complete: 'true',
      include_removed: 'false',
    });
  });

  it('updates the check value when Files or removed instances change', async () => {
    server.use(preflightHandler);
    const log = recordRequests();
    const { user } = renderForm();
    await waitFor(() => expect(checkValue()).toHaveTextContent('Will export 37 files'));

    await user.click(screen.getByRole('radio', { name: 'All' }));
    await waitFor(() =>
      expect(checkValue()).toHaveTextContent('Will export 40 files · 455 instances'),
    );
    expect(lastPreflightQuery(log)).toMatchObject({ ann_is_complete: 'false' });

    await user.click(screen.getByRole('checkbox', { name: 'Include removed instances' }));
    await waitFor(() =>
      expect(checkValue()).toHaveTextContent('Will export 40 files · 464 instances'),
    );
    expect(lastPreflightQuery(log)).toMatchObject({
      ann_is_complete: 'false',
      include_removed: 'true',
    });
  });

  it('waits for the settings to settle before asking, and asks once for the last of them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    server.use(preflightHandler);
    const log = recordRequests();
    renderForm();
    await act(() => vi.advanceTimersByTimeAsync(preflightDebounceMs));
    expect(log.to('GET', preflightPath)).toHaveLength(1);

    act(() => screen.getByRole('radio', { name: 'All' }).click());
    await act(() => vi.advanceTimersByTimeAsync(preflightDebounceMs / 2));
    act(() => screen.getByRole('checkbox', { name: 'Include removed instances' }).click());
    await act(() => vi.advanceTimersByTimeAsync(preflightDebounceMs - 1));
    expect(log.to('GET', preflightPath)).toHaveLength(1);

    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(log.to('GET', preflightPath)).toHaveLength(2);
    expect(lastPreflightQuery(log)).toMatchObject({
      ann_is_complete: 'false',
      include_removed: 'true',
    });
  });

  it('says why an export would select nothing', async () => {
    server.use(preflightHandler);
    renderForm({ currentDirectoryId: 11 });
    await waitFor(() =>
      expect(checkValue()).toHaveTextContent('Will export 0 files · 0 instances'),
    );
    expect(checkValue()).toHaveTextContent(
      'No file matches: 12 files, none marked complete. Choose All to export them.',
    );
  });

  it('keeps Generate disabled on Job until a job is picked from the searchable picker', async () => {
    server.use(preflightHandler);
    const log = recordRequests();
    const { user } = renderForm();

    await user.click(screen.getByRole('radio', { name: 'Job' }));
    expect(screen.getByRole('button', { name: 'Generate' })).toBeDisabled();
    expect(checkValue()).toHaveTextContent('Pick a job to see what it would export.');

    await user.type(screen.getByRole('combobox', { name: 'Job' }), 'trans');
    const option = await screen.findByRole('option', { name: /Transcripts pass/ });
    expect(option).toHaveTextContent('5 tasks · 5 complete');
    expect(screen.queryByRole('option', { name: /Street scenes review/ })).not.toBeInTheDocument();
    await user.click(option);

    expect(screen.getByRole('button', { name: 'Generate' })).toBeEnabled();
    await waitFor(() =>
      expect(checkValue()).toHaveTextContent('Will export 7 files · 90 instances'),
    );
    expect(lastPreflightQuery(log)).toMatchObject({ source: 'job', job_id: '22' });
  });

  it('opens on the job named by ?job_id=', async () => {
    server.use(preflightHandler);
    const log = recordRequests();
    renderForm({ preselect: { source: 'job', id: 21 } });
    expect(screen.getByRole('radio', { name: 'Job' })).toBeChecked();
    expect(screen.getByRole('combobox', { name: 'Job' })).toHaveValue('Street scenes review');
    await waitFor(() =>
      expect(lastPreflightQuery(log)).toMatchObject({ source: 'job', job_id: '21' }),
    );
  });

  it('flags a ?job_id= that is not one of the project’s jobs', () => {
    server.use(preflightHandler);
    renderForm({ preselect: { source: 'job', id: 999 } });
    expect(screen.getByText('Job 999 is not in this project: pick another.')).toBeInTheDocument();
  });

  it('opens on the task named by ?task_id=, named by its job and file once the server tells them', async () => {
    let answerTask: (response: Response) => void = () => undefined;
    server.use(
      preflightHandler,
      http.get(task99Path, () => new Promise<Response>((resolve) => (answerTask = resolve))),
    );
    const log = recordRequests();
    renderForm({ preselect: { source: 'task', id: 99 } });
    expect(screen.getByRole('radio', { name: 'Task' })).toBeChecked();
    const field = screen.getByRole('textbox', { name: 'Task' });
    expect(field).toHaveValue('Task 99');
    await waitFor(() => expect(checkValue()).toHaveTextContent('Will export 1 file · 4 instances'));
    expect(lastPreflightQuery(log)).toMatchObject({ source: 'task', task_id: '99' });
    expect(field).toHaveValue('Task 99');

    answerTask(jsonResponse(buildTaskDetail()));
    await waitFor(() => expect(field).toHaveValue('Street scenes review / street-03.jpg'));
    expect(field).toHaveAccessibleDescription('Task 99 · complete');
    expect(screen.getByRole('button', { name: 'Generate' })).toBeEnabled();
    expect(log.to('GET', task99Path)).toHaveLength(1);
  });

  it('shows the server’s message for a ?task_id= it does not know, and keeps Generate disabled', async () => {
    server.use(
      preflightHandler,
      http.get(task99Path, () =>
        errorResponse(404, 'not_found', 'Task 99 in project "demo" was not found.'),
      ),
      http.post(createPath, () => jsonResponse(buildExport(), 202)),
    );
    const log = recordRequests();
    const { user } = renderForm({ preselect: { source: 'task', id: 99 } });
    const field = screen.getByRole('textbox', { name: 'Task' });
    await waitFor(() =>
      expect(field).toHaveAccessibleDescription('Task 99 in project "demo" was not found.'),
    );
    expect(field).toHaveValue('Task 99');
    const generate = screen.getByRole('button', { name: 'Generate' });
    expect(generate).toBeDisabled();
    await user.click(generate);
    expect(log.to('POST', createPath)).toHaveLength(0);

    // Another source is still exportable.
    await user.click(screen.getByRole('radio', { name: 'Directory' }));
    expect(screen.getByRole('button', { name: 'Generate' })).toBeEnabled();
  });

  it('follows the header when the current directory changes', async () => {
    server.use(preflightHandler);
    const detail = buildProjectDetail();
    function WithHeaderPicker() {
      const [current, setCurrent] = useState(10);
      return (
        <>
          <button type="button" onClick={() => setCurrent(12)}>
            Header picks Quietbrook
          </button>
          <ExportForm
            project={demoProject}
            directories={detail.directories}
            jobs={[]}
            currentDirectoryId={current}
            preselect={null}
          />
        </>
      );
    }
    const { user } = renderWithProviders(<WithHeaderPicker />);
    expect(screen.getByRole('combobox', { name: 'Directory' })).toHaveValue('Luckfrill');
    await user.click(screen.getByRole('button', { name: 'Header picks Quietbrook' }));
    expect(screen.getByRole('combobox', { name: 'Directory' })).toHaveValue('Quietbrook');
  });

  it('Generate sends the settings with the count shown, shows it is working, and reports the new export', async () => {
    let answer: (response: Response) => void = () => undefined;
    let sent: unknown;
    server.use(
      preflightHandler,
      http.post(createPath, async ({ request }) => {
        sent = await request.json();
        return new Promise<Response>((resolve) => (answer = resolve));
      }),
    );
    const { user, onCreated } = renderForm();
    await waitFor(() => expect(checkValue()).toHaveTextContent('Will export 37 files'));

    await user.click(screen.getByRole('button', { name: 'Generate' }));
    const generate = screen.getByRole('button', { name: 'Generate' });
    expect(generate).toBeDisabled();
    expect(generate).toHaveAttribute('data-loading');

    const created = buildExport({
      id: 7,
      status: 'queued',
      percent_complete: 0,
      file_list_length: null,
    });
    answer(jsonResponse(created, 202));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(created));
    expect(screen.getByRole('button', { name: 'Generate' })).toBeEnabled();
    expect(sent).toEqual({
      source: 'directory',
      directory_id: 10,
      ann_is_complete: true,
      include_removed: false,
      expected_file_count: 37,
    });
  });

  it('shows the server’s message when it refuses to start the export', async () => {
    server.use(
      preflightHandler,
      http.post(createPath, () =>
        errorResponse(
          400,
          'validation_failed',
          'body.directory_id: directory 10 belongs to another project',
        ),
      ),
    );
    const { user, onCreated } = renderForm();
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The export could not be started');
    expect(alert).toHaveTextContent('body.directory_id: directory 10 belongs to another project');
    expect(onCreated).not.toHaveBeenCalled();
  });

  it('shows why the check value could not be computed, without blocking Generate', async () => {
    server.use(
      http.get(preflightPath, () =>
        errorResponse(404, 'not_found', 'Directory 10 does not exist in project demo.'),
      ),
    );
    renderForm();
    await waitFor(() =>
      expect(checkValue()).toHaveTextContent(
        'Could not count the files: Directory 10 does not exist in project demo.',
      ),
    );
    expect(screen.getByRole('button', { name: 'Generate' })).toBeEnabled();
  });
});
