import type { ReactNode } from 'react';
import { Table } from '@mantine/core';

/** Props of AccountTable. */
export interface AccountTableProps {
  /** The table's accessible name. */
  label: string;
  /** The column headings, in order ('' for the row actions). */
  columns: readonly string[];
  /** Below this width the table scrolls sideways instead of squeezing its columns. */
  minWidth: number;
  /** The rows (`Table.Tr`). */
  children: ReactNode;
}

/** The table the account lists (members, users, API keys) share: named, headed, scrolling when narrow. */
export function AccountTable({ label, columns, minWidth, children }: AccountTableProps) {
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table aria-label={label} verticalSpacing="sm" highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            {columns.map((column) => (
              <Table.Th key={column} scope="col">
                {column}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
