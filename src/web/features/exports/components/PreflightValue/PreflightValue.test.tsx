import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { buildPreflight } from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { PreflightValue } from './PreflightValue.tsx';
import type { PreflightValueProps } from './PreflightValue.tsx';

const idle: PreflightValueProps = {
  waitingForSource: false,
  source: 'directory',
  pending: false,
  updating: false,
  data: buildPreflight(),
  error: undefined,
};

function checkValue(): HTMLElement {
  return screen.getByRole('status', { name: 'Check value' });
}

describe('PreflightValue', () => {
  it('asks for a source before it can count', () => {
    renderWithProviders(
      <PreflightValue {...idle} waitingForSource source="job" data={undefined} />,
    );
    expect(checkValue()).toHaveTextContent('Pick a job to see what it would export.');
  });

  it('says it is counting until a first count arrives', () => {
    renderWithProviders(<PreflightValue {...idle} pending updating data={undefined} />);
    expect(checkValue()).toHaveTextContent('Counting files…');
    expect(checkValue()).toHaveAttribute('aria-busy', 'true');
  });

  it('shows the count', () => {
    renderWithProviders(<PreflightValue {...idle} />);
    expect(checkValue()).toHaveTextContent('Will export 37 files · 412 instances');
  });

  it('says why an export would hold nothing', () => {
    const reason = 'No file matches: 12 files, none marked complete. Choose All to export them.';
    renderWithProviders(
      <PreflightValue
        {...idle}
        data={buildPreflight({ file_count: 0, instance_count: 0, empty_reason: reason })}
      />,
    );
    expect(checkValue()).toHaveTextContent('Will export 0 files · 0 instances');
    expect(checkValue()).toHaveTextContent(reason);
  });

  it('keeps the last count on screen while the next one loads', () => {
    renderWithProviders(<PreflightValue {...idle} updating />);
    expect(checkValue()).toHaveTextContent('Will export 37 files');
    expect(checkValue()).toHaveAttribute('aria-busy', 'true');
  });

  it('says why the count failed', () => {
    renderWithProviders(<PreflightValue {...idle} error="The database is locked." />);
    expect(checkValue()).toHaveTextContent('Could not count the files: The database is locked.');
  });
});
