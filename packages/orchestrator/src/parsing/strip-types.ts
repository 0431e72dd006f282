/**
 * Turns a ```ts block into JavaScript the REPL can run, with Node's built-in
 * type stripper (no compiler dependency in the orchestrator).
 *
 * 'strip' mode is tried first: it only blanks out types, so line and column
 * numbers in the model's error messages still match the code it wrote. Syntax
 * that needs code generation (enums, namespaces, parameter properties,
 * `<T>x` assertions) makes it refuse, and only then is 'transform' used.
 *
 * Both modes parse the code as a module, so top-level `await` is accepted
 * and kept as is, which the REPL relies on.
 */
// A namespace import, not a named one: on a Node without the stripper a named
// import fails while the module graph links, before the SDK's version check
// (packages/sdk/src/node-guard.ts) can say which Node is needed.
import * as nodeModule from 'node:module';

const UNSUPPORTED_IN_STRIP_MODE = 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX';

/**
 * Throws a SyntaxError when the code is not valid TypeScript. It is a
 * SyntaxError rather than an RlmError on purpose: the fault is in the model's
 * code, so the caller reports it to the model like any other parse error.
 */
export function stripTypes(code: string): string {
  try {
    return nodeModule.stripTypeScriptTypes(code, { mode: 'strip' });
  } catch (error) {
    if (errorCode(error) !== UNSUPPORTED_IN_STRIP_MODE) throw invalidTypeScript(error);
  }
  try {
    return nodeModule.stripTypeScriptTypes(code, { mode: 'transform' });
  } catch (error) {
    throw invalidTypeScript(error);
  }
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

function invalidTypeScript(error: unknown): SyntaxError {
  const reason = error instanceof Error ? error.message : String(error);
  return new SyntaxError(`Invalid TypeScript: ${reason}`, { cause: error });
}
