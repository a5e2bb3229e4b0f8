import { DfError } from '../errors';
import { readTextIfExists } from '../fs/atomic';
import type { Layout } from '../repo/layout';
import { ConfigSchema, type Config } from '../schema/config';
import { parseYamlAs } from '../yaml/loadYaml';

export const CONFIG_REL = '.dynaforge/config.yaml';

/** Loads and validates `.dynaforge/config.yaml`; errors name the line, the field and the fix. */
export function loadConfig(layout: Layout): Config {
  const text = readTextIfExists(layout.configFile);
  if (text === undefined) {
    throw new DfError('not-initialized', `${CONFIG_REL} is missing`, 'run `dynaforge init` to create it', { file: CONFIG_REL });
  }
  return parseYamlAs(ConfigSchema, text, CONFIG_REL, `edit ${CONFIG_REL} (the fields are described in docs/formats.md), or move it aside and run \`dynaforge init\` for a fresh one`);
}
