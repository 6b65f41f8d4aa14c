import { runAnnexCli } from './annex-cli.ts';

// `annex … | head` closes stdout early; that is the reader's choice, not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await runAnnexCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
