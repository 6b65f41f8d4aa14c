import fs from 'node:fs';
import path from 'node:path';
import { planDemo } from './demo-content.ts';
import { demoMediaFiles } from './demo-media.ts';

// Writes the demo's pictures into public/demo-media/ (run after changing demo-media.ts or the demo
// plan: `npx tsx src/server/seed/demo-media-cli.ts`); demo-media.test.ts says when they are stale.

const root = path.resolve('public/demo-media');
fs.rmSync(root, { recursive: true, force: true });
for (const { path: relative, svg } of demoMediaFiles(planDemo())) {
  const target = path.join(root, relative);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, svg);
}
console.log(`demo media written to ${root}`);
