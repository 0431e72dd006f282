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

/**
 * The same program in Python: one `llm_query_batched` call is the whole fan-out. The nonce comes
 * from `time`, which the REPL has loaded already (a first `import random` costs ~0.3 s in Pyodide).
 */
export function fanOutPythonProgram(subcalls: number): string {
  return [
    '```repl',
    'import time',
    'nonce = str(time.time_ns())',
    `replies = llm_query_batched(["Reply with ok. " + nonce + " item " + str(i) for i in range(${subcalls})])`,
    'FINAL(str(sum(1 for r in replies if r == "ok")))',
    '```',
  ].join('\n');
}
