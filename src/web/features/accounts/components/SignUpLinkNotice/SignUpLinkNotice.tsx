import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import type { SignUpLink } from '../../../../../contract/auth.ts';
import { formatAbsoluteTime } from '../../../../lib/format.ts';
import { CopyValue } from '../CopyValue/CopyValue.tsx';

/** Props of SignUpLinkNotice. */
export interface SignUpLinkNoticeProps {
  link: SignUpLink;
  onDone: () => void;
}

/** A fresh one-time sign-up link, to copy and hand over (annex sends no mail). */
export function SignUpLinkNotice({ link, onDone }: SignUpLinkNoticeProps) {
  return (
    <section aria-label="Sign-up link">
      <Alert color="teal" title={`Sign-up link for ${link.user.email}`}>
        <Stack gap="sm">
          <Text size="sm">
            annex sends no mail: hand this link to them; it works once, until{' '}
            <time dateTime={link.expires_at}>{formatAbsoluteTime(link.expires_at)}</time>.
          </Text>
          <CopyValue label="Sign-up link" value={link.url} />
          <Group>
            <Button variant="default" onClick={onDone}>
              Done
            </Button>
          </Group>
        </Stack>
      </Alert>
    </section>
  );
}
