import type { FilePacket } from '../src/contract/export-file.ts';
import { expect, test } from './fixtures.ts';
import { SpotCheckDialog } from './pages/spot-check.page.ts';
import { demoProject } from './support/e2e-settings.ts';

// The visual spot-check on an export of the demo's default directory (all files): an image drawn
// from annex's own demo pictures with its instances, a video frame stepped through, a text file's
// spans. Screenshots land in test-results/ for a person to look at.

function packetNamed(files: FilePacket[], name: string): FilePacket {
  const packet = files.find((file) => file.file.original_filename === name);
  if (packet === undefined) throw new Error(`${name} is not in the export`);
  return packet;
}

test('Spot check draws an image with its instances, a video frame and a text file', async ({
  panel,
  api,
  page,
}) => {
  await panel.goto(demoProject);
  await panel.chooseFiles('All');
  await panel.readCheckValue();
  const id = await panel.generate();
  await panel.expectStatus(id, 'complete');
  const { files } = await api.sampleAll(demoProject, id);

  await panel.row(id).getByRole('button', { name: 'Spot check' }).click();
  const spotCheck = new SpotCheckDialog(page, id);
  await expect(spotCheck.dialog).toBeVisible();
  await expect(spotCheck.dialog.getByText(/random sample, seed \d+/)).toBeVisible();

  // An image with boxes, an ellipse, keypoints and cuboids, on its demo picture.
  const image = packetNamed(files, 'street-01.jpg');
  await spotCheck.jumpTo(image.file.id, 'street-01.jpg');
  const drawing = spotCheck.drawing(/^street-01\.jpg: \d+ instances drawn$/);
  await expect(drawing).toBeVisible();
  for (const type of ['box', 'ellipse', 'cuboid', 'keypoints'])
    await expect(drawing.locator(`g[data-instance-type="${type}"]`).first()).toBeAttached();
  const picture = spotCheck.dialog.getByRole('img', { name: 'street-01.jpg', exact: true });
  await expect
    .poll(() => picture.evaluate((element: HTMLImageElement) => element.naturalWidth))
    .toBe(1920);
  await expect(spotCheck.dialog.getByText(/media could not be loaded/)).toHaveCount(0);
  await spotCheck.dialog.screenshot({ path: 'test-results/spot-check-image.png' });

  // A video clip: step to its next frame with instances.
  const video = packetNamed(files, 'drive-downtown_clip-1.mp4');
  await spotCheck.jumpTo(video.file.id, 'drive-downtown_clip-1.mp4');
  const frameText = spotCheck.dialog.getByText(
    /^Frame \d+ of 300 · 1 of \d+ frames with instances/,
  );
  await expect(frameText).toBeVisible();
  await spotCheck.dialog.getByRole('button', { name: 'Next frame' }).click();
  await expect(spotCheck.dialog.getByText(/· 2 of \d+ frames with instances/)).toBeVisible();
  await expect(
    spotCheck.drawing(/^frame \d+ of drive-downtown_clip-1\.mp4: [1-9]\d* instances? drawn$/),
  ).toBeVisible();
  await spotCheck.dialog.screenshot({ path: 'test-results/spot-check-video.png' });

  // A text file: its tokens, the labelled ones highlighted.
  const text = packetNamed(files, 'witness-1.txt');
  await spotCheck.jumpTo(text.file.id, 'witness-1.txt');
  await expect(
    spotCheck.dialog.getByTestId('spot-check-text').locator('mark').first(),
  ).toBeVisible();
  await spotCheck.dialog.screenshot({ path: 'test-results/spot-check-text.png' });

  // Next / previous walk the random sample again after a jump back to it.
  await spotCheck.dialog.getByRole('button', { name: 'New sample' }).click();
  await expect(spotCheck.dialog.getByText(/^File 1 of 20 · random sample/)).toBeVisible();
  await spotCheck.dialog.getByRole('button', { name: 'Next file' }).click();
  await expect(spotCheck.dialog.getByText(/^File 2 of 20 · random sample/)).toBeVisible();
});
