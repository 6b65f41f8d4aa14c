import type { ColumnDefinitionBuilder, CreateTableBuilder } from 'kysely';
import type { DialectName } from '../database.ts';

// Migrations take the dialect so that ids are `integer primary key autoincrement` on SQLite and
// identity columns on PostgreSQL; every other type is shared.

type Id = (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

function idColumn(dialect: DialectName): Id {
  return dialect === 'sqlite'
    ? (col) => col.primaryKey().autoIncrement()
    : (col) => col.primaryKey().generatedByDefaultAsIdentity();
}

export function withId<T extends string>(table: CreateTableBuilder<T>, dialect: DialectName) {
  return table.addColumn('id', 'integer', idColumn(dialect));
}
