import type { ReactNode } from 'react';
import { MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import type { QueryClient } from '@tanstack/react-query';
import { theme } from './theme.ts';

/** Props of AppProviders. */
export interface AppProvidersProps {
  queryClient: QueryClient;
  children: ReactNode;
}

/** Everything the panel's components expect above them: the theme and the query cache. */
export function AppProviders({ queryClient, children }: AppProvidersProps) {
  return (
    <MantineProvider theme={theme} defaultColorScheme="light">
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </MantineProvider>
  );
}
