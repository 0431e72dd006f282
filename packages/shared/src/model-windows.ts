/**
 * Context windows (input tokens) of known root models, for compaction (`--context-window`
 * overrides). A model missing from the table gets `DEFAULT_CONTEXT_WINDOW`, a deliberately
 * small figure: compacting too early costs one summary call, overflowing the window fails the run.
 */
export const KNOWN_CONTEXT_WINDOWS: Readonly<Record<string, number>> = {
  'gpt-5': 400_000,
  'gpt-5-mini': 400_000,
  'gpt-5-nano': 400_000,
  'gpt-4.1': 1_047_576,
  'gpt-4.1-mini': 1_047_576,
  'gpt-4o': 128_000,
  'gpt-4o-mini': 128_000,
  // The simulator's models, sized like the models they stand in for.
  'sim-large': 400_000,
  'sim-small': 400_000,
};

/** Windows of unknown models: small enough for any current chat model. */
export const DEFAULT_CONTEXT_WINDOW = 32_000;

/** The window compaction works against: the configured one, else the table's, else the default. */
export function contextWindowOf(model: string, configured?: number): number {
  return configured ?? KNOWN_CONTEXT_WINDOWS[model] ?? DEFAULT_CONTEXT_WINDOW;
}
