/**
 * The root reply of the throughput benchmarks: one REPL block that fans out
 * `subcalls` distinct llm_query calls at once (a nonce defeats the sub-call
 * cache between runs) and answers with how many replied "ok".
 */
export function fanOutProgram(subcalls: number): string {
  return [
    '```repl',
    'const nonce = Math.random().toString(36).slice(2);',
    `const replies = await Promise.all(Array.from({ length: ${subcalls} }, (_, i) => llm_query('Reply with ok. ' + nonce + ' item ' + i)));`,
    'FINAL(String(replies.filter((r) => r === "ok").length));',
    '```',
  ].join('\n');
}
