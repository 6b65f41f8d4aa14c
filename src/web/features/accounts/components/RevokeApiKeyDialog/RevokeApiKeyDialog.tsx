import type { ApiKey } from '../../../../../contract/auth.ts';
import { ConfirmDialog } from '../../../../components/ConfirmDialog/ConfirmDialog.tsx';
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
  return (
    <ConfirmDialog
      opened={apiKey !== null}
      title={apiKey === null ? 'Revoke key' : `Revoke “${apiKey.name}”?`}
      confirmLabel="Revoke"
      errorTitle="The key could not be revoked"
      action={revoke}
      onConfirm={async () => {
        if (apiKey === null) return;
        await revoke.mutateAsync(apiKey.id);
        onRevoked(apiKey);
      }}
      onClose={onClose}
    >
      {apiKey !== null && (
        <>
          Every script using client ID <code>{apiKey.client_id}</code> gets 401 from now on. This
          cannot be undone; create a new key to replace it.
        </>
      )}
    </ConfirmDialog>
  );
}
