import type { Faker } from '@faker-js/faker';
import type { Geometry, InstanceType, Point } from '../../contract/annotations.ts';
import { geometrySchemas } from '../../contract/annotations.ts';

// The demo's shapes: a random one per drawn instance, and the same shape moved along a video
// sequence. Every Faker call here is part of the seeded data: change their order and every later
// value of the demo changes too.

/** A random shape of a drawn type within a `width` × `height` picture, drawn with the demo's seeded Faker. */
export function randomGeometry(
  f: Faker,
  type: InstanceType,
  width: number,
  height: number,
): Geometry {
  const x_min = f.number.int({ min: 0, max: width - 200 });
  const y_min = f.number.int({ min: 0, max: height - 200 });
  const x_max = x_min + f.number.int({ min: 20, max: 180 });
  const y_max = y_min + f.number.int({ min: 20, max: 180 });
  const pointIn = (): Point => ({
    x: f.number.int({ min: x_min, max: x_max }),
    y: f.number.int({ min: y_min, max: y_max }),
  });
  switch (type) {
    case 'box':
      return { x_min, y_min, x_max, y_max };
    case 'polygon':
    case 'line': {
      const points = Array.from(
        { length: f.number.int({ min: type === 'polygon' ? 3 : 2, max: 6 }) },
        pointIn,
      );
      return { ...boundsOf(points), points };
    }
    case 'point':
      return { points: [pointIn()] };
    case 'ellipse':
      return {
        center_x: (x_min + x_max) / 2,
        center_y: (y_min + y_max) / 2,
        width: x_max - x_min,
        height: y_max - y_min,
        angle: f.number.float({ min: 0, max: 3.14, fractionDigits: 2 }),
      };
    case 'cuboid': {
      const depth = f.number.int({ min: 5, max: 15 });
      const face = (dx: number) => ({
        top_left: { x: x_min + dx, y: y_min + dx },
        top_right: { x: x_max + dx, y: y_min + dx },
        bot_left: { x: x_min + dx, y: y_max + dx },
        bot_right: { x: x_max + dx, y: y_max + dx },
      });
      return { front_face: face(0), rear_face: face(depth) };
    }
    case 'keypoints': {
      const names = ['head', 'left hand', 'right hand', 'left foot', 'right foot'];
      const nodes = names.map((name, index) => ({
        id: `n${index}`,
        name,
        ...pointIn(),
        occluded: f.number.float() < 0.2,
      }));
      const edges = [1, 2, 3, 4].map((to) => ({ from: 'n0', to: `n${to}` }));
      return { nodes, edges };
    }
    case 'text_token':
      return { start_char: 0, end_char: 1, start_token: 0, end_token: 0 };
    case 'global':
      return {};
  }
}

function boundsOf(points: Point[]): { x_min: number; y_min: number; x_max: number; y_max: number } {
  const xs = points.map((point) => point.x);
  const ys = points.map((point) => point.y);
  return {
    x_min: Math.min(...xs),
    y_min: Math.min(...ys),
    x_max: Math.max(...xs),
    y_max: Math.max(...ys),
  };
}

/** Moves a shape right by `dx` pixels: a tracked object across frames. Sequences draw boxes, keypoints and points. */
export function drift(type: InstanceType, geometry: Geometry, dx: number): Geometry {
  const move = <P extends Point>(point: P): P => ({ ...point, x: point.x + dx });
  if (type === 'box') {
    const box = geometrySchemas.box.parse(geometry);
    return { ...box, x_min: box.x_min + dx, x_max: box.x_max + dx };
  }
  if (type === 'keypoints') {
    const keypoints = geometrySchemas.keypoints.parse(geometry);
    return { ...keypoints, nodes: keypoints.nodes.map(move) };
  }
  if (type === 'point') return { points: geometrySchemas.point.parse(geometry).points.map(move) };
  throw new Error(`The demo does not track ${type} instances across frames`);
}
