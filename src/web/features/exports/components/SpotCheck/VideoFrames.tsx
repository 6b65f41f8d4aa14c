import { useState } from 'react';
import { Button, Group, Stack, Text } from '@mantine/core';
import type { AnyInstance, VideoFilePacket } from '../../../../../contract/export-file.ts';
import { MediaCanvas } from './MediaCanvas.tsx';
import type { SpotCheckLabels } from './spot-check-labels.ts';

/** The frames of a video packet that hold instances, in frame order, each with its instances. */
export function framesWithInstances(packet: VideoFilePacket): [frame: number, AnyInstance[]][] {
  const byFrame = new Map<number, AnyInstance[]>();
  const add = (instance: AnyInstance) => {
    if (!('frame_number' in instance)) return;
    const list = byFrame.get(instance.frame_number) ?? [];
    list.push(instance);
    byFrame.set(instance.frame_number, list);
  };
  packet.parent_instance_list.forEach(add);
  for (const sequence of packet.sequence_list) sequence.instance_list.forEach(add);
  return [...byFrame.entries()].sort(([a], [b]) => a - b);
}

/** Props of VideoFrames. */
export interface VideoFramesProps {
  packet: VideoFilePacket;
  labels: SpotCheckLabels;
}

/**
 * A video file one frame at a time, stepping through the frames that have instances: the video's
 * URL as a still when the browser can show it (a poster), else the neutral canvas, at the stated size.
 */
export function VideoFrames({ packet, labels }: VideoFramesProps) {
  const frames = framesWithInstances(packet);
  const [index, setIndex] = useState(0);
  const at = Math.min(index, Math.max(frames.length - 1, 0));
  const current = frames[at];
  const { video } = packet;
  const fileLevel = packet.parent_instance_list.filter((instance) => !('frame_number' in instance));
  return (
    <Stack gap="xs">
      <Group gap="sm">
        <Button size="xs" variant="default" disabled={at === 0} onClick={() => setIndex(at - 1)}>
          Previous frame
        </Button>
        <Button
          size="xs"
          variant="default"
          disabled={at >= frames.length - 1}
          onClick={() => setIndex(at + 1)}
        >
          Next frame
        </Button>
        <Text size="sm" aria-live="polite">
          {current === undefined
            ? 'No frame of this video has an instance.'
            : `Frame ${current[0]} of ${video.frame_count ?? '?'} · ${at + 1} of ${frames.length} frames with instances · ${current[1].length} on this frame`}
        </Text>
      </Group>
      <Text size="xs" c="dimmed">
        {video.frame_rate ?? '?'} fps, {packet.sequence_list.length} sequence
        {packet.sequence_list.length === 1 ? '' : 's'}
        {fileLevel.length > 0
          ? `, ${fileLevel.length} file-level instance${fileLevel.length === 1 ? '' : 's'}`
          : ''}
        . Video frames are not decoded here: the instances are drawn over the video&apos;s still.
      </Text>
      <MediaCanvas
        mediaUrl={video.mp4_video_signed_url}
        width={video.width}
        height={video.height}
        instances={current?.[1] ?? []}
        labels={labels}
        caption={`frame ${current?.[0] ?? '–'} of ${packet.file.original_filename}`}
      />
    </Stack>
  );
}
