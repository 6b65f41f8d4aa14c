import { useId } from 'react';
import { Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

/** Props of CopyValue. */
export interface CopyValueProps {
  /** What the value is ("Client secret"); the copy button is named "Copy <label>". */
  label: string;
  value: string;
  /** Shows the value as a multi-line block (an example to paste) rather than one line. */
  block?: boolean;
}

/** A value someone has to take elsewhere (a secret, a link, an example), with a button that copies it. */
export function CopyValue({ label, value, block = false }: CopyValueProps) {
  const labelId = useId();
  const copyButton = (
    <CopyButton value={value} timeout={2000}>
      {({ copied, copy }) => (
        <Button
          size="compact-xs"
          variant="light"
          color={copied ? 'teal' : 'indigo'}
          onClick={copy}
          aria-label={`Copy ${label}`}
        >
          {copied ? 'Copied' : 'Copy'}
        </Button>
      )}
    </CopyButton>
  );
  return (
    <Stack gap={4}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={600} id={labelId}>
          {label}
        </Text>
        {block && copyButton}
      </Group>
      {block ? (
        <Code block aria-labelledby={labelId}>
          {value}
        </Code>
      ) : (
        <Group gap="xs" wrap="nowrap">
          <Code aria-labelledby={labelId} style={{ wordBreak: 'break-all' }}>
            {value}
          </Code>
          {copyButton}
        </Group>
      )}
    </Stack>
  );
}
