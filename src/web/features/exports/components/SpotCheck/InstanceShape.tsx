import type { AnyInstance } from '../../../../../contract/export-file.ts';
import type { Point } from '../../../../../contract/annotations.ts';
import { labelColour, labelName } from './spot-check-labels.ts';
import type { SpotCheckLabels } from './spot-check-labels.ts';

/** Props of InstanceShape. */
export interface InstanceShapeProps {
  instance: AnyInstance;
  labels: SpotCheckLabels;
  /** One screen-ish unit in file pixels (the larger side / 400), for point and node radii. */
  unit: number;
}

const pointsOf = (points: Point[]) => points.map((p) => `${p.x},${p.y}`).join(' ');

/** The instance types a picture shows; `text_token` and `global` instances are listed, not drawn. */
export function isDrawnOnMedia(instance: AnyInstance): boolean {
  return instance.type !== 'text_token' && instance.type !== 'global';
}

/**
 * One instance drawn in SVG in file pixel coordinates (the parent's viewBox is the file's width ×
 * height), stroked in its label's colour, its label, type and id in a `<title>` shown on hover.
 * Strokes keep their on-screen width whatever the scale (`non-scaling-stroke`).
 */
export function InstanceShape({ instance, labels, unit }: InstanceShapeProps) {
  const colour = labelColour(labels, instance.label_file_id);
  const common = {
    stroke: colour,
    strokeWidth: 2,
    vectorEffect: 'non-scaling-stroke' as const,
    fill: 'none',
  };
  const title = `${labelName(labels, instance.label_file_id)} · ${instance.type} ${instance.id}${instance.removed === true ? ' (removed)' : ''}`;
  const shape = (() => {
    switch (instance.type) {
      case 'box':
        return (
          <rect
            {...common}
            x={instance.x_min}
            y={instance.y_min}
            width={instance.x_max - instance.x_min}
            height={instance.y_max - instance.y_min}
            fill={colour}
            fillOpacity={0.12}
          />
        );
      case 'polygon':
        return (
          <polygon {...common} points={pointsOf(instance.points)} fill={colour} fillOpacity={0.2} />
        );
      case 'line':
        return <polyline {...common} points={pointsOf(instance.points)} />;
      case 'point':
        return instance.points.map((p, index) => (
          <circle key={index} {...common} cx={p.x} cy={p.y} r={unit * 4} fill={colour} />
        ));
      case 'ellipse':
        // The file's angle is in radians; SVG rotates in degrees about the centre.
        return (
          <ellipse
            {...common}
            cx={instance.center_x}
            cy={instance.center_y}
            rx={instance.width / 2}
            ry={instance.height / 2}
            transform={`rotate(${(instance.angle * 180) / Math.PI} ${instance.center_x} ${instance.center_y})`}
            fill={colour}
            fillOpacity={0.12}
          />
        );
      case 'cuboid': {
        const face = (f: typeof instance.front_face) => [
          f.top_left,
          f.top_right,
          f.bot_right,
          f.bot_left,
        ];
        const front = face(instance.front_face);
        const rear = face(instance.rear_face);
        return (
          <>
            <polygon {...common} data-face="rear" points={pointsOf(rear)} strokeDasharray="6 4" />
            {front.map((corner, index) => {
              const back = rear[index] ?? corner;
              return (
                <line
                  key={index}
                  {...common}
                  data-edge="depth"
                  x1={corner.x}
                  y1={corner.y}
                  x2={back.x}
                  y2={back.y}
                />
              );
            })}
            <polygon
              {...common}
              data-face="front"
              points={pointsOf(front)}
              fill={colour}
              fillOpacity={0.15}
            />
          </>
        );
      }
      case 'keypoints': {
        const byId = new Map(instance.nodes.map((node) => [node.id, node]));
        return (
          <>
            {instance.edges.map((edge, index) => {
              const from = byId.get(edge.from);
              const to = byId.get(edge.to);
              if (from === undefined || to === undefined) return null;
              return <line key={index} {...common} x1={from.x} y1={from.y} x2={to.x} y2={to.y} />;
            })}
            {instance.nodes.map((node) => (
              <circle
                key={node.id}
                {...common}
                cx={node.x}
                cy={node.y}
                r={unit * 3}
                fill={node.occluded ? 'white' : colour}
              >
                <title>{`${node.name}${node.occluded ? ' (occluded)' : ''}`}</title>
              </circle>
            ))}
          </>
        );
      }
      default:
        return null;
    }
  })();
  if (shape === null) return null;
  return (
    <g data-instance-id={instance.id} data-instance-type={instance.type}>
      <title>{title}</title>
      {shape}
    </g>
  );
}
