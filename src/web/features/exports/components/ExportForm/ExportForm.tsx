import { useId, useState } from 'react';
import type { SubmitEvent } from 'react';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Flex,
  Group,
  Input,
  SegmentedControl,
  Stack,
  Text,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { Export, ExportSource } from '../../../../../contract/exports.ts';
import type { DirectorySummary, JobSummary } from '../../../../../contract/projects.ts';
import { errorMessage, isApiStatus } from '../../../../lib/api-client.ts';
import { projectQueries } from '../../../projects/api/project-queries.ts';
import { useCreateExport } from '../../api/export-mutations.ts';
import { usePreflight } from '../../hooks/use-preflight.ts';
import { initialSelection, toCreateExportRequest } from '../../utils/export-selection.ts';
import type { ExportSelection, SourcePreselect } from '../../utils/export-selection.ts';
import { DirectoryPicker } from '../DirectoryPicker/DirectoryPicker.tsx';
import { JobPicker } from '../JobPicker/JobPicker.tsx';
import { PreflightValue } from '../PreflightValue/PreflightValue.tsx';
import { TaskSource } from '../TaskSource/TaskSource.tsx';
import classes from './ExportForm.module.css';

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

  const preflight = usePreflight(project, selection);

  // The form needs the task too, not only its field: an unknown task keeps Generate disabled.
  const preselectedTaskId = preselect?.source === 'task' ? preselect.id : null;
  const task = useQuery(projectQueries.task(project, preselectedTaskId));
  const taskMissing = selection.source === 'task' && isApiStatus(task.error, 404);

  const createExport = useCreateExport(project);
  const handleGenerate = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const request = toCreateExportRequest(selection, preflight.shownFileCount);
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
            <DirectoryPicker
              directories={directories}
              value={selection.directoryId}
              onChange={(directoryId) => update({ directoryId })}
              className={classes.sourcePicker}
            />
          )}

          {selection.source === 'job' && (
            <JobPicker
              jobs={jobs}
              jobsError={jobsError}
              value={selection.jobId}
              onChange={(jobId) => update({ jobId })}
              className={classes.sourcePicker}
            />
          )}

          {selection.source === 'task' && (
            <TaskSource
              taskId={selection.taskId}
              task={task.data?.task}
              error={task.isError ? errorMessage(task.error) : undefined}
              className={classes.sourcePicker}
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
            disabled={preflight.query === null || taskMissing}
            className={classes.generate}
          >
            Generate
          </Button>
        </Flex>

        <Group justify="space-between" align="flex-start" gap="xs" wrap="wrap">
          <Text id={filesHelpId} size="xs" c="dimmed" className={classes.explanation}>
            {completionExplanation(selection.source)}
          </Text>
          <PreflightValue
            waitingForSource={preflight.query === null}
            source={selection.source}
            pending={preflight.pending}
            updating={preflight.updating}
            data={preflight.data}
            error={preflight.error}
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
