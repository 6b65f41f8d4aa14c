import { Badge, Group, Stack, Text } from '@mantine/core';
import type { FilePacket } from '../../../../../contract/export-file.ts';
import { countPacketInstances } from '../../../../../contract/export-file.ts';
import { MediaCanvas } from './MediaCanvas.tsx';
import { TextSpans } from './TextSpans.tsx';
import { VideoFrames } from './VideoFrames.tsx';
import type { SpotCheckLabels } from './spot-check-labels.ts';

/** Props of SpotCheckFile. */
export interface SpotCheckFileProps {
  packet: FilePacket;
  labels: SpotCheckLabels;
  /** The checks that flagged this file, when it was flagged. */
  reasons: string[];
}

function statedSize(packet: FilePacket): string {
  if ('image' in packet) return `${packet.image.width ?? '?'}×${packet.image.height ?? '?'}`;
  if ('video' in packet) return `${packet.video.width ?? '?'}×${packet.video.height ?? '?'}`;
  return `${packet.text.tokens.length} tokens`;
}

/** One file packet as the pipeline reads it: its header, then its picture, frames or text. */
export function SpotCheckFile({ packet, labels, reasons }: SpotCheckFileProps) {
  const { file } = packet;
  return (
    <Stack gap="sm">
      <Group gap="xs">
        <Text fw={600}>{file.original_filename}</Text>
        <Badge variant="light" size="sm">
          {file.type}
        </Badge>
        <Text size="sm" c="dimmed">
          file {file.id} · {statedSize(packet)} · {countPacketInstances(packet)} instance
          {countPacketInstances(packet) === 1 ? '' : 's'} ·{' '}
          {file.ann_is_complete ? 'complete' : 'not complete'}
        </Text>
        {reasons.map((reason) => (
          <Badge key={reason} color="orange" variant="light" size="sm">
            {reason}
          </Badge>
        ))}
      </Group>
      {'image' in packet ? (
        <MediaCanvas
          mediaUrl={packet.image.image_signed_url}
          width={packet.image.width}
          height={packet.image.height}
          instances={packet.instance_list}
          labels={labels}
          caption={file.original_filename}
        />
      ) : 'video' in packet ? (
        <VideoFrames key={file.id} packet={packet} labels={labels} />
      ) : (
        <TextSpans packet={packet} labels={labels} />
      )}
    </Stack>
  );
}
