import { TokenParser, TokenType, Tokenizer, TokenizerError } from '@streamparser/json';
import type { ParsedTokenInfo } from '@streamparser/json';
import { isFileIdKey, isMetadataKey, metadataKeys } from '../../contract/export-file.ts';
import type { MetadataKey } from '../../contract/export-file.ts';
import { formatImportProblem } from '../../contract/imports.ts';
import { byteSizeWords } from '../http/byte-size-words.ts';
import { MetadataCollector, missingLabelMapMessage } from './import-metadata.ts';
import {
  defaultMaxPacketBytes,
  metadataByteLimit,
  packetTooLargeMessage,
} from './import-reader.ts';

/*
 * The check an upload goes through while the route streams it to disk: it refuses, as soon as it
 * can tell, a body that cannot be a Diffgram JSON file, so the person learns at once rather than
 * from a failed import later. It follows the JSON's tokens with a small grammar of its own and never
 * builds a packet (a 2 GB file costs a few objects); only the metadata values, which are small, are
 * assembled and checked with the same rules the pipeline uses (import-metadata.ts).
 *
 * Refused: not JSON (at which byte, what was found), not an object at the top, a top-level key that
 * is neither a metadata key nor an integer file id, `export_info.export_format_version` other than
 * "1.0", no `label_map`, a packet that is not an object, a metadata value of the wrong shape. A
 * packet's inside is the pipeline's to judge (it names the packet and the path).
 *
 * Refused too, because the worker holds a packet (and the tokenizer a string) whole in memory: a
 * packet larger than IMPORT_MAX_PACKET_BYTES, a string or number longer than that, and nesting
 * deeper than `maxDepth`.
 */

/** The upload cannot be a Diffgram JSON 1.0 file; the message says what is wrong and what to do. */
export class InvalidImportFileError extends Error {
  override name = 'InvalidImportFileError';
}

/** What the check learnt of a file it accepted. */
export interface ImportFileSummary {
  /** File packets in the file. */
  packetCount: number;
  /** Bytes read. */
  sizeBytes: number;
}

const remedy = 'Upload the .json file annex (or Diffgram) exported, unchanged.';

/** The deepest nesting a file may have; an export's deepest is a handful of levels. */
const maxDepth = 64;

/** The check is fed in pieces no larger than this, so a size check between pieces is close. */
const pieceBytes = 1024 * 1024;

/** What the check is told of the server's limits. */
export interface ImportFileCheckOptions {
  /** IMPORT_MAX_PACKET_BYTES (default 64 MiB). */
  maxPacketBytes?: number;
}

type Frame = {
  kind: 'object' | 'array';
  /** What the frame waits for next. */
  expect: 'key' | 'colon' | 'value' | 'comma';
  /** Members so far (an empty container may close at once). */
  members: number;
  /** The object's current key. */
  key: string | undefined;
};

const tokenWords: Readonly<Record<number, string>> = {
  [TokenType.LEFT_BRACE]: '"{"',
  [TokenType.RIGHT_BRACE]: '"}"',
  [TokenType.LEFT_BRACKET]: '"["',
  [TokenType.RIGHT_BRACKET]: '"]"',
  [TokenType.COLON]: '":"',
  [TokenType.COMMA]: '","',
  [TokenType.TRUE]: 'true',
  [TokenType.FALSE]: 'false',
  [TokenType.NULL]: 'null',
  [TokenType.STRING]: 'a string',
  [TokenType.NUMBER]: 'a number',
};

const valueWords: Readonly<Record<number, string>> = {
  [TokenType.LEFT_BRACKET]: 'a list',
  [TokenType.TRUE]: 'true',
  [TokenType.FALSE]: 'false',
  [TokenType.NULL]: 'null',
  [TokenType.STRING]: 'a string',
  [TokenType.NUMBER]: 'a number',
};

/**
 * Checks an upload chunk by chunk: `write` each chunk as it arrives, then `end`. Both throw
 * `InvalidImportFileError` at the first sign that the file is not Diffgram JSON; after a throw the
 * check is spent.
 */
export class ImportFileCheck {
  private readonly tokenizer = new Tokenizer();
  private readonly stack: Frame[] = [];
  private rootDone = false;
  private rootStarted = false;
  private packetCount = 0;
  private bytes = 0;
  private readonly metadata = new MetadataCollector();
  private readonly seenMetadata = new Set<MetadataKey>();
  /** The metadata value being assembled, with the key it belongs to. */
  private assembling:
    { key: MetadataKey; parser: TokenParser; startOffset: number; value?: unknown } | undefined;
  private readonly maxPacketBytes: number;
  /** The packet being read: its key and the byte it starts at. */
  private packet: { key: string; start: number } | undefined;
  /** Where the last token started: a token still open past the limit is too long. */
  private lastTokenOffset = 0;

  constructor(options: ImportFileCheckOptions = {}) {
    this.maxPacketBytes = options.maxPacketBytes ?? defaultMaxPacketBytes;
    this.tokenizer.onToken = (token) => this.onToken(token);
  }

  /** Feeds the next chunk of the body. */
  write(chunk: Uint8Array | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let at = 0; at < bytes.byteLength; at += pieceBytes) {
      const piece = bytes.subarray(at, at + pieceBytes);
      try {
        this.tokenizer.write(piece);
      } catch (error) {
        throw this.asInvalid(error);
      }
      this.bytes += piece.byteLength;
      this.checkSizes(this.bytes);
    }
  }

  /** Refuses a packet, or a token still being read, that has grown past the packet limit. */
  private checkSizes(at: number): void {
    if (this.packet !== undefined && at - this.packet.start > this.maxPacketBytes) {
      throw invalid(`${packetTooLargeMessage(this.packet.key, this.maxPacketBytes)}.`);
    }
    // The token that started last is still open (the tokenizer buffers it) past the limit.
    if (at - this.lastTokenOffset > this.maxPacketBytes + pieceBytes) {
      throw invalid(
        `A string or number in the file (after byte ${this.lastTokenOffset}) is longer than ${byteSizeWords(this.maxPacketBytes)}, more than any packet may be; split the file or raise IMPORT_MAX_PACKET_BYTES.`,
      );
    }
  }

  /** Says the body ended; returns what was learnt, or throws when the file is incomplete or lacks a label_map. */
  end(): ImportFileSummary {
    try {
      this.tokenizer.end();
    } catch (error) {
      throw this.asInvalid(error);
    }
    if (!this.rootStarted) throw invalid(`The file is empty. ${remedy}`);
    if (!this.rootDone) {
      throw invalid(
        `The file ends before its JSON does (after ${this.bytes} bytes): the upload was cut short or the file is incomplete. ${remedy}`,
      );
    }
    if (!this.metadata.has('label_map')) {
      throw invalid(`Not a Diffgram JSON file: ${missingLabelMapMessage}.`);
    }
    return { packetCount: this.packetCount, sizeBytes: this.bytes };
  }

  private asInvalid(error: unknown): Error {
    if (error instanceof InvalidImportFileError) return error;
    if (error instanceof TokenizerError) {
      const match =
        /^Unexpected "([\s\S]*)" at chunk position "\d+" \(absolute position "(\d+)"\)/.exec(
          error.message,
        );
      if (match !== null) {
        return invalid(
          `The file is not valid JSON: unexpected ${JSON.stringify(match[1])} at byte ${match[2]}. ${remedy}`,
        );
      }
      if (/ended in the middle of a token/.test(error.message)) {
        return invalid(
          `The file ends in the middle of a JSON value (after ${this.bytes} bytes): the upload was cut short or the file is incomplete. ${remedy}`,
        );
      }
      return invalid(`The file is not valid JSON: ${error.message}. ${remedy}`);
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  private onToken(info: ParsedTokenInfo): void {
    const { token, offset } = info;
    if (this.rootDone) {
      throw invalid(
        `The file is not valid JSON: ${describe(token)} at byte ${offset}, after the end of the top-level object. ${remedy}`,
      );
    }
    this.lastTokenOffset = offset;
    this.checkSizes(offset);
    this.feedMetadata(info);
    const frame = this.stack.at(-1);
    if (frame === undefined) {
      this.rootValue(token);
      return;
    }
    switch (frame.expect) {
      case 'key':
        if (token === TokenType.STRING) {
          frame.key = info.value as string;
          frame.expect = 'colon';
          if (this.stack.length === 1) this.topLevelKey(frame.key, offset);
          return;
        }
        if (token === TokenType.RIGHT_BRACE && frame.members === 0) return this.close();
        throw unexpected(token, offset, 'a key in quotes');
      case 'colon':
        if (token === TokenType.COLON) {
          frame.expect = 'value';
          return;
        }
        throw unexpected(token, offset, '":"');
      case 'comma':
        if (token === TokenType.COMMA) {
          frame.expect = frame.kind === 'object' ? 'key' : 'value';
          return;
        }
        if (token === (frame.kind === 'object' ? TokenType.RIGHT_BRACE : TokenType.RIGHT_BRACKET))
          return this.close();
        throw unexpected(token, offset, frame.kind === 'object' ? '"," or "}"' : '"," or "]"');
      case 'value':
        if (token === TokenType.RIGHT_BRACKET && frame.kind === 'array' && frame.members === 0)
          return this.close();
        if (this.stack.length === 1) this.topLevelValue(frame.key ?? '', info);
        this.value(frame, token, offset);
    }
  }

  private rootValue(token: TokenType): void {
    if (this.rootStarted) return;
    this.rootStarted = true;
    if (token !== TokenType.LEFT_BRACE) {
      throw invalid(
        `Not a Diffgram JSON file: the file holds ${describeValue(token)} at the top, where a Diffgram JSON file holds one object (its metadata and one packet per file). ${remedy}`,
      );
    }
    this.stack.push({ kind: 'object', expect: 'key', members: 0, key: undefined });
  }

  private value(frame: Frame, token: TokenType, offset: number): void {
    frame.members += 1;
    frame.expect = 'comma';
    if (
      (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) &&
      this.stack.length >= maxDepth
    ) {
      throw invalid(
        `Not a Diffgram JSON file: its JSON nests deeper than ${maxDepth} levels (at byte ${offset}), far deeper than any export. ${remedy}`,
      );
    }
    if (this.stack.length === 1 && token === TokenType.LEFT_BRACE && isFileIdKey(frame.key ?? '')) {
      this.packet = { key: frame.key ?? '', start: offset };
    }
    if (token === TokenType.LEFT_BRACE) {
      this.stack.push({ kind: 'object', expect: 'key', members: 0, key: undefined });
    } else if (token === TokenType.LEFT_BRACKET) {
      this.stack.push({ kind: 'array', expect: 'value', members: 0, key: undefined });
    } else if (
      token === TokenType.RIGHT_BRACE ||
      token === TokenType.RIGHT_BRACKET ||
      token === TokenType.COLON ||
      token === TokenType.COMMA
    ) {
      throw unexpected(token, offset, 'a value');
    }
  }

  private close(): void {
    this.stack.pop();
    if (this.stack.length === 1) this.packet = undefined;
    if (this.stack.length === 0) this.rootDone = true;
  }

  private topLevelKey(key: string, offset: number): void {
    if (isMetadataKey(key)) return;
    if (!isFileIdKey(key)) {
      throw invalid(
        `Not a Diffgram JSON file: the top-level key ${JSON.stringify(key).slice(0, 80)} (at byte ${offset}) is neither a metadata key (${metadataKeys.join(', ')}) nor an integer file id. ${remedy}`,
      );
    }
    this.packetCount += 1;
  }

  private topLevelValue(key: string, info: ParsedTokenInfo): void {
    const { token, offset } = info;
    if (isMetadataKey(key)) {
      if (this.seenMetadata.has(key)) {
        throw invalid(
          `Not a Diffgram JSON file: "${key}" appears twice at the top level. ${remedy}`,
        );
      }
      this.seenMetadata.add(key);
      const parser = new TokenParser();
      this.assembling = { key, parser, startOffset: offset };
      const assembling = this.assembling;
      parser.onValue = ({ value, stack }) => {
        if (stack.length === 0) assembling.value = value;
      };
      // The value's first token is the one being checked now: feed it here.
      this.feedMetadata(info);
      return;
    }
    if (token !== TokenType.LEFT_BRACE) {
      throw invalid(
        `Not a Diffgram JSON file: packet ${key} (at byte ${offset}) is ${describeValue(token)}, not an object with the file and its instances. ${remedy}`,
      );
    }
  }

  /** Feeds a token to the metadata value being assembled; checks the value once it is whole. */
  private feedMetadata(info: ParsedTokenInfo): void {
    const assembling = this.assembling;
    if (assembling === undefined || assembling.parser.isEnded) return;
    if (info.offset - assembling.startOffset > metadataByteLimit) {
      throw invalid(
        `Not a Diffgram JSON file: its "${assembling.key}" is larger than ${metadataByteLimit / 1024 / 1024} MB, far more than any export's metadata. ${remedy}`,
      );
    }
    assembling.parser.write(info);
    if (!hasEnded(assembling.parser)) return;
    this.assembling = undefined;
    const [problem] = this.metadata.add(assembling.key, assembling.value);
    if (problem !== undefined) {
      throw invalid(`Not a Diffgram JSON file: ${formatImportProblem(problem)}. ${remedy}`);
    }
  }
}

function invalid(message: string): InvalidImportFileError {
  return new InvalidImportFileError(message);
}

function unexpected(token: TokenType, offset: number, expected: string): InvalidImportFileError {
  return invalid(
    `The file is not valid JSON: ${describe(token)} at byte ${offset} where ${expected} was expected. ${remedy}`,
  );
}

function describe(token: TokenType): string {
  return tokenWords[token] ?? 'a token';
}

function describeValue(token: TokenType): string {
  return valueWords[token] ?? describe(token);
}

// A getter TypeScript narrows as if it could not change between two reads; this one does.
function hasEnded(parser: TokenParser): boolean {
  return parser.isEnded;
}
