import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { Button, Stack, Text, TextInput } from '@mantine/core';
import { passwordMinLength } from '../../../../../contract/auth.ts';
import type { MeResponse } from '../../../../../contract/auth.ts';
import { ErrorAlert } from '../../../../components/ErrorAlert/ErrorAlert.tsx';
import { useSignUp } from '../../api/auth-mutations.ts';
import { PasswordField } from '../PasswordField/PasswordField.tsx';

/** What to do when a sign-up link no longer works; annex sends no mail, so a person hands out links. */
export const askForNewLinkText = 'Ask an instance admin of annex for a new sign-up link.';

/** Props of SignUpForm. */
export interface SignUpFormProps {
  /** The link's token. */
  token: string;
  /** Whose link it is, as the server said. */
  email: string;
  /** Called once the account has its password (the user is then signed in). */
  onSignedUp: (me: MeResponse) => void;
}

/** Why a new password cannot be used yet, or null when it can. */
function passwordProblem(password: string): string | null {
  return password.length < passwordMinLength
    ? `Use at least ${passwordMinLength} characters.`
    : null;
}

/** Picks the password of a new account: typed twice, at least 10 characters. */
export function SignUpForm({ token, email, onSignedUp }: SignUpFormProps) {
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [checked, setChecked] = useState(false);
  const signUp = useSignUp();

  const tooShort = checked ? passwordProblem(password) : null;
  const mismatch =
    checked && repeated !== password ? 'The two passwords differ: type the same one twice.' : null;

  const handleSignUp = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setChecked(true);
    if (passwordProblem(password) !== null || repeated !== password) return;
    signUp.mutate({ token, password }, { onSuccess: onSignedUp });
  };

  return (
    <form onSubmit={handleSignUp} aria-label="Sign up" noValidate>
      <Stack gap="md">
        <TextInput label="Email" value={email} readOnly autoComplete="username" />
        <PasswordField
          label="Password"
          description={`At least ${passwordMinLength} characters. A passphrase of a few words is easy to remember.`}
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          error={tooShort}
          autoFocus
        />
        <PasswordField
          label="Repeat the password"
          autoComplete="new-password"
          value={repeated}
          onChange={setRepeated}
          error={mismatch}
        />
        <ErrorAlert title="Could not set the password" error={signUp.error}>
          <Text size="sm">{askForNewLinkText}</Text>
        </ErrorAlert>
        <Button type="submit" loading={signUp.isPending} fullWidth>
          Create account
        </Button>
      </Stack>
    </form>
  );
}
