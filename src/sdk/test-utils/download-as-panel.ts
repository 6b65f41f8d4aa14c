import { createHash } from 'node:crypto';
import { exportLinkSchema } from '../../contract/exports.ts';

/** What the panel's Download gives for one export: the bytes its fresh link serves. */
export interface PanelDownload {
  /** The file, byte for byte. */
  bytes: Buffer;
  /** SHA-256 of the bytes, hex. */
  sha256: string;
  /** The file parsed as JSON. */
  json: unknown;
}

/**
 * Downloads an export the way the panel does (`POST /:id/link`, then open the URL), with plain fetch
 * and without the SDK, so SDK and CLI results can be compared with it.
 */
export async function downloadAsPanel(
  host: string,
  projectStringId: string,
  exportId: number,
): Promise<PanelDownload> {
  const linkResponse = await fetch(
    `${host}/api/v1/projects/${projectStringId}/exports/${exportId}/link`,
    { method: 'POST' },
  );
  if (!linkResponse.ok)
    throw new Error(
      `POST link of export ${exportId}: HTTP ${linkResponse.status} ${await linkResponse.text()}`,
    );
  const link = exportLinkSchema.parse(await linkResponse.json());
  const fileResponse = await fetch(new URL(link.url, host));
  if (!fileResponse.ok) throw new Error(`GET ${link.url}: HTTP ${fileResponse.status}`);
  const bytes = Buffer.from(await fileResponse.arrayBuffer());
  return {
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    json: JSON.parse(bytes.toString('utf8')),
  };
}
