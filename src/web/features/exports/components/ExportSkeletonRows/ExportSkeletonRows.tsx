import { Skeleton, Table } from '@mantine/core';
import { exportColumns } from '../ExportRow/export-columns.ts';

/** Five placeholder rows while the first page loads, hidden from assistive technology (the table says it is busy). */
export function ExportSkeletonRows() {
  return (
    <>
      {[0, 1, 2, 3, 4].map((row) => (
        <Table.Tr key={row} aria-hidden>
          {exportColumns.map((column) => (
            <Table.Td key={column}>
              <Skeleton height={14} radius="sm" />
            </Table.Td>
          ))}
        </Table.Tr>
      ))}
    </>
  );
}
