import { TextInput } from '@mantine/core';
import type { TaskStatus } from '../../../../../contract/annotations.ts';
import { taskRefName } from '../../../../../contract/exports.ts';
import type { TaskDetail } from '../../../../../contract/projects.ts';

/** Props of TaskSource. */
export interface TaskSourceProps {
  /** The task named by `?task_id=`. */
  taskId: number | null;
  /** The task as the server describes it; undefined until it answers (or when it cannot). */
  task: TaskDetail | undefined;
  /** Why the task could not be read (the server's words). */
  error: string | undefined;
  className?: string;
}

const taskStatusLabels: Record<TaskStatus, string> = {
  available: 'available',
  in_progress: 'in progress',
  complete: 'complete',
  archived: 'archived',
};

/**
 * The Task source: a task comes only from the URL, so there is no picker, just the task named the
 * way the export list will name it (job / file), with its status.
 */
export function TaskSource({ taskId, task, error, className }: TaskSourceProps) {
  return (
    <TextInput
      label="Task"
      className={className}
      value={
        task === undefined
          ? `Task ${taskId ?? ''}`
          : taskRefName(task.job.name, task.file.original_filename)
      }
      description={
        task === undefined
          ? undefined
          : `Task ${String(task.id)} · ${taskStatusLabels[task.status]}`
      }
      error={error}
      readOnly
    />
  );
}
