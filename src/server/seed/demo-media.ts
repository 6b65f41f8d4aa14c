import type { Geometry } from '../../contract/annotations.ts';
import type { DemoPlan, PlannedInstance } from './demo-content.ts';
import type { FileDefinition } from './demo-files.ts';

// The demo's pictures, drawn by code so the seed needs no download: one SVG street scene per demo
// image at the width and height its row states, with a simple silhouette (a car, a person, a sign)
// roughly where each of its planned instances is, so the spot-check overlays land on something.
// A video gets one still (a poster) of its scene: the seed cannot make video. The files are
// committed under public/demo-media/ (Vite copies public/ into the panel's build, which annex
// serves); demo-media-cli.ts writes them again, and demo-media.test.ts fails when they drift.

/** Where the demo's media live on annex itself (served from the panel's build). */
export const demoMediaPath = '/demo-media';

/** The demo file's media URL: a path on annex for images and videos, an example host for texts. */
export function demoMediaUrl(file: FileDefinition, textRoot: string): string {
  if (file.type === 'text') return `${textRoot}/texts/${file.name}`;
  return `${demoMediaPath}/${mediaFileName(file)}`;
}

/** The media file's path under `demoMediaPath` (and public/demo-media/): `images/street-01.svg`. */
export function mediaFileName(file: FileDefinition): string {
  const stem = file.name.replace(/\.[a-z0-9]+$/, '');
  return `${file.type === 'image' ? 'images' : 'videos'}/${stem}.svg`;
}

interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

function areaOf(type: PlannedInstance['type'], geometry: Geometry): Area | null {
  const around = (xs: number[], ys: number[], pad = 0): Area => ({
    x: Math.min(...xs) - pad,
    y: Math.min(...ys) - pad,
    width: Math.max(...xs) - Math.min(...xs) + 2 * pad,
    height: Math.max(...ys) - Math.min(...ys) + 2 * pad,
  });
  const g = geometry as Record<string, unknown>;
  switch (type) {
    case 'box':
    case 'polygon':
    case 'line': {
      const { x_min, y_min, x_max, y_max } = g as Record<string, number>;
      return around([x_min ?? 0, x_max ?? 0], [y_min ?? 0, y_max ?? 0]);
    }
    case 'point': {
      const [p] = g.points as { x: number; y: number }[];
      return p === undefined ? null : around([p.x], [p.y], 24);
    }
    case 'ellipse': {
      const {
        center_x: cx = 0,
        center_y: cy = 0,
        width = 0,
        height = 0,
      } = g as Record<string, number>;
      return { x: cx - width / 2, y: cy - height / 2, width, height };
    }
    case 'cuboid': {
      const faces = [g.front_face, g.rear_face] as Record<string, { x: number; y: number }>[];
      const corners = faces.flatMap((face) => Object.values(face));
      return around(
        corners.map((c) => c.x),
        corners.map((c) => c.y),
      );
    }
    case 'keypoints': {
      const nodes = g.nodes as { x: number; y: number }[];
      return nodes.length === 0
        ? null
        : around(
            nodes.map((n) => n.x),
            nodes.map((n) => n.y),
          );
    }
    default:
      return null;
  }
}

const n = (value: number) => String(Math.round(value));

function silhouette(
  label: string | null,
  type: PlannedInstance['type'],
  geometry: Geometry,
  a: Area,
): string {
  if (type === 'line') {
    const points = (geometry as { points: { x: number; y: number }[] }).points;
    return `<polyline points="${points.map((p) => `${n(p.x)},${n(p.y)}`).join(' ')}" fill="none" stroke="#e8e4d8" stroke-width="10" stroke-dasharray="40 24"/>`;
  }
  const { x, y, width: w, height: h } = a;
  switch (label) {
    case 'car':
      return (
        `<rect x="${n(x)}" y="${n(y + h * 0.35)}" width="${n(w)}" height="${n(h * 0.45)}" rx="${n(h * 0.08)}" fill="#5b6b7f"/>` +
        `<rect x="${n(x + w * 0.18)}" y="${n(y + h * 0.1)}" width="${n(w * 0.6)}" height="${n(h * 0.3)}" rx="${n(h * 0.06)}" fill="#7d8da1"/>` +
        `<circle cx="${n(x + w * 0.22)}" cy="${n(y + h * 0.82)}" r="${n(Math.min(w, h) * 0.14)}" fill="#1d2127"/>` +
        `<circle cx="${n(x + w * 0.78)}" cy="${n(y + h * 0.82)}" r="${n(Math.min(w, h) * 0.14)}" fill="#1d2127"/>`
      );
    case 'pedestrian':
    case 'cyclist': {
      const cx = x + w / 2;
      const person =
        `<circle cx="${n(cx)}" cy="${n(y + h * 0.1)}" r="${n(Math.min(w * 0.25, h * 0.1))}" fill="#c89f7a"/>` +
        `<rect x="${n(cx - w * 0.2)}" y="${n(y + h * 0.2)}" width="${n(w * 0.4)}" height="${n(h * 0.45)}" rx="${n(w * 0.08)}" fill="#8a4f4f"/>` +
        `<rect x="${n(cx - w * 0.18)}" y="${n(y + h * 0.62)}" width="${n(w * 0.36)}" height="${n(h * 0.36)}" fill="#3b3f58"/>`;
      if (label === 'pedestrian') return person;
      const r = Math.min(w, h) * 0.22;
      return (
        `<circle cx="${n(x + r)}" cy="${n(y + h - r)}" r="${n(r)}" fill="none" stroke="#202020" stroke-width="${n(Math.max(3, r * 0.15))}"/>` +
        `<circle cx="${n(x + w - r)}" cy="${n(y + h - r)}" r="${n(r)}" fill="none" stroke="#202020" stroke-width="${n(Math.max(3, r * 0.15))}"/>` +
        person
      );
    }
    case 'street sign':
      return (
        `<rect x="${n(x + w * 0.45)}" y="${n(y + h * 0.4)}" width="${n(Math.max(4, w * 0.1))}" height="${n(h * 0.6)}" fill="#8c8c8c"/>` +
        `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h * 0.42)}" rx="${n(w * 0.06)}" fill="#2f6f4f"/>`
      );
    case 'traffic light':
      return (
        `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" rx="${n(w * 0.2)}" fill="#23262b"/>` +
        [0.2, 0.5, 0.8]
          .map(
            (at, index) =>
              `<circle cx="${n(x + w / 2)}" cy="${n(y + h * at)}" r="${n(Math.min(w, h) * 0.14)}" fill="${['#d9534f', '#e0a82e', '#4caf50'][index] ?? '#888'}"/>`,
          )
          .join('')
      );
    default:
      return `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" rx="6" fill="#6d6a75" opacity="0.7"/>`;
  }
}

function scene(width: number, height: number, night: boolean, index: number): string {
  const horizon = height * 0.45;
  const sky = night ? ['#0d1530', '#27325a'] : ['#8fc3ec', '#d9ecf7'];
  const buildings: string[] = [];
  // Building heights follow the file's index, so each picture's skyline differs but never changes.
  for (let at = 0, step = 0; at < width; step += 1) {
    const w = width * (0.06 + ((index * 7 + step * 13) % 5) * 0.015);
    const h = height * (0.12 + ((index * 11 + step * 5) % 7) * 0.035);
    buildings.push(
      `<rect x="${n(at)}" y="${n(horizon - h)}" width="${n(w - 4)}" height="${n(h)}" fill="${night ? '#1b1f2e' : '#a7a9b4'}"/>`,
    );
    at += w;
  }
  const lane = Array.from({ length: 8 }, (_, i) => {
    const t = (i + 0.5) / 8;
    const y = horizon + (height - horizon) * t;
    return `<rect x="${n(width / 2 - 4 - t * 10)}" y="${n(y)}" width="${n(8 + t * 20)}" height="${n((height - horizon) / 20)}" fill="#e8e4d8"/>`;
  }).join('');
  return (
    `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky[0]}"/><stop offset="1" stop-color="${sky[1]}"/></linearGradient></defs>` +
    `<rect width="${width}" height="${height}" fill="url(#sky)"/>` +
    buildings.join('') +
    `<rect y="${n(horizon)}" width="${width}" height="${n(height - horizon)}" fill="${night ? '#2a2b30' : '#6e6f73'}"/>` +
    `<polygon points="0,${n(height)} ${n(width * 0.42)},${n(horizon)} ${n(width * 0.58)},${n(horizon)} ${width},${n(height)}" fill="${night ? '#34353b' : '#85868b'}"/>` +
    lane
  );
}

/**
 * The SVG of one demo file's picture: its scene at the file's stated size and, for an image, a
 * silhouette per planned instance (a video's poster shows the street only: its objects move).
 */
export function demoMediaSvg(file: FileDefinition, plan: DemoPlan): string {
  const width = file.width ?? 640;
  const height = file.height ?? 480;
  const index = plan.files.indexOf(file);
  const night =
    file.directories.includes('Night drives') && !file.directories.includes('Luckfrill');
  const objects =
    file.type === 'image'
      ? plan.instances
          .filter((instance) => instance.fileName === file.name && instance.softDeleted === 0)
          .flatMap((instance) => {
            const area = areaOf(instance.type, instance.geometry);
            return area === null
              ? []
              : [silhouette(instance.label, instance.type, instance.geometry, area)];
          })
      : [];
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<title>${file.name} (demo picture, ${width}×${height})</title>` +
    scene(width, height, night || file.name.includes('night'), index) +
    objects.join('') +
    '</svg>\n'
  );
}

/** Every demo picture: its path under public/demo-media/ and its SVG. */
export function demoMediaFiles(plan: DemoPlan): { path: string; svg: string }[] {
  return plan.files
    .filter((file) => file.type !== 'text')
    .map((file) => ({ path: mediaFileName(file), svg: demoMediaSvg(file, plan) }));
}
