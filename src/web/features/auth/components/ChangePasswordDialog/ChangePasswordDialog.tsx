import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { Button, Group, Modal, Stack } from '@mantine/core';
import { passwordMinLength } from '../../../../../contract/auth.ts';
import { ErrorAlert } from '../../../../components/ErrorAlert/ErrorAlert.tsx';
import { useChangePassword } from '../../api/auth-mutations.ts';
import { PasswordField } from '../PasswordField/PasswordField.tsx';

/** Props of ChangePasswordDialog. */
export interface ChangePasswordDialogProps {
  opened: boolean;
  onClose: () => void;
}

/** Changes your own password: the current one, then a new one of at least 10 characters. */
export function ChangePasswordDialog({ opened, onClose }: ChangePasswordDialogProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="Change password" centered>
      {/* Mounted only while open, so the fields and any error start empty each time. */}
      {opened && <ChangePasswordForm onDone={onClose} />}
    </Modal>
  );
}

function ChangePasswordForm({ onDone }: { onDone: () => void }) {
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [checked, setChecked] = useState(false);
  const change = useChangePassword();
  const tooShort = newPassword.length < passwordMinLength;

  const handleChange = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setChecked(true);
    if (tooShort) return;
    change.mutate(
      { current_password: currentPassword, new_password: newPassword },
      { onSuccess: onDone },
    );
  };

  return (
    <form onSubmit={handleChange} aria-label="Change password" noValidate>
      <Stack gap="md">
        <PasswordField
          label="Current password"
          autoComplete="current-password"
          value={currentPassword}
          onChange={setCurrentPassword}
          autoFocus
        />
        <PasswordField
          label="New password"
          description={`At least ${passwordMinLength} characters. Your other sessions are signed out.`}
          autoComplete="new-password"
          value={newPassword}
          onChange={setNewPassword}
          error={checked && tooShort ? `Use at least ${passwordMinLength} characters.` : undefined}
        />
        <ErrorAlert title="The password was not changed" error={change.error} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={change.isPending}>
            Save password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
