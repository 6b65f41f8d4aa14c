import { screen, waitFor } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { ExportChecks } from '../../../../../contract/export-checks.ts';
import { apiPath, jsonResponse, server } from '../../../../test-utils/api-server.ts';
import { buildExport, demoProject } from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { SpotCheckBody } from './SpotCheckModal.tsx';
import { buildSample, imagePacket, textPacket, videoPacket } from './spot-check-fixtures.ts';

// The spot-check's controls against a fake API: the seed sent and shown, next/previous, jump to a
// file id (and one the export does not hold), flagged only from the record's checks; video frames
// stepped; text spans highlighted.

const samplePath = apiPath(`/projects/${demoProject}/exports/7/sample`);

/** Answers every sample request from `answer`, recording the queries it was asked. */
function serveSamples(answer: (query: URLSearchParams) => ReturnType<typeof buildSample>) {
  const queries: URLSearchParams[] = [];
  server.use(
    http.get(samplePath, ({ request }) => {
      const query = new URL(request.url).searchParams;
      queries.push(query);
      return jsonResponse(answer(query));
    }),
  );
  return queries;
}

const empty = { count: 0, examples: [] };
function checksFlagging(fileIds: number[]): ExportChecks {
  return {
    instances_per_label: [],
    instances_per_type: {},
    files_per_type: {},
    files_without_instances: empty,
    geometry: {
      outside_bounds: {
        count: fileIds.length,
        examples: fileIds.map((id) => ({ file_id: id, instance_id: 1, frame_number: null })),
      },
      zero_area_boxes: empty,
      polygons_under_3_points: empty,
      frames_beyond_video: empty,
      keypoints_outside: empty,
    },
    missing_resolution: empty,
    tasks: null,
    expected_vs_written: {
      expected_file_count: null,
      selected_file_count: 3,
      written_file_count: 3,
      selected_instance_count: 0,
      written_instance_count: 0,
    },
  };
}

function renderBody(checks: ExportChecks | null = null) {
  return renderWithProviders(
    <SpotCheckBody
      project={demoProject}
      item={buildExport({ id: 7, status: 'complete', checks })}
      initialSeed={42}
    />,
  );
}

describe('SpotCheckBody', () => {
  it('asks for a sample with its seed, shows it, and steps through the files', async () => {
    const queries = serveSamples(() => buildSample([imagePacket, videoPacket, textPacket]));
    const { user } = renderBody();
    expect(
      await screen.findByText('File 1 of 3 · random sample, seed 42, of 3 files'),
    ).toBeVisible();
    expect(queries[0]?.get('seed')).toBe('42');
    expect(queries[0]?.get('count')).toBe('20');
    expect(screen.getByRole('button', { name: 'Previous file' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Next file' }));
    expect(screen.getByText('clip.mp4')).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'Next file' }));
    expect(screen.getByText('note.txt')).toBeVisible();
    expect(screen.getByRole('button', { name: 'Next file' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Previous file' }));
    expect(screen.getByText('clip.mp4')).toBeVisible();
  });

  it('takes a new sample when the seed changes', async () => {
    const queries = serveSamples((query) =>
      buildSample([imagePacket], { seed: Number(query.get('seed')) }),
    );
    const { user } = renderBody();
    await screen.findByText(/seed 42/);
    const seed = screen.getByRole('textbox', { name: /Seed/ });
    await user.clear(seed);
    await user.type(seed, '7');
    expect(await screen.findByText(/random sample, seed 7,/)).toBeVisible();
    expect(queries.at(-1)?.get('seed')).toBe('7');
  });

  it('jumps to a file id by asking for it, and says when the export does not hold it', async () => {
    const queries = serveSamples((query) => {
      const ids = query.get('file_ids');
      if (ids === '3') return buildSample([textPacket], { mode: 'file_ids', seed: null });
      if (ids === '99')
        return buildSample([], { mode: 'file_ids', seed: null, missing_file_ids: [99] });
      return buildSample([imagePacket]);
    });
    const { user } = renderBody();
    await screen.findByText('street.jpg');
    const jump = screen.getByRole('textbox', { name: 'Jump to file id' });
    await user.type(jump, '3');
    await user.click(screen.getByRole('button', { name: 'Go' }));
    expect(await screen.findByText('note.txt')).toBeVisible();
    expect(queries.at(-1)?.get('file_ids')).toBe('3');
    await user.clear(jump);
    await user.type(jump, '99');
    await user.click(screen.getByRole('button', { name: 'Go' }));
    expect(await screen.findByText(/Export 7 holds no file 99/)).toBeVisible();
    await user.clear(jump);
    await user.type(jump, '1x');
    expect(screen.getByText('a file id: digits only')).toBeVisible();
    expect(screen.getByRole('button', { name: 'Go' })).toBeDisabled();
  });

  it('offers flagged only when checks flagged files, and asks for exactly those', async () => {
    const queries = serveSamples((query) =>
      query.has('file_ids')
        ? buildSample([imagePacket, textPacket], { mode: 'file_ids', seed: null })
        : buildSample([videoPacket]),
    );
    const { user } = renderBody(checksFlagging([3, 1, 3]));
    await screen.findByText('clip.mp4');
    await user.click(screen.getByRole('switch', { name: 'Flagged only (2 files)' }));
    expect(await screen.findByText('street.jpg')).toBeVisible();
    expect(queries.at(-1)?.get('file_ids')).toBe('1,3');
    expect(screen.getByText('files flagged by the checks', { exact: false })).toBeVisible();
    expect(screen.getByText('Instances outside their image')).toBeVisible();
  });

  it('has no flagged-only switch when the export has no checks', async () => {
    serveSamples(() => buildSample([imagePacket]));
    renderBody(null);
    await screen.findByText('street.jpg');
    expect(screen.queryByRole('switch')).toBeNull();
  });

  it('steps a video through the frames that have instances, drawing that frame’s', async () => {
    serveSamples(() => buildSample([videoPacket]));
    const { user } = renderBody();
    expect(
      await screen.findByText('Frame 3 of 100 · 1 of 2 frames with instances · 1 on this frame'),
    ).toBeVisible();
    expect(
      screen.getByRole('img', { name: 'frame 3 of clip.mp4: 1 instance drawn' }),
    ).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'Next frame' }));
    expect(
      screen.getByRole('img', { name: 'frame 9 of clip.mp4: 2 instances drawn' }),
    ).toBeVisible();
    expect(screen.getByRole('button', { name: 'Next frame' })).toBeDisabled();
  });

  it('shows a text file’s tokens with the labelled span highlighted in its colour', async () => {
    serveSamples(() => buildSample([textPacket]));
    renderBody();
    const text = await screen.findByTestId('spot-check-text');
    await waitFor(() => expect(text.textContent).toBe('near Main Street today'));
    const marks = [...text.querySelectorAll('mark')];
    expect(marks.map((mark) => mark.textContent)).toEqual(['Main', ' Street']);
    expect(marks[0]?.getAttribute('title')).toBe('place');
    expect(marks[0]?.getAttribute('style')).toContain('rgba(60, 180, 75');
    expect(screen.getByText('“Main Street” · tokens 1–2, characters 5–16')).toBeVisible();
  });

  it('shows the API’s error and a retry', async () => {
    server.use(
      http.get(samplePath, () =>
        jsonResponse({ error: { code: 'export_not_ready', message: 'Export not ready yet' } }, 409),
      ),
    );
    renderBody();
    expect(await screen.findByText('The sample could not be read')).toBeVisible();
    expect(screen.getByText(/Export not ready yet/)).toBeVisible();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeVisible();
  });
});
