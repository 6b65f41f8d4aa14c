import { useState } from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Export } from '../../../../../contract/exports.ts';
import { http, HttpResponse } from 'msw';
import {
  errorResponse,
  exportsPath,
  jsonResponse,
  recordRequests,
  server,
} from '../../../../test-utils/api-server.ts';
import { buildExport, buildExportLink, demoProject } from '../../../../test-utils/builders.ts';
import { createInThreadPrettyPrinter } from '../../../../test-utils/in-thread-printer.ts';
import { renderWithProviders } from '../../../../test-utils/render.tsx';
import { prettyPrintJson } from '../../pretty-print/pretty-print.ts';
import { ExportPreview } from './ExportPreview.tsx';

const linkPath = (id: number) => `${exportsPath()}/${id}/link`;

// A small export file, minified as the server writes it. Written out by hand: an object literal would
// move the integer keys (file ids) ahead of the metadata, and the order is what the preview must keep.
function exportFile(id: number): string {
  return [
    '{"readme":{"format":"Diffgram JSON 1.0"},"label_map":{"5":"Car"},',
    `"export_info":{"id":${id},"file_list_length":2},"attribute_groups_reference":[],`,
    `"101":{"file":{"id":101,"original_filename":"scene_${id}.jpg"},"instance_list":[{"id":1,"type":"box"}]},`,
    '"102":{"file":{"id":102,"original_filename":"scene_b.jpg"},"instance_list":[]}}',
  ].join('');
}

// The link answer for `item`: a signed URL the preview then fetches.
function linkHandler(item: Export) {
  return http.post(linkPath(item.id), () =>
    jsonResponse(buildExportLink(item, `/files/${item.id}?signature=abc`)),
  );
}

// The export file at the link's URL.
function fileHandler(id: number, body: string = exportFile(id)) {
  return http.get(`/files/${id}`, () => new HttpResponse(body));
}

function editorLines(name: string): string[] {
  const editor = screen.getByRole('textbox', { name });
  return Array.from(editor.querySelectorAll('.cm-line'), (line) => line.textContent);
}

let closePrinter: () => void = () => undefined;
let printerUnderTest: ReturnType<typeof createInThreadPrettyPrinter>['printer'];

beforeEach(() => {
  const inThread = createInThreadPrettyPrinter();
  printerUnderTest = inThread.printer;
  closePrinter = inThread.close;
});

afterEach(() => {
  closePrinter();
});

describe('ExportPreview', () => {
  it('asks for a fresh link, fetches the file and shows it pretty-printed, read-only', async () => {
    const item = buildExport({ id: 7 });
    server.use(
      linkHandler(item),
      http.get('/files/7', () =>
        HttpResponse.text(exportFile(7), { headers: { 'content-type': 'application/json' } }),
      ),
    );
    const log = recordRequests();
    renderWithProviders(
      <ExportPreview project={demoProject} item={item} onClose={() => undefined} />,
      {
        printer: printerUnderTest,
      },
    );

    const dialog = screen.getByRole('dialog', { name: 'Preview of export 7' });
    expect(within(dialog).getByRole('status')).toHaveTextContent('Fetching and formatting');

    const editor = await within(dialog).findByRole('textbox', {
      name: 'Export 7 file, pretty-printed JSON',
    });
    expect(editor).toHaveAttribute('aria-readonly', 'true');
    expect(editorLines('Export 7 file, pretty-printed JSON').slice(0, 4)).toEqual([
      '{',
      '  "readme": {',
      '    "format": "Diffgram JSON 1.0"',
      '  },',
    ]);
    expect(within(dialog).getByText(/2 file packets/)).toBeInTheDocument();
    expect(log.to('POST', linkPath(7))).toHaveLength(1);
    expect(log.to('GET', '/files/7')[0]?.query.get('signature')).toBe('abc');
  });

  it('folds to an outline of the metadata and one line per file packet, and unfolds', async () => {
    const item = buildExport({ id: 7 });
    server.use(linkHandler(item), fileHandler(7));
    const { user } = renderWithProviders(
      <ExportPreview project={demoProject} item={item} onClose={() => undefined} />,
      { printer: printerUnderTest },
    );
    const editor = await screen.findByRole('textbox', {
      name: 'Export 7 file, pretty-printed JSON',
    });

    await user.click(screen.getByRole('button', { name: 'Fold to top level' }));
    await waitFor(() => expect(editor.querySelectorAll('.cm-foldPlaceholder')).toHaveLength(5));
    expect(editorLines('Export 7 file, pretty-printed JSON')).toEqual([
      '{',
      '  "readme": {…},',
      '  "label_map": {…},',
      '  "export_info": {…},',
      '  "attribute_groups_reference": [],',
      '  "101": {…},',
      '  "102": {…}',
      '}',
    ]);

    await user.click(screen.getByRole('button', { name: 'Unfold all' }));
    await waitFor(() => expect(editor.querySelectorAll('.cm-foldPlaceholder')).toHaveLength(0));
  });

  it('loads a file sent in many pieces into the viewer, in order', async () => {
    closePrinter();
    const inPieces = createInThreadPrettyPrinter({ chunkCharacters: 40 });
    closePrinter = inPieces.close;
    const item = buildExport({ id: 7 });
    server.use(linkHandler(item), fileHandler(7));
    const { user } = renderWithProviders(
      <ExportPreview project={demoProject} item={item} onClose={() => undefined} />,
      { printer: inPieces.printer },
    );
    await screen.findByRole('textbox', { name: 'Export 7 file, pretty-printed JSON' });
    const fold = screen.getByRole('button', { name: 'Fold to top level' });
    await waitFor(() => expect(fold).toBeEnabled());
    await user.click(screen.getByRole('button', { name: 'Copy JSON' }));
    const copied = await navigator.clipboard.readText();
    expect(copied).toBe(prettyPrintJson(exportFile(7)).text);
    await user.click(fold);
    await waitFor(() =>
      expect(editorLines('Export 7 file, pretty-printed JSON')).toContain('  "102": {…}'),
    );
  });

  it('copies the pretty-printed JSON', async () => {
    const item = buildExport({ id: 7 });
    server.use(linkHandler(item), fileHandler(7));
    const { user } = renderWithProviders(
      <ExportPreview project={demoProject} item={item} onClose={() => undefined} />,
      { printer: printerUnderTest },
    );
    await user.click(await screen.findByRole('button', { name: 'Copy JSON' }));
    const copied = await navigator.clipboard.readText();
    expect(
      copied.startsWith('{\n  "readme": {\n    "format": "Diffgram JSON 1.0"\n  },\n  "label_map"'),
    ).toBe(true);
    expect(JSON.parse(copied)).toEqual(JSON.parse(exportFile(7)));
    expect(screen.getByRole('button', { name: 'Copied' })).toBeInTheDocument();
  });

  it('opens the search panel from its button', async () => {
    const item = buildExport({ id: 7 });
    server.use(linkHandler(item), fileHandler(7));
    const { user } = renderWithProviders(
      <ExportPreview project={demoProject} item={item} onClose={() => undefined} />,
      { printer: printerUnderTest },
    );
    await screen.findByRole('textbox', { name: 'Export 7 file, pretty-printed JSON' });
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByRole('textbox', { name: 'Find' })).toBeInTheDocument();
  });

  it('shows why the file could not be read, and tries again on request', async () => {
    const item = buildExport({ id: 7 });
    server.use(
      http.post(linkPath(7), () => errorResponse(409, 'export_not_ready', 'Export not ready yet')),
      fileHandler(7),
    );
    const { user } = renderWithProviders(
      <ExportPreview project={demoProject} item={item} onClose={() => undefined} />,
      { printer: printerUnderTest },
    );
    expect(await screen.findByText('Export not ready yet')).toBeInTheDocument();
    expect(screen.getByText('The file could not be previewed')).toBeInTheDocument();

    server.use(linkHandler(item));
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByRole('textbox', { name: 'Export 7 file, pretty-printed JSON' }),
    ).toBeInTheDocument();
  });

  it('reports a file that is not JSON', async () => {
    const item = buildExport({ id: 7 });
    server.use(linkHandler(item), fileHandler(7, '{"readme": {"cut off'));
    renderWithProviders(
      <ExportPreview project={demoProject} item={item} onClose={() => undefined} />,
      {
        printer: printerUnderTest,
      },
    );
    expect(
      await screen.findByText(/The file is not valid JSON: a string that never closes/),
    ).toBeInTheDocument();
  });

  it('never shows a stale file: switching exports cancels the first and shows only the second', async () => {
    const first = buildExport({ id: 7 });
    const second = buildExport({ id: 8 });
    let sendFirstFile: () => void = () => undefined;
    server.use(
      linkHandler(first),
      linkHandler(second),
      http.get(
        '/files/7',
        () =>
          new Promise<Response>((resolve) => {
            sendFirstFile = () => resolve(new HttpResponse(exportFile(7)));
          }),
      ),
      fileHandler(8),
    );
    const log = recordRequests();
    function Switcher() {
      const [item, setItem] = useState<Export>(first);
      return (
        <>
          <ExportPreview project={demoProject} item={item} onClose={() => undefined} />
          <button type="button" onClick={() => setItem(second)}>
            Show export 8
          </button>
        </>
      );
    }
    renderWithProviders(<Switcher />, { printer: printerUnderTest });
    await waitFor(() => expect(log.to('GET', '/files/7')).toHaveLength(1));

    screen.getByRole('button', { name: 'Show export 8', hidden: true }).click();
    await screen.findByRole('textbox', { name: 'Export 8 file, pretty-printed JSON' });
    await waitFor(() => expect(log.to('GET', '/files/7')[0]?.signal.aborted).toBe(true));

    // Let a late answer for the first file through the message channel, if any would come.
    sendFirstFile();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(
      screen.queryByRole('textbox', { name: 'Export 7 file, pretty-printed JSON' }),
    ).not.toBeInTheDocument();
    expect(screen.getByText(/scene_8\.jpg/)).toBeInTheDocument();
  });
});
