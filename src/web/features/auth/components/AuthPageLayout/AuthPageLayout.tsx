import type { ReactNode } from 'react';
import { Container, Stack, Text, Title } from '@mantine/core';

/** Props of AuthPageLayout. */
export interface AuthPageLayoutProps {
  /** The page's heading; the tab reads "<heading> · annex" unless `tabTitle` says otherwise. */
  heading: string;
  /** The tab's title when it is not the heading. */
  tabTitle?: string;
  /** The column's width in pixels. */
  width: number;
  /** A line under the heading. */
  intro?: ReactNode;
  children: ReactNode;
}

/** The narrow, centred column of the pages nobody is signed in on yet (sign-in, sign-up). */
export function AuthPageLayout({ heading, tabTitle, width, intro, children }: AuthPageLayoutProps) {
  return (
    <Container size={width} py={80}>
      <title>{`${tabTitle ?? heading} · annex`}</title>
      <Stack gap="lg">
        <Stack gap={4}>
          <Text fw={800} c="indigo.7" size="lg">
            annex
          </Text>
          <Title order={1} size="h2">
            {heading}
          </Title>
          {intro}
        </Stack>
        {children}
      </Stack>
    </Container>
  );
}
