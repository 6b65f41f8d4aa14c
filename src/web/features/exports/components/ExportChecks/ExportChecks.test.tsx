import { screen, within } from '@testing-library/react';
import { Table } from '@mantine/core';
import { describe, expect, it } from 'vitest';
import {
  buildChecksWithFindings,
  buildCleanChecks,
} from '../../../../../contract/test-utils/export-checks-builders.ts';
import type { Export } from '../../../../../contract/exports.ts';
import { buildExport } from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { ExportChecksButton } from './ExportChecksButton.tsx';
import { ExportChecksContent } from './ExportChecksDrawer.tsx';

function renderButton(item: Export) {
  return renderWithProviders(
    <Table>
      <Table.Tbody>
        <Table.Tr>
          <Table.Td>
            <ExportChecksButton item={item} />
          </Table.Td>
        </Table.Tr>
      </Table.Tbody>
    </Table>,
  );
}

function rowOf(table: HTMLElement, name: string): HTMLElement {
  const header = within(table).getByRole('rowheader', { name });
  const row = header.closest('tr');
  if (row === null) throw new Error(`no row for ${name}`);
  return row;
}

function cellsOf(row: HTMLElement): string[] {
  return within(row)
    .getAllByRole('cell')
    .map((cell) => cell.textContent);
}

const jobExport = buildExport({
  id: 12,
  source: 'job',
  directory: null,
  job: { id: 21, name: 'Street scenes review' },
  file_list_length: 38,
  expected_file_count: 40,
  instance_count: 413,
  checks: buildChecksWithFindings(),
});

describe('ExportChecksButton', () => {
  it('is absent while an export has no check values', () => {
    renderButton(buildExport({ status: 'running', percent_complete: 40, checks: null }));
    expect(screen.queryByRole('button', { name: /^Checks/ })).toBeNull();
  });

  it('counts the warnings and opens the Checks view, warnings first', async () => {
    const { user } = renderButton(jobExport);

    await user.click(screen.getByRole('button', { name: 'Checks: 5 warnings' }));

    const drawer = await screen.findByRole('dialog', { name: 'Checks of export 12' });
    expect(within(drawer).getByRole('heading', { name: '5 warnings' })).toBeInTheDocument();
    const titles = within(drawer)
      .getAllByRole('alert')
      .map((alert) => within(alert).getAllByText(/./)[0]?.textContent);
    expect(titles).toEqual([
      'File count differs from the preflight',
      'Instances outside their image',
      'Instances past the end of their video',
      'Complete files with open tasks',
      'Files with no instance',
    ]);
  });

  it('says no warnings on a clean export', async () => {
    const { user } = renderButton(buildExport({ id: 3, checks: buildCleanChecks() }));

    await user.click(screen.getByRole('button', { name: 'Checks: no warnings' }));

    const drawer = await screen.findByRole('dialog', { name: 'Checks of export 3' });
    expect(within(drawer).getByText(/Every check passed/)).toBeInTheDocument();
    expect(within(drawer).queryByText(/differs from the preflight/)).toBeNull();
  });
});

describe('ExportChecksContent', () => {
  it('gives each warning its sentence and the places to look, copyable as file ids', async () => {
    const { user } = renderWithProviders(<ExportChecksContent item={jobExport} />);

    const outside = screen.getByRole('alert', { name: /Instances outside their image/ });
    expect(outside).toHaveTextContent(
      '3 instances have a coordinate outside the image or frame (0 to width, 0 to height).',
    );
    const places = within(outside).getByRole('list', {
      name: 'Places of “Instances outside their image”',
    });
    expect(
      within(places)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(['file 501 · instance 9001', 'file 501 · instance 9004', 'file 502 · instance 9020']);

    const video = screen.getByRole('alert', { name: /past the end of their video/ });
    expect(within(video).getByText('file 610 · instance 9870 · frame 240')).toBeInTheDocument();

    await user.click(
      within(outside).getByRole('button', {
        name: 'Copy the file ids of “Instances outside their image”',
      }),
    );
    expect(await navigator.clipboard.readText()).toBe('501, 502');
    expect(within(outside).getByRole('button', { name: /Copy the file ids/ })).toHaveTextContent(
      'Copied',
    );
    // The preflight warning is about counts: no places.
    const preflight = screen.getByRole('alert', { name: /differs from the preflight/ });
    expect(within(preflight).queryByRole('list')).toBeNull();
  });

  it('says how many places it lists when the finding has more', () => {
    const checks = buildChecksWithFindings();
    renderWithProviders(
      <ExportChecksContent
        item={buildExport({
          checks: {
            ...checks,
            missing_resolution: {
              count: 240,
              examples: [{ file_id: 700, instance_id: null, frame_number: null }],
            },
          },
        })}
      />,
    );
    const missing = screen.getByRole('alert', { name: /Files without width or height/ });
    expect(missing).toHaveTextContent('Where to look (the first 1 of 240)');
    expect(missing).toHaveTextContent('240 files have no width or height');
  });

  it('shows expected, selected and written side by side', () => {
    renderWithProviders(<ExportChecksContent item={jobExport} />);

    const table = screen.getByRole('table', { name: 'Expected and written' });
    expect(cellsOf(rowOf(table, 'Files'))).toEqual(['40', '38', '38']);
    expect(cellsOf(rowOf(table, 'Instances'))).toEqual(['—', '413', '413']);
  });

  it('says "not given" when the requester saw no preflight', () => {
    const checks = buildCleanChecks();
    renderWithProviders(
      <ExportChecksContent
        item={buildExport({
          checks: {
            ...checks,
            expected_vs_written: { ...checks.expected_vs_written, expected_file_count: null },
          },
        })}
      />,
    );
    const table = screen.getByRole('table', { name: 'Expected and written' });
    expect(cellsOf(rowOf(table, 'Files'))).toEqual(['not given', '37', '37']);
  });

  it('shows every geometry and resolution check, "none" where it found nothing', () => {
    renderWithProviders(<ExportChecksContent item={jobExport} />);

    const table = screen.getByRole('table', { name: 'Geometry and resolution' });
    expect(cellsOf(rowOf(table, 'Instances outside their image or frame'))).toEqual(['3']);
    expect(cellsOf(rowOf(table, 'Zero-area boxes'))).toEqual(['none']);
    expect(cellsOf(rowOf(table, 'Polygons with fewer than 3 points'))).toEqual(['none']);
    expect(cellsOf(rowOf(table, 'Video instances past the last frame'))).toEqual(['1']);
    expect(cellsOf(rowOf(table, 'Keypoints outside their image'))).toEqual(['none']);
    expect(cellsOf(rowOf(table, 'Files without width or height'))).toEqual(['none']);
  });

  it('shows the task numbers of a job source, and no task table for a directory', () => {
    const { unmount } = renderWithProviders(<ExportChecksContent item={jobExport} />);

    const table = screen.getByRole('table', { name: 'Tasks and files' });
    expect(cellsOf(rowOf(table, 'Tasks complete'))).toEqual(['37 of 40']);
    expect(cellsOf(rowOf(table, 'Files exported'))).toEqual(['38']);
    expect(cellsOf(rowOf(table, 'Complete files with open tasks'))).toEqual(['1']);
    expect(cellsOf(rowOf(table, 'Files not complete whose tasks are'))).toEqual(['none']);
    unmount();

    renderWithProviders(<ExportChecksContent item={buildExport({ checks: buildCleanChecks() })} />);
    expect(screen.queryByRole('table', { name: 'Tasks and files' })).toBeNull();
  });

  it('counts instances per label and per type, and files per type with those holding none', () => {
    renderWithProviders(<ExportChecksContent item={jobExport} />);

    const labels = screen.getByRole('table', { name: 'Instances per label' });
    expect(cellsOf(rowOf(labels, 'car'))).toEqual(['301']);
    expect(cellsOf(rowOf(labels, 'cyclist'))).toEqual(['14']);
    const types = screen.getByRole('table', { name: 'Instances per type' });
    expect(cellsOf(rowOf(types, 'box'))).toEqual(['395']);
    expect(cellsOf(rowOf(types, 'keypoints'))).toEqual(['12']);
    const files = screen.getByRole('table', { name: 'Files per type' });
    expect(cellsOf(rowOf(files, 'image'))).toEqual(['36']);
    expect(cellsOf(rowOf(files, 'video'))).toEqual(['2']);
    expect(cellsOf(rowOf(files, 'Files with no instance'))).toEqual(['2']);
  });

  it('says "No instances" for an export that holds none', () => {
    renderWithProviders(
      <ExportChecksContent
        item={buildExport({
          checks: buildCleanChecks({ instances_per_label: [], instances_per_type: {} }),
        })}
      />,
    );
    const labels = screen.getByRole('table', { name: 'Instances per label' });
    expect(labels).toHaveTextContent('No instances');
  });

  it('says why an older complete export has no check values', () => {
    renderWithProviders(<ExportChecksContent item={buildExport({ id: 4, checks: null })} />);
    expect(
      screen.getByText(/Export 4 was made before annex kept check values/),
    ).toBeInTheDocument();
  });

  it('says an export that is not complete has its check values later', () => {
    renderWithProviders(
      <ExportChecksContent
        item={buildExport({ id: 5, status: 'queued', percent_complete: 0, checks: null })}
      />,
    );
    expect(screen.getByText(/show here once export 5 is complete/)).toBeInTheDocument();
  });
});
