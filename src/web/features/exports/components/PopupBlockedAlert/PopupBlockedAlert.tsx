import { Alert, Anchor, Text } from '@mantine/core';
import type { BlockedDownload } from '../../hooks/use-download-export.ts';

/** Props of PopupBlockedAlert. */
export interface PopupBlockedAlertProps {
  blocked: BlockedDownload;
  onClose: () => void;
}

/** What a user sees when the browser stopped the download pop-up: why, and the link to click instead. */
export function PopupBlockedAlert({ blocked, onClose }: PopupBlockedAlertProps) {
  return (
    <Alert
      color="yellow"
      title="The browser blocked the download pop-up"
      withCloseButton
      closeButtonLabel="Dismiss"
      onClose={onClose}
    >
      <Text size="sm">
        Allow pop-ups for this site to download with one click next time. For now, open the file
        from this link (it expires in a few minutes):{' '}
        <Anchor href={blocked.url} target="_blank" rel="noopener noreferrer">
          {blocked.fileName ?? `export ${blocked.exportId}`}
        </Anchor>
      </Text>
    </Alert>
  );
}
