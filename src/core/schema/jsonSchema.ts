import { z } from 'zod';
import { prettyJson } from '../canonical';
import { ChangeSchema } from './change';
import { ConfigSchema } from './config';

/**
 * JSON Schemas generated from the zod schemas, written into a user's repository so editors
 * (the YAML language server) validate change.yaml and config.yaml as they are typed.
 */
export function jsonSchemaFiles(): Record<string, string> {
  return {
    'config.schema.json': prettyJson({ ...z.toJSONSchema(ConfigSchema, { io: 'input' }), title: 'Dynaforge .dynaforge/config.yaml' }),
    'change.schema.json': prettyJson({ ...z.toJSONSchema(ChangeSchema, { io: 'input' }), title: 'Dynaforge changes/CH-###/change.yaml' }),
  };
}
