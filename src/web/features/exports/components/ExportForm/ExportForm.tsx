import { useId, useMemo, useState } from 'react';
import type { SubmitEvent } from 'react';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Flex,
  Group,
  Input,
  Loader,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import type { TaskStatus } from '../../../../../contract/annotations.ts';
import { taskRefName } from '../../../../../contract/exports.ts';
import type { Export, ExportSource } from '../../../../../contract/exports.ts';
import type { DirectorySummary, JobSummary } from '../../../../../contract/projects.ts';
import { errorMessage, isApiStatus } from '../../../../lib/api-client.ts';
import { formatCount, pluralize } from '../../../../lib/format.ts';
import { projectQueries } from '../../../projects/api/project-queries.ts';
import { useCreateExport } from '../../api/export-mutations.ts';
import { exportQueries } from '../../api/export-queries.ts';
import {
  formatCheckValue,
  initialSelection,
  toCreateExportRequest,
  toPreflightQuery,
} from './export-selection.ts';
import type { ExportSelection, SourcePreselect } from './export-selection.ts';
import classes from './ExportForm.module.css';

/** How long the form waits after the last change before asking for a new check value. */
export const preflightDebounceMs = 300;

/** Props of ExportForm. */
export interface ExportFormProps {
  /** The project's `project_string_id`. */
  project: string;
  directories: DirectorySummary[];
  /** The project's jobs; undefined while they load. */
  jobs: JobSummary[] | undefined;
  /** Why the jobs could not be loaded, if they could not. */
  jobsError?: string;
  /** The header's current directory: the Directory picker starts there and follows it. */
  currentDirectoryId: number | null;
  /** The source named in the page's URL, if any. */
  preselect: SourcePreselect;
  /** Called with the export the server queued. */
  onCreated?: (created: Export) => void;
}

const fileFilterOptions = [
  { value: 'complete', label: 'Completed only' },
  { value: 'all', label: 'All' },
];

function completionExplanation(source: ExportSource): string {
  return source === 'job'
    ? 'Completed only keeps the files of the job’s complete tasks. A task’s status is not its file’s completion: compare the count below with the job.'
    : 'Completed only keeps files marked complete. That is the file’s own completion, not a task’s status: a new task on a complete file resets it.';
}

const taskStatusLabels: Record<TaskStatus, string> = {
  available: 'available',
  in_progress: 'in progress',
  complete: 'complete',
  archived: 'archived',
};

function taskSummary(job: JobSummary): string {
  const counts = job.task_counts;
  return `${pluralize(job.task_count, 'task')} · ${formatCount(counts.complete)} complete · ${formatCount(counts.in_progress)} in progress · ${formatCount(counts.available)} available`;
}

/** The export settings form: source, completion filter, removed instances, the check value and Generate. */
export function ExportForm({
  project,
  directories,
  jobs,
  jobsError,
  currentDirectoryId,
  preselect,
  onCreated,
}: ExportFormProps) {
  const [selection, setSelection] = useState<ExportSelection>(() =>
    initialSelection(preselect, currentDirectoryId),
  );
  // The Directory picker follows the header's current directory whenever that changes.
  const [followedDirectoryId, setFollowedDirectoryId] = useState(currentDirectoryId);
  if (followedDirectoryId !== currentDirectoryId) {
    setFollowedDirectoryId(currentDirectoryId);
    setSelection((previous) => ({ ...previous, directoryId: currentDirectoryId }));
  }
  const update = (change: Partial<ExportSelection>) =>
    setSelection((previous) => ({ ...previous, ...change }));

  const preflightQuery = useMemo(() => toPreflightQuery(selection), [selection]);
  const [debouncedPreflightQuery] = useDebouncedValue(preflightQuery, preflightDebounceMs);
  const preflight = useQuery(exportQueries.preflight(project, debouncedPreflightQuery));
  // Only a count for exactly these settings may go to the server as the expected count.
  const shownFileCount =
    preflightQuery !== null &&
    debouncedPreflightQuery === preflightQuery &&
    preflight.isSuccess &&
    !preflight.isPlaceholderData
      ? preflight.data.file_count
      : undefined;

  // A task has no picker, so the field names it the way the export list will: job / file.
  const preselectedTaskId = preselect?.source === 'task' ? preselect.id : null;
  const task = useQuery(projectQueries.task(project, preselectedTaskId));
  const taskMissing = selection.source === 'task' && isApiStatus(task.error, 404);

  const createExport = useCreateExport(project);
  const handleGenerate = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const request = toCreateExportRequest(selection, shownFileCount);
    if (request === null || taskMissing || createExport.isPending) return;
    createExport.mutate(request, { onSuccess: (created) => onCreated?.(created) });
  };

  const sourceLabelId = useId();
  const filesLabelId = useId();
  const filesHelpId = useId();
  const sourceOptions = [
    { value: 'directory', label: 'Directory' },
    { value: 'job', label: 'Job' },
    ...(preselect?.source === 'task' ? [{ value: 'task', label: 'Task' }] : []),
  ];
  const preselectedJobMissing =
    selection.source === 'job' &&
    selection.jobId !== null &&
    jobs !== undefined &&
    !jobs.some((job) => job.id === selection.jobId);

  return (
    <form onSubmit={handleGenerate} aria-label="New export" noValidate>
      <Stack gap="xs">
        <Flex
          direction={{ base: 'column', md: 'row' }}
          align={{ base: 'stretch', md: 'flex-end' }}
          gap="md"
          className={classes.row}
        >
          <Input.Wrapper label="Source" labelElement="div" id={sourceLabelId}>
            <SegmentedControl
              aria-labelledby={`${sourceLabelId}-label`}
              data={sourceOptions}
              value={selection.source}
              onChange={(value) => update({ source: value as ExportSource })}
              fullWidth
            />
          </Input.Wrapper>

          {selection.source === 'directory' && (
            <Select<number>
              label="Directory"
              placeholder="Pick a directory"
              className={classes.sourcePicker}
              data={directories.map((directory) => ({
                value: directory.id,
                label: directory.nickname,
              }))}
              value={selection.directoryId}
              onChange={(value) => update({ directoryId: value })}
              allowDeselect={false}
              renderOption={({ option }) => {
                const directory = directories.find((item) => item.id === option.value);
                return (
                  <Stack gap={0}>
                    <Text size="sm">{option.label}</Text>
                    {directory !== undefined && (
                      <Text size="xs" c="dimmed">
                        {pluralize(directory.file_count, 'file')} ·{' '}
                        {formatCount(directory.completed_file_count)} complete
                      </Text>
                    )}
                  </Stack>
                );
              }}
            />
          )}

          {selection.source === 'job' && (
            <Select<number>
              label="Job"
              placeholder={
                jobs === undefined && jobsError === undefined ? 'Loading jobs…' : 'Search jobs'
              }
              className={classes.sourcePicker}
              searchable
              nothingFoundMessage={
                jobs?.length === 0 ? 'This project has no jobs' : 'No job matches'
              }
              disabled={jobs === undefined}
              data={(jobs ?? []).map((job) => ({ value: job.id, label: job.name }))}
              value={selection.jobId}
              onChange={(value) => update({ jobId: value })}
              allowDeselect={false}
              error={
                jobsError ??
                (preselectedJobMissing
                  ? `Job ${selection.jobId ?? ''} is not in this project: pick another.`
                  : undefined)
              }
              renderOption={({ option }) => {
                const job = jobs?.find((item) => item.id === option.value);
                return (
                  <Stack gap={0}>
                    <Text size="sm">{option.label}</Text>
                    {job !== undefined && (
                      <Text size="xs" c="dimmed">
                        {taskSummary(job)}
                      </Text>
                    )}
                  </Stack>
                );
              }}
            />
          )}

          {selection.source === 'task' && (
            <TextInput
              label="Task"
              className={classes.sourcePicker}
              value={
                task.data === undefined
                  ? `Task ${selection.taskId ?? ''}`
                  : taskRefName(task.data.task.job.name, task.data.task.file.original_filename)
              }
              description={
                task.data === undefined
                  ? undefined
                  : `Task ${String(task.data.task.id)} · ${taskStatusLabels[task.data.task.status]}`
              }
              error={task.isError ? errorMessage(task.error) : undefined}
              readOnly
            />
          )}

          <Input.Wrapper label="Files" labelElement="div" id={filesLabelId}>
            <SegmentedControl
              aria-labelledby={`${filesLabelId}-label`}
              aria-describedby={filesHelpId}
              data={fileFilterOptions}
              value={selection.annIsComplete ? 'complete' : 'all'}
              onChange={(value) => update({ annIsComplete: value === 'complete' })}
              fullWidth
            />
          </Input.Wrapper>

          <Box className={classes.checkboxCell}>
            <Checkbox
              label="Include removed instances"
              checked={selection.includeRemoved}
              onChange={(event) => update({ includeRemoved: event.currentTarget.checked })}
            />
          </Box>

          <Button
            type="submit"
            loading={createExport.isPending}
            disabled={preflightQuery === null || taskMissing}
            className={classes.generate}
          >
            Generate
          </Button>
        </Flex>

        <Group justify="space-between" align="flex-start" gap="xs" wrap="wrap">
          <Text id={filesHelpId} size="xs" c="dimmed" className={classes.explanation}>
            {completionExplanation(selection.source)}
          </Text>
          <PreflightCheckValue
            waitingForSource={preflightQuery === null}
            source={selection.source}
            pending={
              preflight.isPending ||
              (preflightQuery !== debouncedPreflightQuery && preflight.data === undefined)
            }
            updating={preflight.isFetching || preflightQuery !== debouncedPreflightQuery}
            data={preflight.data}
            error={preflight.isError ? errorMessage(preflight.error) : undefined}
          />
        </Group>

        {createExport.isError && (
          <Alert
            color="red"
            title="The export could not be started"
            withCloseButton
            onClose={() => createExport.reset()}
          >
            {errorMessage(createExport.error)}
          </Alert>
        )}
      </Stack>
    </form>
  );
}

interface PreflightCheckValueProps {
  waitingForSource: boolean;
  source: ExportSource;
  pending: boolean;
  updating: boolean;
  data:
    | {
        file_count: number;
        instance_count: number;
        source_file_count: number;
        empty_reason: string | null;
      }
    | undefined;
  error: string | undefined;
}

// The check value a user compares with what they expect before pressing Generate.
function PreflightCheckValue({
  waitingForSource,
  source,
  pending,
  updating,
  data,
  error,
}: PreflightCheckValueProps) {
  let content;
  if (waitingForSource) {
    content = (
      <Text size="sm" c="dimmed">
        Pick a {source} to see what it would export.
      </Text>
    );
  } else if (error !== undefined) {
    content = (
      <Text size="sm" c="red">
        Could not count the files: {error}
      </Text>
    );
  } else if (pending || data === undefined) {
    content = (
      <Group gap={6}>
        <Loader size="xs" />
        <Text size="sm" c="dimmed">
          Counting files…
        </Text>
      </Group>
    );
  } else {
    content = (
      <Stack gap={2} align="flex-end" className={updating ? classes.updating : undefined}>
        <Text size="sm" fw={600}>
          {formatCheckValue(data)}
        </Text>
        {data.file_count === 0 && data.empty_reason !== null && (
          <Text size="sm" c="orange.8" ta="right">
            {data.empty_reason}
          </Text>
        )}
      </Stack>
    );
  }
  return (
    <Box
      role="status"
      aria-live="polite"
      aria-busy={updating}
      aria-label="Check value"
      className={classes.checkValue}
    >
      {content}
    </Box>
  );
}
