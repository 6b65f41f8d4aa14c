/**
 * Props of a password field's show/hide button. Mantine names it "Toggle password visibility",
 * which a label search for "Password" also finds; a name without the word keeps the field's own
 * label the only match (`getByLabel('Password')` in the e2e suite).
 */
export const visibilityToggleProps = { 'aria-label': 'Show or hide the characters' } as const;
