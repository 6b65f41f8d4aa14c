import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { MediaCanvas } from './MediaCanvas.tsx';
import { imagePacket, sampleLabels } from './spot-check-fixtures.ts';

// Every instance type drawn in file pixels, in its label colour, titled with its label; the stated
// size as the viewBox; the neutral canvas when the media does not load.

function renderImage(width: number | null = 400, height: number | null = 300) {
  if (!('image' in imagePacket)) throw new Error('not an image');
  return renderWithProviders(
    <MediaCanvas
      mediaUrl={imagePacket.image.image_signed_url}
      width={width}
      height={height}
      instances={imagePacket.instance_list}
      labels={sampleLabels}
      caption="street.jpg"
    />,
  );
}

const group = (container: HTMLElement, id: number) => {
  const found = container.querySelector(`g[data-instance-id="${id}"]`);
  if (found === null) throw new Error(`instance ${id} not drawn`);
  return found;
};

describe('MediaCanvas', () => {
  it('draws at the stated size, every drawn type, but neither text spans nor global instances', () => {
    const { container } = renderImage();
    const svg = screen.getByRole('img', { name: 'street.jpg: 7 instances drawn' });
    expect(svg.getAttribute('viewBox')).toBe('0 0 400 300');
    expect(container.querySelector('g[data-instance-id="18"]')).toBeNull();
    expect(screen.getByRole('img', { name: 'street.jpg' })).toHaveAttribute('src', '/m/street.svg');
  });

  it('draws a box as a rect in file pixels, in its label colour, titled with the label', () => {
    const box = group(renderImage().container, 11);
    const rect = box.querySelector('rect');
    expect([
      rect?.getAttribute('x'),
      rect?.getAttribute('y'),
      rect?.getAttribute('width'),
      rect?.getAttribute('height'),
    ]).toEqual(['10', '20', '100', '50']);
    expect(rect?.getAttribute('stroke')).toBe('#e6194b');
    expect(box.querySelector('title')?.textContent).toBe('car · box 11');
  });

  it('draws polygons, lines and points from their points', () => {
    const { container } = renderImage();
    expect(group(container, 12).querySelector('polygon')?.getAttribute('points')).toBe(
      '1,1 50,1 20,40',
    );
    expect(group(container, 12).querySelector('polygon')?.getAttribute('stroke')).toBe('#3cb44b');
    expect(group(container, 13).querySelector('polyline')?.getAttribute('points')).toBe(
      '0,299 399,200',
    );
    const point = group(container, 14).querySelector('circle');
    expect([point?.getAttribute('cx'), point?.getAttribute('cy')]).toEqual(['30', '40']);
  });

  it('draws an ellipse about its centre, width and height as diameters, rotated by its angle in degrees', () => {
    const ellipse = group(renderImage().container, 15).querySelector('ellipse');
    expect([
      ellipse?.getAttribute('cx'),
      ellipse?.getAttribute('cy'),
      ellipse?.getAttribute('rx'),
      ellipse?.getAttribute('ry'),
      ellipse?.getAttribute('transform'),
    ]).toEqual(['200', '150', '40', '20', 'rotate(90 200 150)']);
  });

  it('draws a cuboid as its front and rear faces joined corner to corner', () => {
    const cuboid = group(renderImage().container, 16);
    expect(cuboid.querySelector('[data-face="front"]')?.getAttribute('points')).toBe(
      '100,100 150,100 150,150 100,150',
    );
    expect(cuboid.querySelector('[data-face="rear"]')?.getAttribute('points')).toBe(
      '110,90 160,90 160,140 110,140',
    );
    const edges = [...cuboid.querySelectorAll('[data-edge="depth"]')].map((edge) =>
      ['x1', 'y1', 'x2', 'y2'].map((name) => edge.getAttribute(name)).join(','),
    );
    expect(edges).toEqual([
      '100,100,110,90',
      '150,100,160,90',
      '150,150,160,140',
      '100,150,110,140',
    ]);
  });

  it('draws keypoints as nodes joined by their edges, occluded nodes hollow', () => {
    const keypoints = group(renderImage().container, 17);
    const edge = keypoints.querySelector('line');
    expect(['x1', 'y1', 'x2', 'y2'].map((name) => edge?.getAttribute(name))).toEqual([
      '300',
      '50',
      '300',
      '120',
    ]);
    const nodes = [...keypoints.querySelectorAll('circle')];
    expect(nodes.map((node) => node.getAttribute('fill'))).toEqual(['#4363d8', 'white']);
    expect(nodes.map((node) => node.querySelector('title')?.textContent)).toEqual([
      'head',
      'hip (occluded)',
    ]);
  });

  it('draws on a neutral canvas of the stated size, saying so, when the media does not load', () => {
    renderImage();
    fireEvent.error(screen.getByRole('img', { name: 'street.jpg' }));
    expect(
      screen.getByText('media could not be loaded (/m/street.svg); drawn at the stated 400×300'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('img', { name: 'street.jpg' })).toBeNull();
    expect(screen.getByRole('img', { name: 'street.jpg: 7 instances drawn' })).toBeInTheDocument();
  });

  it('says so when the file states no size, and still draws', () => {
    renderImage(null, 300);
    expect(screen.getByText(/The file states no width or height \(null×300\)/)).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'street.jpg: 7 instances drawn' })).toHaveAttribute(
      'viewBox',
      '0 0 1280 720',
    );
  });

  it('names a label the file does not have and draws it grey', () => {
    const unlabelled = {
      id: 11,
      type: 'box' as const,
      label_file_id: 99,
      attribute_groups: null,
      x_min: 1,
      y_min: 1,
      x_max: 5,
      y_max: 5,
    };
    const { container } = renderWithProviders(
      <MediaCanvas
        mediaUrl="/m/a.svg"
        width={10}
        height={10}
        instances={[unlabelled]}
        labels={sampleLabels}
        caption="a"
      />,
    );
    const box = group(container, 11);
    expect(box.querySelector('rect')?.getAttribute('stroke')).toBe('#868e96');
    expect(box.querySelector('title')?.textContent).toBe(
      "label 99 (not in the file's label_map) · box 11",
    );
  });
});
