import { lazy, Suspense, useRef, useState } from 'react';
import { Alert, Button, Drawer, Group, Loader, Progress, Stack, Text } from '@mantine/core';
import { useClipboard } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import type { Export } from '../../../../../contract/exports.ts';
import type { JsonViewerHandle } from '../../../../components/JsonViewer/JsonViewer.tsx';
import { errorMessage } from '../../../../lib/api-client.ts';
import { formatBytes, formatCount } from '../../../../lib/format.ts';
import { exportQueries } from '../../api/export-queries.ts';
import { usePrettyPrinterOverride } from '../../pretty-print/pretty-printer-context.ts';
import type { PrettyPrintedFile } from '../../pretty-print/pretty-printer.ts';
import classes from './ExportPreview.module.css';

/** Props of ExportPreview. */
export interface ExportPreviewProps {
  /** The project's `project_string_id`. */
  project: string;
  /** The export to show; null keeps the drawer closed. */
  item: Export | null;
  onClose: () => void;
}

const fileIdKey = /^\d+$/;

// CodeMirror is most of the panel's weight and only the preview needs it: load it on first preview.
const JsonViewer = lazy(() =>
  import('../../../../components/JsonViewer/JsonViewer.tsx').then((module) => ({
    default: module.JsonViewer,
  })),
);

/** A drawer with the export's file pretty-printed: highlighted, foldable by file packet, searchable, copyable. */
export function ExportPreview({ project, item, onClose }: ExportPreviewProps) {
  return (
    <Drawer
      opened={item !== null}
      onClose={onClose}
      position="right"
      size="min(72rem, 100%)"
      title={item === null ? 'Preview' : `Preview of export ${item.id}`}
      classNames={{ content: classes.content, body: classes.body }}
    >
      {item !== null && <PreviewBody key={item.id} project={project} item={item} />}
    </Drawer>
  );
}

function PreviewBody({ project, item }: { project: string; item: Export }) {
  const printer = usePrettyPrinterOverride();
  const preview = useQuery(exportQueries.preview(project, item.id, printer));

  if (preview.isPending) {
    return (
      <Group gap="sm" role="status" aria-live="polite">
        <Loader size="sm" />
        <Text size="sm">
          Fetching and formatting {item.file_name ?? `export ${item.id}`}
          {item.size_bytes === null ? '' : ` (${formatBytes(item.size_bytes)})`}…
        </Text>
      </Group>
    );
  }
  if (preview.isError) {
    return (
      <Alert color="red" title="The file could not be previewed">
        <Stack gap="sm" align="flex-start">
          <Text size="sm">{errorMessage(preview.error)}</Text>
          <Button variant="light" color="red" size="xs" onClick={() => void preview.refetch()}>
            Try again
          </Button>
        </Stack>
      </Alert>
    );
  }
  return <PreviewContent item={item} result={preview.data} />;
}

function PreviewContent({ item, result }: { item: Export; result: PrettyPrintedFile }) {
  const viewerRef = useRef<JsonViewerHandle | null>(null);
  const [loaded, setLoaded] = useState(0);
  const clipboard = useClipboard({ timeout: 2000 });
  const packetCount = result.topLevelRanges.filter((range) => fileIdKey.test(range.key)).length;
  const complete = loaded >= 1;

  // Folding every top-level entry leaves an outline: the metadata, then one line per file packet.
  const foldTopLevel = () => viewerRef.current?.fold(result.topLevelRanges);
  const unfold = () => viewerRef.current?.unfoldAll();
  const openSearch = () => viewerRef.current?.openSearch();
  // Joined only when asked: the text arrives and stays in pieces.
  const copy = () => clipboard.copy(result.chunks.join(''));

  return (
    <Stack gap="xs" className={classes.stack}>
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Text size="sm" c="dimmed">
          {item.file_name} · {formatCount(result.lineCount)} lines · {formatCount(packetCount)} file
          packets
        </Text>
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={openSearch}>
            Search
          </Button>
          <Button
            size="xs"
            variant="default"
            onClick={foldTopLevel}
            disabled={!complete || result.topLevelRanges.length === 0}
          >
            Fold to top level
          </Button>
          <Button size="xs" variant="default" onClick={unfold}>
            Unfold all
          </Button>
          <Button
            size="xs"
            variant={clipboard.copied ? 'filled' : 'light'}
            color={clipboard.copied ? 'teal' : undefined}
            onClick={copy}
          >
            {clipboard.copied ? 'Copied' : 'Copy JSON'}
          </Button>
        </Group>
      </Group>
      {!complete && (
        <Progress
          value={Math.round(loaded * 100)}
          size="xs"
          aria-label={`Loading the file into the viewer`}
        />
      )}
      <div className={classes.viewer}>
        <Suspense fallback={<Loader size="sm" aria-label="Loading the viewer" />}>
          <JsonViewer
            chunks={result.chunks}
            label={`Export ${item.id} file, pretty-printed JSON`}
            onReady={(handle) => {
              viewerRef.current = handle;
            }}
            onProgress={setLoaded}
          />
        </Suspense>
      </div>
    </Stack>
  );
}
