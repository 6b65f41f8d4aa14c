import { Readable, pipeline } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import streamJson from 'stream-json';
import StreamObject from 'stream-json/streamers/StreamObject.js';
import {
  attributeGroupReferenceSchema,
  countPacketInstances,
  exportInfoSchema,
  filePacketSchema,
  isFileIdKey,
  isMetadataKey,
  labelColourMapSchema,
  labelMapSchema,
  metadataKeys,
  readmeSchema,
} from '../contract/export-file.ts';
import type { ExportFileMetadata, FilePacket } from '../contract/export-file.ts';
import { z } from 'zod';
import { AnnexError } from './annex-errors.ts';
import type { AnnexHttpClient } from './annex-http-client.ts';

/** One file of an export as the stream yields it: its id and its packet. */
export type FilePacketEntry = [fileId: number, packet: FilePacket];

/** What an ExportFileStream needs: the client that parses, and how to open the file's body. */
export interface ExportFileStreamSource {
  /** The client whose error mapping and schemas apply. */
  client: AnnexHttpClient;
  /** Opens the file (a fresh download link, fetched); called once, when iteration starts. */
  open: () => Promise<Response>;
  /** Names the file in errors (`export 12`). */
  label: string;
}

const attributeGroupsReferenceSchema = z.array(attributeGroupReferenceSchema);

/**
 * Reads an export file as a stream of `[fileId, packet]` pairs, one packet in memory at a time, so a
 * 100,000-file export walks in flat memory. Each packet is parsed with the contract's packet schema;
 * the five metadata entries are parsed as they pass and collected in `metadata`. When the last
 * packet has been read, the check values in `export_info` are compared with what the stream held.
 *
 * It reads its file once: call `streamFilePackets()` again for a second pass.
 */
export class ExportFileStream implements AsyncIterable<FilePacketEntry> {
  readonly #source: ExportFileStreamSource;
  readonly #metadata: Partial<ExportFileMetadata> = {};
  #started = false;
  #finished = false;

  /** Prepares a stream; nothing is fetched until iteration starts. */
  constructor(source: ExportFileStreamSource) {
    this.#source = source;
  }

  /**
   * The metadata entries read so far. The format does not fix key order (annex writes metadata
   * first), so the full set is only certain once iteration has ended: see `completeMetadata()`.
   */
  get metadata(): Readonly<Partial<ExportFileMetadata>> {
    return this.#metadata;
  }

  /** The five metadata entries, once the whole file has been read; throws before that. */
  completeMetadata(): ExportFileMetadata {
    const { readme, label_map, label_colour_map, export_info, attribute_groups_reference } =
      this.#metadata;
    if (
      !this.#finished ||
      readme === undefined ||
      label_map === undefined ||
      label_colour_map === undefined ||
      export_info === undefined ||
      attribute_groups_reference === undefined
    ) {
      throw new AnnexError(
        `The metadata of ${this.#source.label} is complete only after every packet has been read.`,
        {
          code: 'bad_request',
        },
      );
    }
    return { readme, label_map, label_colour_map, export_info, attribute_groups_reference };
  }

  /** Yields every file packet in file order, parsed; ends after checking the file's check values. */
  async *[Symbol.asyncIterator](): AsyncGenerator<FilePacketEntry, void, undefined> {
    if (this.#started) {
      throw new AnnexError(
        `This stream of ${this.#source.label} has been read already; call streamFilePackets() again.`,
        {
          code: 'bad_request',
        },
      );
    }
    this.#started = true;
    const { client, label } = this.#source;
    const response = await this.#source.open();
    if (response.body === null) {
      throw new AnnexError(`The download of ${label} has no body.`, {
        code: 'unexpected_response',
        httpStatus: response.status,
      });
    }
    const body = Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>);
    let bodyError: unknown;
    body.once('error', (error) => (bodyError = error));
    // Errors end up on the last stream, where the loop below sees them; the callback only has to exist.
    // Packed values only: StreamObject assembles from those, and skipping the per-chunk tokens parses
    // about a third faster.
    const entries = pipeline(
      body,
      streamJson.parser({ streamValues: false }),
      StreamObject.streamObject(),
      () => undefined,
    );

    let packets = 0;
    let instances = 0;
    try {
      for await (const entry of entries as AsyncIterable<{ key: string; value: unknown }>) {
        const { key, value } = entry;
        if (isMetadataKey(key)) {
          this.#keepMetadata(key, value);
          continue;
        }
        if (!isFileIdKey(key)) {
          throw new AnnexError(
            `${label} holds a top-level key "${key}" that is neither metadata (${metadataKeys.join(', ')}) nor a file id.`,
            { code: 'unexpected_response' },
          );
        }
        const packet = client.parse(filePacketSchema, value, `${label}, file ${key}`);
        if (packet.file.id !== Number(key)) {
          throw new AnnexError(
            `${label} holds the packet of file ${packet.file.id} under key ${key}.`,
            {
              code: 'unexpected_response',
            },
          );
        }
        packets += 1;
        instances += countPacketInstances(packet);
        yield [packet.file.id, packet];
      }
    } catch (error) {
      if (error instanceof AnnexError) throw error;
      if (bodyError !== undefined) {
        throw client.networkError(
          bodyError,
          `Lost the connection to annex at ${client.host} while reading ${label}`,
        );
      }
      throw new AnnexError(
        `${label} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
        {
          code: 'unexpected_response',
          cause: error,
        },
      );
    } finally {
      // Stops the download when the caller breaks out of the loop early.
      entries.destroy();
    }
    this.#finished = true;
    this.#checkCounts(packets, instances);
  }

  #keepMetadata(key: (typeof metadataKeys)[number], value: unknown): void {
    const { client, label } = this.#source;
    const what = `${label}, ${key}`;
    switch (key) {
      case 'readme':
        this.#metadata.readme = client.parse(readmeSchema, value, what);
        break;
      case 'label_map':
        this.#metadata.label_map = client.parse(labelMapSchema, value, what);
        break;
      case 'label_colour_map':
        this.#metadata.label_colour_map = client.parse(labelColourMapSchema, value, what);
        break;
      case 'export_info':
        this.#metadata.export_info = client.parse(exportInfoSchema, value, what);
        break;
      case 'attribute_groups_reference':
        this.#metadata.attribute_groups_reference = client.parse(
          attributeGroupsReferenceSchema,
          value,
          what,
        );
        break;
    }
  }

  #checkCounts(packets: number, instances: number): void {
    const { label } = this.#source;
    const missing = metadataKeys.filter((key) => this.#metadata[key] === undefined);
    if (missing.length > 0) {
      throw new AnnexError(`${label} lacks its metadata: ${missing.join(', ')}.`, {
        code: 'unexpected_response',
      });
    }
    const info = this.#metadata.export_info;
    if (
      info !== undefined &&
      (info.file_list_length !== packets || info.instance_count !== instances)
    ) {
      throw new AnnexError(
        `${label} says it holds ${info.file_list_length} files and ${info.instance_count} instances, ` +
          `but it held ${packets} files and ${instances} instances.`,
        { code: 'unexpected_response' },
      );
    }
  }
}
