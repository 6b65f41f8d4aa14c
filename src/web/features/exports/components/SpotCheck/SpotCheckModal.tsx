import { useState } from 'react';
import type { SubmitEvent } from 'react';
import {
  Alert,
  Button,
  Group,
  Loader,
  Modal,
  NumberInput,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { maxSampleSeed } from '../../../../../contract/export-sample.ts';
import type { Export } from '../../../../../contract/exports.ts';
import { errorMessage } from '../../../../lib/api-client.ts';
import { exportSampleQuery } from '../../api/export-sample-api.ts';
import type { SampleSelection } from '../../api/export-sample-api.ts';
import { flaggedFiles } from './flagged-files.ts';
import { SpotCheckFile } from './SpotCheckFile.tsx';

/** Props of SpotCheckModal. */
export interface SpotCheckModalProps {
  project: string;
  /** The complete export to spot-check; null when closed. */
  item: Export | null;
  onClose: () => void;
}

/** How many files a random spot-check samples. */
export const spotCheckSampleSize = 20;

/** A seed for a new sample: any 32-bit value the API accepts. */
export function newSeed(): number {
  return Math.floor(Math.random() * (maxSampleSeed + 1));
}

/**
 * The visual spot-check of a complete export: a sample of its files read from the export file
 * itself (random with a shown, changeable seed; the files its check values flagged; or one file
 * by id), one file at a time with its instances drawn.
 */
export function SpotCheckModal({ project, item, onClose }: SpotCheckModalProps) {
  return (
    <Modal
      opened={item !== null}
      onClose={onClose}
      size="min(80rem, 100%)"
      title={item === null ? 'Spot check' : `Spot check of export ${item.id}`}
    >
      {item !== null && <SpotCheckBody key={item.id} project={project} item={item} />}
    </Modal>
  );
}

type Mode = { kind: 'random' } | { kind: 'flagged' } | { kind: 'jump'; fileId: number };

/** The body, with its own state per export; `initialSeed` is the first sample's seed (random when omitted). */
export function SpotCheckBody({
  project,
  item,
  initialSeed,
}: {
  project: string;
  item: Export;
  initialSeed?: number;
}) {
  const [seed, setSeed] = useState(() => initialSeed ?? newSeed());
  const [mode, setMode] = useState<Mode>({ kind: 'random' });
  const [index, setIndex] = useState(0);
  const [jumpText, setJumpText] = useState('');
  const flagged = flaggedFiles(item.checks);
  const selection: SampleSelection =
    mode.kind === 'random'
      ? { kind: 'random', seed, count: spotCheckSampleSize }
      : {
          kind: 'file_ids',
          fileIds: mode.kind === 'jump' ? [mode.fileId] : flagged.map((file) => file.fileId),
        };
  const sample = useQuery({
    ...exportSampleQuery(project, item.id, selection),
    placeholderData: keepPreviousData,
  });
  const files = sample.data?.files ?? [];
  const at = Math.min(index, Math.max(files.length - 1, 0));
  const current = files[at];

  const changeMode = (next: Mode) => {
    setMode(next);
    setIndex(0);
  };
  const handleJump = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const fileId = Number(jumpText.trim());
    if (!Number.isInteger(fileId) || fileId < 1) return;
    const here = files.findIndex((packet) => packet.file.id === fileId);
    if (here >= 0 && !sample.isPlaceholderData) setIndex(here);
    else changeMode({ kind: 'jump', fileId });
  };
  const jumpInvalid =
    jumpText.trim() !== '' && !/^[1-9]\d*$/.test(jumpText.trim()) ? 'a file id: digits only' : null;

  return (
    <Stack gap="md">
      <Group gap="md" align="flex-end" wrap="wrap">
        <NumberInput
          label="Seed"
          description="The same seed shows the same files"
          value={seed}
          min={0}
          max={maxSampleSeed}
          allowDecimal={false}
          allowNegative={false}
          w={180}
          onChange={(value) => {
            if (typeof value === 'number' && value <= maxSampleSeed) {
              setSeed(value);
              changeMode({ kind: 'random' });
            }
          }}
        />
        <Button
          variant="default"
          onClick={() => {
            setSeed(newSeed());
            changeMode({ kind: 'random' });
          }}
        >
          New sample
        </Button>
        <form onSubmit={handleJump}>
          <Group gap="xs" align="flex-end">
            <TextInput
              label="Jump to file id"
              value={jumpText}
              onChange={(event) => setJumpText(event.currentTarget.value)}
              error={jumpInvalid}
              w={140}
            />
            <Button type="submit" variant="default" disabled={jumpInvalid !== null}>
              Go
            </Button>
          </Group>
        </form>
        {flagged.length > 0 && (
          <Switch
            label={`Flagged only (${flagged.length} file${flagged.length === 1 ? '' : 's'})`}
            checked={mode.kind === 'flagged'}
            onChange={(event) =>
              changeMode(event.currentTarget.checked ? { kind: 'flagged' } : { kind: 'random' })
            }
          />
        )}
      </Group>

      <Group gap="sm">
        <Button
          size="xs"
          variant="default"
          disabled={at === 0 || files.length === 0}
          onClick={() => setIndex(at - 1)}
        >
          Previous file
        </Button>
        <Button
          size="xs"
          variant="default"
          disabled={at >= files.length - 1}
          onClick={() => setIndex(at + 1)}
        >
          Next file
        </Button>
        <Text size="sm" aria-live="polite">
          {sample.data === undefined
            ? ''
            : `File ${files.length === 0 ? 0 : at + 1} of ${files.length} · ${describe(mode, sample.data.seed, sample.data.file_count)}`}
        </Text>
        {sample.isFetching && <Loader size="xs" aria-label="Reading the export file" />}
      </Group>

      {sample.isPending ? (
        <Group gap="sm" role="status">
          <Loader size="sm" />
          <Text size="sm">Reading files from the export file…</Text>
        </Group>
      ) : sample.isError ? (
        <Alert color="red" title="The sample could not be read">
          <Stack gap="sm" align="flex-start">
            <Text size="sm">{errorMessage(sample.error)}</Text>
            <Button variant="light" color="red" size="xs" onClick={() => void sample.refetch()}>
              Try again
            </Button>
          </Stack>
        </Alert>
      ) : (
        <>
          {sample.data.missing_file_ids.length > 0 && (
            <Alert color="orange" variant="light">
              <Text size="sm">
                Export {item.id} holds no file {sample.data.missing_file_ids.join(', ')}: it was not
                selected (not complete, removed, or in another source).
              </Text>
            </Alert>
          )}
          {current === undefined ? (
            <Text size="sm" c="dimmed">
              No file to show.
            </Text>
          ) : (
            <SpotCheckFile
              key={current.file.id}
              packet={current}
              labels={{
                labelMap: sample.data.label_map,
                labelColourMap: sample.data.label_colour_map,
              }}
              reasons={flagged.find((file) => file.fileId === current.file.id)?.reasons ?? []}
            />
          )}
        </>
      )}
    </Stack>
  );
}

function describe(mode: Mode, seed: number | null, fileCount: number | null): string {
  if (mode.kind === 'flagged') return 'files flagged by the checks';
  if (mode.kind === 'jump') return `file ${mode.fileId}`;
  return `random sample, seed ${seed ?? '?'}${fileCount === null ? '' : `, of ${fileCount} files`}`;
}
