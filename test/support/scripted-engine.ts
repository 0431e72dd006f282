/** A simulator with scripted replies and an RLM pointed at it, closed by `closeScriptedEngines`. */
import { RLM } from '@rlm/sdk';
import type { RLMOptions } from '@rlm/sdk';
import { startSimServer } from '@rlm/sim';
import type { ScriptedReplyFunction, SimServer } from '@rlm/sim';

const servers: SimServer[] = [];

export async function scriptedEngine(
  replies: ScriptedReplyFunction,
  options: Partial<RLMOptions> = {},
): Promise<{ rlm: RLM; sim: SimServer }> {
  const sim = await startSimServer({ policy: { type: 'scripted', replies } });
  servers.push(sim);
  const rlm = new RLM({ baseUrl: sim.baseUrl, model: 'sim-large', subModel: 'sim-small', env: {}, ...options });
  return { rlm, sim };
}

export async function closeScriptedEngines(): Promise<void> {
  await Promise.all(servers.splice(0).map((sim) => sim.close()));
}
