import { screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { ExportPager } from './ExportPager.tsx';
import type { ExportPagerProps } from './ExportPager.tsx';

function renderPager(props: Partial<ExportPagerProps> = {}) {
  const onNewer = vi.fn<() => void>();
  const onOlder = vi.fn<() => void>();
  const view = renderWithProviders(
    <ExportPager
      pageIndex={0}
      pageSize={25}
      rowCount={25}
      total={26}
      canGoOlder
      onNewer={onNewer}
      onOlder={onOlder}
      {...props}
    />,
  );
  return { ...view, onNewer, onOlder };
}

describe('ExportPager', () => {
  it('says which rows are on screen and moves to older exports', async () => {
    const { user, onOlder } = renderPager();
    expect(screen.getByText('1–25 of 26')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Newer' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Older' }));
    expect(onOlder).toHaveBeenCalledTimes(1);
  });

  it('counts rows of a later page from the page index, and goes back to newer ones', async () => {
    const { user, onNewer } = renderPager({ pageIndex: 1, rowCount: 1, canGoOlder: false });
    expect(screen.getByText('26–26 of 26')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Older' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Newer' }));
    expect(onNewer).toHaveBeenCalledTimes(1);
  });

  it('gives the total alone on a page left empty (its exports were archived meanwhile)', () => {
    renderPager({ pageIndex: 2, rowCount: 0, total: 1_200 });
    expect(screen.getByText('1,200 exports')).toBeInTheDocument();
  });
});
