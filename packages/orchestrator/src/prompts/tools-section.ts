/**
 * The system prompt's part about the caller's own tools: each tool's call shape in the session's
 * REPL language, its description and the JSON Schema of its argument, so the model can write
 * valid calls. Appended after the fixed part, so requests without tools keep the same cached prefix.
 */
import type { ReplLanguage, ToolSpec } from '@rlm/shared';

export function renderToolsSection(tools: readonly ToolSpec[], repl: ReplLanguage = 'js'): string {
  const python = repl === 'python';
  const entries = tools.map((tool) => {
    const call = python ? `${tool.name}(**args)` : `await ${tool.name}(args)`;
    return `### \`${call}\`\n${tool.description.trim() || '(no description)'}\n\`args\` must match this JSON Schema:\n\`\`\`json\n${JSON.stringify(tool.parameters)}\n\`\`\``;
  });
  const shape = python
    ? 'Each takes keyword arguments (or one dict) matching its schema, e.g. `lookup(id=7)`, and returns a JSON value (dict, list, str, number, bool or None).'
    : 'Each takes one argument (an object matching its schema) and returns a promise of a JSON value.';
  const parallel = python ? '' : ', and in parallel (`Promise.all`) when you need many';
  return [
    '## Tools of the caller',
    `Besides the functions above, the REPL has these functions, which run in the caller's own systems. ${shape} An argument that does not match the schema is refused without running the tool. A failure comes back as a string starting with \`Error:\` instead of a result, so check before you use it. Tools may be slow or cost the caller money: call them when the question needs them${parallel}.`,
    ...entries,
  ].join('\n\n');
}
