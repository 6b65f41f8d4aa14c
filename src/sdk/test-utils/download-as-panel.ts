import { createHash } from 'node:crypto';
import { exportLinkSchema } from '../../contract/exports.ts';
import { basicAuthorization } from '../api-credentials.ts';
import type { AnnexTestServer } from './annex-server.ts';

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
 * and without the SDK, so SDK and CLI results can be compared with it. It asks for the link as the
 * instance admin (with the admin's API key where the panel has its session) and opens the link with
 * no credentials, as a browser tab does.
 */
export async function downloadAsPanel(
  server: AnnexTestServer,
  projectStringId: string,
  exportId: number,
): Promise<PanelDownload> {
  const { host } = server;
  const linkResponse = await fetch(
    `${host}/api/v1/projects/${projectStringId}/exports/${exportId}/link`,
    { method: 'POST', headers: { authorization: basicAuthorization(server.admin) } },
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
