/** The environment table in infra/README.md matches the config schema. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_SOURCE,
  README,
  renderEnvTable,
  settingDescriptions,
  withEnvTable,
} from '../../scripts/env-table.ts';

describe('the environment table', () => {
  it('in infra/README.md is up to date (run `node scripts/env-table.ts` when this fails)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(withEnvTable(readme, renderEnvTable(readFileSync(CONFIG_SOURCE, 'utf8')))).toBe(readme);
  });

  it('takes descriptions from the doc comments of the schema', () => {
    const source = `const EngineConfig = z.object({
      /** Root model. */
      model: z.string(),
      /**
       * Redis for cluster mode;
       * unset runs embedded.
       */
      redisUrl: z.string().optional(),
      apiKey: z.string(),
    });`;
    expect(Object.fromEntries(settingDescriptions(source))).toEqual({
      model: 'Root model.',
      redisUrl: 'Redis for cluster mode; unset runs embedded.',
      apiKey: '',
    });
  });

  it('refuses a variable whose setting has no description', () => {
    const source = readFileSync(CONFIG_SOURCE, 'utf8').replace('/** Root model. */', '');
    expect(() => renderEnvTable(source)).toThrow('RLM_MODEL: setting "model" has no doc comment');
  });

  it('changes when the schema changes', () => {
    const source = readFileSync(CONFIG_SOURCE, 'utf8').replace(
      '/** Root model. */',
      '/** The root model. */',
    );
    expect(renderEnvTable(source)).toContain(
      '| `RLM_MODEL` | `model` | `--model` | `gpt-5-mini` | The root model. |',
    );
  });
});
