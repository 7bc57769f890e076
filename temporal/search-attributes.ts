import type { Connection } from '@temporalio/client';
import protos from '@temporalio/proto';
import { CarepathError } from '../errors/carepath-error.ts';
import type { SearchAttributeTypeName } from '../config/load-config.ts';

// @temporalio/proto is CommonJS: take the namespace from its default export.
const IndexedValueType = protos.temporal.api.enums.v1.IndexedValueType;
type IndexedValueType = protos.temporal.api.enums.v1.IndexedValueType;

const TYPES: Record<SearchAttributeTypeName, IndexedValueType> = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Text: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KeywordList: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * Registers the custom search attributes the namespace lacks. Idempotent; an attribute that
 * exists with another type is an error (renaming it is an operator's decision, not ours).
 * Returns the names added now, or null when the server has no operator API to ask.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  wanted: Record<string, SearchAttributeTypeName>,
): Promise<string[] | null> {
  let existing;
  try {
    existing = await connection.operatorService.listSearchAttributes({ namespace });
  } catch (err) {
    // The Java time-skipping test server has no operator API; journeys there run unindexed.
    if ((err as { code?: number }).code === 12 /* UNIMPLEMENTED */) return null;
    throw err;
  }
  const custom = existing.customAttributes ?? {};
  const missing: Record<string, IndexedValueType> = {};
  const clashes: string[] = [];
  for (const [name, typeName] of Object.entries(wanted)) {
    const type = TYPES[typeName];
    if (!(name in custom)) missing[name] = type;
    else if (custom[name] !== type) clashes.push(`${name} is ${IndexedValueType[custom[name]!]}, wanted ${typeName}`);
  }
  if (clashes.length > 0) {
    throw new CarepathError('search-attribute-clash', `search attributes in namespace '${namespace}' have other types: ${clashes.join('; ')}`);
  }
  if (Object.keys(missing).length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (err) {
    throw new CarepathError(
      'search-attribute-registration-failed',
      `could not register search attributes ${Object.keys(missing).join(', ')} in '${namespace}': ${(err as Error).message}. ` +
        'On Temporal Cloud register them with tcld or the Cloud UI.',
    );
  }
  return Object.keys(missing);
}
