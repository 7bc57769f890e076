/**
 * Platform vocabularies kept as data under pathway/vocabulary/: clinical codes, roles and
 * channels a pathway may name. Each file maps a name to its Chinese label.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Vocabulary {
  codes: Map<string, string>;
  roles: Map<string, string>;
  channels: Map<string, string>;
}

let cached: Vocabulary | undefined;

/** Loads (once) the vocabularies shipped with the platform. */
export function loadVocabulary(): Vocabulary {
  cached ??= {
    codes: read('codes.yaml', 'codes'),
    roles: read('roles.yaml', 'roles'),
    channels: read('channels.yaml', 'channels'),
  };
  return cached;
}

function read(file: string, key: string): Map<string, string> {
  const data = parse(readFileSync(new URL(`../vocabulary/${file}`, import.meta.url), 'utf8')) as Record<string, Record<string, string>>;
  return new Map(Object.entries(data[key] ?? {}));
}
