import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import type { CreatedApiKey } from '../../../../../contract/auth.ts';
import { CopyValue } from '../CopyValue/CopyValue.tsx';

/** Props of CreatedApiKeyNotice. */
export interface CreatedApiKeyNoticeProps {
  created: CreatedApiKey;
  /** The annex address scripts call (the panel's own origin). */
  origin: string;
  /** Hides the notice, and with it the secret, for good. */
  onDone: () => void;
}

/** The one time a key's secret is on screen: the two halves to copy and a ready-to-paste example. */
export function CreatedApiKeyNotice({ created, origin, onDone }: CreatedApiKeyNoticeProps) {
  const { key, client_secret: secret } = created;
  const curlExample = `curl -u ${key.client_id}:${secret} ${origin}/api/v1/projects`;
  const envExample = `export ANNEX_CLIENT_ID=${key.client_id}\nexport ANNEX_CLIENT_SECRET=${secret}`;
  return (
    <section aria-label="Your new API key">
      <Alert color="teal" title={`Key “${key.name}” created`}>
        <Stack gap="md">
          <Text size="sm" fw={600}>
            Copy the secret now: it will not be shown again. annex keeps only a hash of it; if you
            lose it, revoke this key and create another.
          </Text>
          <CopyValue label="Client ID" value={key.client_id} />
          <CopyValue label="Client secret" value={secret} />
          <CopyValue label="Example: curl" value={curlExample} block />
          <CopyValue
            label="Example: environment for the annex CLI and SDK"
            value={envExample}
            block
          />
          <Group>
            <Button variant="default" onClick={onDone}>
              I have copied it
            </Button>
          </Group>
        </Stack>
      </Alert>
    </section>
  );
}
