import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { buildTaskDetail } from '../../../../test-utils/builders.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { TaskSource } from './TaskSource.tsx';

describe('TaskSource', () => {
  it('names the task by its id until the server describes it', () => {
    renderWithProviders(<TaskSource taskId={99} task={undefined} error={undefined} />);
    expect(screen.getByRole('textbox', { name: 'Task' })).toHaveValue('Task 99');
  });

  it('names the task the way the export list will: job / file, with its status', () => {
    renderWithProviders(<TaskSource taskId={99} task={buildTaskDetail().task} error={undefined} />);
    const field = screen.getByRole('textbox', { name: 'Task' });
    expect(field).toHaveValue('Street scenes review / street-03.jpg');
    expect(field).toHaveAccessibleDescription('Task 99 · complete');
    expect(field).toHaveAttribute('readonly');
  });

  it('shows the server’s reason when the task cannot be read', () => {
    renderWithProviders(
      <TaskSource taskId={99} task={undefined} error='Task 99 in project "demo" was not found.' />,
    );
    expect(screen.getByRole('textbox', { name: 'Task' })).toHaveAccessibleDescription(
      'Task 99 in project "demo" was not found.',
    );
  });
});
