import { Button, Container, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

/** Props of NotFoundPage. */
export interface NotFoundPageProps {
  /** What was not found, as a heading. */
  title?: string;
  /** Why, in the server's words when it said. */
  message?: string;
}

/** The 404 page: what is missing and the way back to the panel. */
export function NotFoundPage({
  title = 'Page not found',
  message = 'There is nothing at this address.',
}: NotFoundPageProps) {
  return (
    <Container size="sm" py={64}>
      <title>{`${title} · annex`}</title>
      <Stack gap="md" align="flex-start">
        <Text c="dimmed" fw={700} size="sm">
          404
        </Text>
        <Title order={1}>{title}</Title>
        <Text>{message}</Text>
        <Button component={Link} to="/">
          Go to the export panel
        </Button>
      </Stack>
    </Container>
  );
}
