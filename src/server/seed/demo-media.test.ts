import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planDemo } from './demo-content.ts';
import { demoMediaFiles, demoMediaSvg, demoMediaUrl } from './demo-media.ts';

// The demo pictures committed under public/demo-media/ are the generator's output, each at the
// size its file row states, with something drawn where the file's instances are.

describe('demo media', () => {
  const plan = planDemo();

  it('are committed exactly as demo-media.ts draws them (run demo-media-cli.ts when this fails)', () => {
    const files = demoMediaFiles(plan);
    expect(files).toHaveLength(30);
    for (const { path: relative, svg } of files) {
      const committed = fs.readFileSync(path.resolve('public/demo-media', relative), 'utf8');
      expect(committed, relative).toBe(svg);
    }
  });

  it('draw each image at its stated size, with a silhouette per instance that has an area', () => {
    const image = plan.files.find((file) => file.name === 'street-02.jpg');
    if (image === undefined) throw new Error('no street-02.jpg');
    const svg = demoMediaSvg(image, plan);
    expect(svg).toContain('width="1280" height="720" viewBox="0 0 1280 720"');
    const box = plan.instances.find(
      (i) => i.fileName === 'street-02.jpg' && i.type === 'box' && i.label === 'traffic light',
    );
    const { x_min: x } = box?.geometry as { x_min: number };
    expect(svg).toContain(`x="${x}"`);
  });

  it('put images and videos on annex itself and texts on the example host', () => {
    const byName = (name: string) => plan.files.find((file) => file.name === name);
    const url = (name: string) => {
      const file = byName(name);
      if (file === undefined) throw new Error(name);
      return demoMediaUrl(file, 'https://media.example.com/annex/demo');
    };
    expect(url('street-01.jpg')).toBe('/demo-media/images/street-01.svg');
    expect(url('crossing-night.mp4')).toBe('/demo-media/videos/crossing-night.svg');
    expect(url('witness-1.txt')).toBe('https://media.example.com/annex/demo/texts/witness-1.txt');
  });
});
