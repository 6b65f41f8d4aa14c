import { Badge, Tooltip } from '@mantine/core';
import type { MantineColor } from '@mantine/core';
import type { ExportLiveState } from '../../hooks/use-export-live-updates.ts';

/** Props of LiveStatusBadge. */
export interface LiveStatusBadgeProps {
  /** Where the list's live connection stands. */
  state: ExportLiveState;
  /** How often the list is re-read while exports run and it is not live, in seconds. */
  pollSeconds: number;
}

const looks: Record<ExportLiveState, { label: string; color: MantineColor }> = {
  live: { label: 'Live', color: 'teal' },
  connecting: { label: 'Connecting…', color: 'gray' },
  reconnecting: { label: 'Not live', color: 'yellow' },
  unavailable: { label: 'Not live', color: 'gray' },
};

function explanation(state: ExportLiveState, pollSeconds: number): string {
  const polling = `the list is read again every ${pollSeconds} s while exports run`;
  switch (state) {
    case 'live':
      return 'Changes to exports show up here as they happen, whoever made them. Refresh reads the list again now.';
    case 'connecting':
      return `Opening the live connection; until it is open, ${polling}.`;
    case 'reconnecting':
      return `The live connection dropped; ${polling}, and it reconnects by itself. Refresh reads the list again now.`;
    case 'unavailable':
      return `This browser cannot keep a live connection: ${polling}. Refresh reads the list again now.`;
  }
}

/** Says whether the export list updates live or by polling, and explains it on hover or focus. */
export function LiveStatusBadge({ state, pollSeconds }: LiveStatusBadgeProps) {
  const { label, color } = looks[state];
  return (
    <Tooltip
      multiline
      w={300}
      withArrow
      // Focus too: the words are what the badge means, and a keyboard user should get them.
      events={{ hover: true, focus: true, touch: true }}
      label={explanation(state, pollSeconds)}
    >
      <Badge
        role="status"
        aria-label="Live updates"
        color={color}
        variant={state === 'live' ? 'dot' : 'light'}
        size="sm"
        tabIndex={0}
      >
        {label}
      </Badge>
    </Tooltip>
  );
}
