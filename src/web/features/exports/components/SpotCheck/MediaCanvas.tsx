import { useState } from 'react';
import { Alert, Stack, Text } from '@mantine/core';
import type { AnyInstance } from '../../../../../contract/export-file.ts';
import { InstanceShape, isDrawnOnMedia } from './InstanceShape.tsx';
import type { SpotCheckLabels } from './spot-check-labels.ts';
import classes from './MediaCanvas.module.css';

/** Props of MediaCanvas. */
export interface MediaCanvasProps {
  /** The media URL the file states (image_signed_url, or the video's URL: shown as a still when the browser can). */
  mediaUrl: string;
  /** Width and height as the file states them; null when it states none. */
  width: number | null;
  height: number | null;
  instances: AnyInstance[];
  labels: SpotCheckLabels;
  /** Names the picture for assistive technology (`street-01.jpg`, `frame 72 of clip.mp4`). */
  caption: string;
}

// When the file states no size the instances still need a space: this one, said in a note.
const fallbackSize = { width: 1280, height: 720 };

/**
 * The file's media stretched to the width × height the file states (a wrong stated size shows as a
 * distorted picture, which is the point), with every instance drawn over it in file pixels. When
 * the media cannot be loaded the instances are drawn on a neutral canvas of the stated size, saying so.
 */
export function MediaCanvas({
  mediaUrl,
  width,
  height,
  instances,
  labels,
  caption,
}: MediaCanvasProps) {
  // Keyed by URL, so stepping to another file tries its media afresh.
  const [failedUrl, setFailedUrl] = useState<string | null>(null);
  const failed = failedUrl === mediaUrl;
  const sized = width !== null && height !== null && width > 0 && height > 0;
  const w = sized ? width : fallbackSize.width;
  const h = sized ? height : fallbackSize.height;
  const unit = Math.max(w, h) / 400;
  const drawn = instances.filter(isDrawnOnMedia);
  return (
    <Stack gap="xs">
      {!sized && (
        <Alert color="orange" variant="light" p="xs">
          <Text size="sm">
            The file states no width or height ({String(width)}×{String(height)}): drawn on a {w}×
            {h} canvas, so the positions below cannot be checked against the picture.
          </Text>
        </Alert>
      )}
      {failed && (
        <Alert color="gray" variant="light" p="xs" role="note">
          <Text size="sm">
            media could not be loaded ({mediaUrl}); drawn at the stated {w}×{h}
          </Text>
        </Alert>
      )}
      <div
        className={`${classes.frame} ${failed ? classes.neutral : ''}`}
        // The frame keeps the stated aspect ratio; its width is capped so the whole picture fits below the controls.
        style={{ aspectRatio: `${w} / ${h}`, maxWidth: `calc((100dvh - 28rem) * ${w / h})` }}
        data-testid="spot-check-canvas"
        data-stated-size={`${w}x${h}`}
      >
        {!failed && (
          <img
            className={classes.layer}
            src={mediaUrl}
            alt={caption}
            onError={() => setFailedUrl(mediaUrl)}
          />
        )}
        <svg
          className={classes.layer}
          viewBox={`0 0 ${w} ${h}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`${caption}: ${drawn.length} instance${drawn.length === 1 ? '' : 's'} drawn`}
        >
          {drawn.map((instance) => (
            <InstanceShape key={instance.id} instance={instance} labels={labels} unit={unit} />
          ))}
        </svg>
      </div>
    </Stack>
  );
}
