import { Fragment } from 'react';
import { Badge, Group, Stack, Text } from '@mantine/core';
import type { Instance, TextFilePacket } from '../../../../../contract/export-file.ts';
import { labelColour, labelName } from './spot-check-labels.ts';
import type { SpotCheckLabels } from './spot-check-labels.ts';
import classes from './TextSpans.module.css';

type TextTokenInstance = Extract<Instance, { type: 'text_token' }>;

/** Props of TextSpans. */
export interface TextSpansProps {
  packet: TextFilePacket;
  labels: SpotCheckLabels;
}

/**
 * A text file's tokens in order, each token inside a labelled span highlighted in the label's colour
 * (its labels on hover), then the spans listed with the words they cover.
 */
export function TextSpans({ packet, labels }: TextSpansProps) {
  const { tokens } = packet.text;
  const spans = packet.instance_list.filter(
    (instance): instance is TextTokenInstance => instance.type === 'text_token',
  );
  const spansOf = (tokenId: number) =>
    spans.filter((span) => span.start_token <= tokenId && tokenId <= span.end_token);
  const wordsOf = (span: TextTokenInstance) =>
    tokens
      .filter((token) => span.start_token <= token.id && token.id <= span.end_token)
      .map((token) => token.text)
      .join(' ');
  return (
    <Stack gap="sm">
      <Text size="xs" c="dimmed">
        {tokens.length} tokens, {spans.length} labelled span{spans.length === 1 ? '' : 's'}
      </Text>
      <div className={classes.text} data-testid="spot-check-text">
        {tokens.map((token, index) => {
          const previous = tokens[index - 1];
          const gap = previous !== undefined && token.start_char > previous.end_char ? ' ' : '';
          const covering = spansOf(token.id);
          const first = covering[0];
          if (first === undefined)
            return (
              <Fragment key={token.id}>
                {gap}
                {token.text}
              </Fragment>
            );
          const colour = labelColour(labels, first.label_file_id);
          // A span over several tokens reads as one highlight: the space before a token inside it is marked too.
          const inSameSpan = previous !== undefined && spansOf(previous.id).includes(first);
          return (
            <Fragment key={token.id}>
              {inSameSpan ? '' : gap}
              <mark
                className={classes.span}
                style={{ backgroundColor: `${colour}40`, color: 'inherit', borderColor: colour }}
                title={covering.map((span) => labelName(labels, span.label_file_id)).join(', ')}
                data-label-id={first.label_file_id}
              >
                {inSameSpan ? gap : ''}
                {token.text}
              </mark>
            </Fragment>
          );
        })}
      </div>
      <Stack gap={4}>
        {spans.map((span) => (
          <Group key={span.id} gap="xs">
            <Badge
              size="sm"
              variant="light"
              style={{ color: labelColour(labels, span.label_file_id) }}
            >
              {labelName(labels, span.label_file_id)}
            </Badge>
            <Text size="sm">
              “{wordsOf(span)}” · tokens {span.start_token}–{span.end_token}, characters{' '}
              {span.start_char}–{span.end_char}
            </Text>
          </Group>
        ))}
      </Stack>
    </Stack>
  );
}
