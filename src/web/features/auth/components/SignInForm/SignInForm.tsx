import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { Button, Stack, TextInput } from '@mantine/core';
import type { MeResponse } from '../../../../../contract/auth.ts';
import { ErrorAlert } from '../../../../components/ErrorAlert/ErrorAlert.tsx';
import { useSignIn } from '../../api/auth-mutations.ts';
import { PasswordField } from '../PasswordField/PasswordField.tsx';

/** Props of SignInForm. */
export interface SignInFormProps {
  /** Called once the server accepted the email and password (the cache then holds the new user). */
  onSignedIn: (me: MeResponse) => void;
}

/** Email and password; a refusal shows the server's words, which never say which of the two was wrong. */
export function SignInForm({ onSignedIn }: SignInFormProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useSignIn();

  const handleSignIn = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    signIn.mutate({ email, password }, { onSuccess: onSignedIn });
  };

  return (
    <form onSubmit={handleSignIn} aria-label="Sign in" noValidate>
      <Stack gap="md">
        <ErrorAlert title="Could not sign in" error={signIn.error} />
        <TextInput
          label="Email"
          type="email"
          autoComplete="username"
          required
          withAsterisk={false}
          value={email}
          onChange={(event) => setEmail(event.currentTarget.value)}
          data-autofocus
        />
        <PasswordField
          label="Password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
        />
        <Button type="submit" loading={signIn.isPending} fullWidth>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}
