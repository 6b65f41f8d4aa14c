import { openDatabase } from './database.ts';
import { migrateToLatest } from './migrator.ts';

// A process that only migrates the database named on its command line, for the test of many
// processes starting at once on one SQLite file: it prints `waiting` when it finds the database
// locked by another, then one JSON line with the migrations it ran.

const url = process.argv[2];
if (url === undefined) throw new Error('usage: migrate-process-fixture.ts <DATABASE_URL>');
const database = await openDatabase(url);
try {
  const ran = await migrateToLatest(database, { onLockWait: () => console.log('waiting') });
  console.log(JSON.stringify({ ran }));
} finally {
  await database.close();
}
