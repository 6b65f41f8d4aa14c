import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { ApiKey } from '../../../../../contract/auth.ts';
import { errorMessage } from '../../../../lib/api-client.ts';
import { useRevokeApiKey } from '../../api/account-mutations.ts';

/** Props of RevokeApiKeyDialog. */
export interface RevokeApiKeyDialogProps {
  /** The key to revoke; null keeps the dialog closed. */
  apiKey: ApiKey | null;
  onClose: () => void;
  /** Called once the server has revoked it. */
  onRevoked: (apiKey: ApiKey) => void;
}

/** Asks before revoking a key (scripts using it fail from then on); says why when the server refuses. */
export function RevokeApiKeyDialog({ apiKey, onClose, onRevoked }: RevokeApiKeyDialogProps) {
  const revoke = useRevokeApiKey();
  const close = () => {
    revoke.reset();
    onClose();
  };
  return (
    <Modal
      opened={apiKey !== null}
      onClose={close}
      title={apiKey === null ? 'Revoke key' : `Revoke “${apiKey.name}”?`}
      centered
    >
      {apiKey !== null && (
        <Stack gap="md">
          <Text size="sm">
            Every script using client ID <code>{apiKey.client_id}</code> gets 401 from now on. This
            cannot be undone; create a new key to replace it.
          </Text>
          {revoke.isError && (
            <Alert color="red" title="The key could not be revoked">
              {errorMessage(revoke.error)}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close} data-autofocus>
              Cancel
            </Button>
            <Button
              color="red"
              loading={revoke.isPending}
              onClick={() =>
                revoke.mutate(apiKey.id, {
                  onSuccess: () => {
                    onRevoked(apiKey);
                    close();
                  },
                })
              }
            >
              Revoke
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
