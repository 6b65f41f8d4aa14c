import { PasswordInput } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * Props of a password field's show/hide button. Mantine names it "Toggle password visibility",
 * which a label search for "Password" also finds; a name without the word keeps the field's own
 * label the only match (`getByLabel('Password')` in the e2e suite).
 */
const visibilityToggleProps = { 'aria-label': 'Show or hide the characters' } as const;

/** Props of PasswordField. */
export interface PasswordFieldProps {
  label: string;
  /** `current-password` to sign in with, `new-password` for one being chosen (password managers read it). */
  autoComplete: 'current-password' | 'new-password';
  value: string;
  onChange: (password: string) => void;
  description?: ReactNode;
  /** Why the password cannot be used, shown under the field. */
  error?: ReactNode;
  /** The field a dialog or page focuses first. */
  autoFocus?: boolean;
}

/** A required password field with a show/hide button; the form checks it itself (no browser bubbles, no asterisk). */
export function PasswordField({
  label,
  autoComplete,
  value,
  onChange,
  description,
  error,
  autoFocus = false,
}: PasswordFieldProps) {
  return (
    <PasswordInput
      visibilityToggleButtonProps={visibilityToggleProps}
      label={label}
      description={description}
      autoComplete={autoComplete}
      required
      withAsterisk={false}
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
      error={error}
      data-autofocus={autoFocus || undefined}
    />
  );
}
