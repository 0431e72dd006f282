/**
 * Rewrites one REPL step so that its top-level declarations outlive the step.
 *
 * A step runs as the body of an async function (that is what makes top-level `await` work), which
 * on its own would make every `const`/`let`/`var`/`function`/`class` local to one call. Like Node's
 * REPL we rewrite top-level declarations into assignments on the global object, so the next step
 * sees them and a `const` may be declared again later.
 *
 * Two sources come out, both line-for-line aligned with the user's code (edits only insert text or
 * blank it out keeping line breaks), so V8's line numbers in errors match what the model wrote:
 *  - `hoistSource` defines the step's function declarations as globals before anything else runs
 *    (JavaScript hoists them). It is compiled apart from the main body so the functions do not
 *    close over a step-local scope: a helper redefined in a later step is seen by older functions.
 *  - `mainSource` is everything else, as an async function taking the global object and a marker
 *    callback. If the step ends with an expression statement, its value is returned (boxed in an
 *    array so a returned promise is not awaited), and the marker is called just before it so the
 *    runner can tell whether that statement printed anything itself.
 */
import { parse } from 'acorn';
import type { ExpressionStatement, Pattern, Program, VariableDeclaration } from 'acorn';
import type { StepError } from '@rlm/shared';

/** The parameter names of the generated wrappers; unusual enough not to collide with user code. */
const GLOBAL_PARAM = '__rlm_global';
const MARK_PARAM = '__rlm_mark';

export type RewriteResult =
  | {
      readonly ok: true;
      /** `(function (global) {...})`, present when the step declares functions at top level. */
      readonly hoistSource: string | undefined;
      /** `(async function (global, mark) {...})`, resolving to `[value]` or undefined. */
      readonly mainSource: string;
    }
  | { readonly ok: false; readonly error: StepError };

/**
 * Both wrappers open with one line of our own; compile them with this line offset so that the
 * user's first line is reported as line 1.
 */
export const WRAPPER_LINE_OFFSET = -1;

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export function rewriteStep(code: string): RewriteResult {
  let program: Program;
  try {
    program = parse(code, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowAwaitOutsideFunction: true,
    });
  } catch (error) {
    return { ok: false, error: describeSyntaxError(code, error) };
  }

  const mainEdits: Edit[] = [];
  const hoistEdits: Edit[] = [];
  let hoistedAny = false;
  let keptFrom = 0; // the hoist source blanks everything that is not a function declaration

  for (const statement of program.body) {
    switch (statement.type) {
      case 'FunctionDeclaration': {
        hoistedAny = true;
        hoistEdits.push(blankEdit(code, keptFrom, statement.start));
        hoistEdits.push({
          start: statement.start,
          end: statement.start,
          text: `;${GLOBAL_PARAM}.${statement.id.name} = `,
        });
        hoistEdits.push({ start: statement.end, end: statement.end, text: ';' });
        keptFrom = statement.end;
        mainEdits.push(blankEdit(code, statement.start, statement.end));
        break;
      }
      case 'ClassDeclaration':
        // `class A {}` becomes `;global.A = class A {};` (classes are not hoisted, so in place).
        mainEdits.push({
          start: statement.start,
          end: statement.start,
          text: `;${GLOBAL_PARAM}.${statement.id.name} = `,
        });
        mainEdits.push({ start: statement.end, end: statement.end, text: ';' });
        break;
      case 'VariableDeclaration':
        rewriteVariableDeclaration(statement, mainEdits);
        break;
      default:
        break;
    }
  }
  hoistEdits.push(blankEdit(code, keptFrom, code.length));

  const last = program.body.at(-1);
  if (last?.type === 'ExpressionStatement') returnLastExpression(code, last, mainEdits);

  const mainBody = applyEdits(code, mainEdits);
  return {
    ok: true,
    hoistSource: hoistedAny
      ? `(function (${GLOBAL_PARAM}) {\n${applyEdits(code, hoistEdits)}\n})`
      : undefined,
    mainSource: `(async function (${GLOBAL_PARAM}, ${MARK_PARAM}) {\n${mainBody}\n})`,
  };
}

/**
 * `const a = 1, {b, c: [d]} = o;` becomes `;(global.a = 1), ({b: global.b, c: [global.d]} = o);`.
 * The leading `;` guards against a previous line without a semicolon; the parentheses let an
 * object pattern start the statement. `using` declarations stay local: disposing them at the end
 * of the step is their point.
 */
function rewriteVariableDeclaration(declaration: VariableDeclaration, edits: Edit[]): void {
  const { kind } = declaration;
  if (kind !== 'var' && kind !== 'let' && kind !== 'const') return;
  edits.push({ start: declaration.start, end: declaration.start + kind.length, text: ';' });
  for (const declarator of declaration.declarations) {
    edits.push({ start: declarator.start, end: declarator.start, text: '(' });
    prefixBindings(declarator.id, edits);
    let tail = ')';
    if (declarator.init == null && declarator.id.type === 'Identifier') {
      // `let x;` resets x, but `var x;` keeps an existing value, as JavaScript does.
      tail = kind === 'var' ? ` = ${GLOBAL_PARAM}.${declarator.id.name})` : ' = void 0)';
    }
    edits.push({ start: declarator.end, end: declarator.end, text: tail });
  }
}

/** Turns every binding identifier of a declaration pattern into a property of the global object. */
function prefixBindings(pattern: Pattern, edits: Edit[]): void {
  switch (pattern.type) {
    case 'Identifier':
      edits.push({ start: pattern.start, end: pattern.start, text: `${GLOBAL_PARAM}.` });
      return;
    case 'ObjectPattern':
      for (const property of pattern.properties) {
        if (property.type === 'RestElement') {
          prefixBindings(property.argument, edits);
        } else if (property.shorthand && property.key.type === 'Identifier') {
          // `{a}` / `{a = 1}` -> `{a: global.a}` / `{a: global.a = 1}`
          edits.push({
            start: property.start,
            end: property.start,
            text: `${property.key.name}: ${GLOBAL_PARAM}.`,
          });
        } else {
          prefixBindings(property.value, edits);
        }
      }
      return;
    case 'ArrayPattern':
      for (const element of pattern.elements) if (element) prefixBindings(element, edits);
      return;
    case 'RestElement':
      prefixBindings(pattern.argument, edits);
      return;
    case 'AssignmentPattern':
      prefixBindings(pattern.left, edits);
      return;
    case 'MemberExpression':
      return; // not valid in a declaration; acorn rejects it before we get here
  }
}

/**
 * Wraps the statement rather than its expression node: acorn's node for `({a: 1})` starts inside
 * the parentheses. The wrap ends before the statement's own semicolon, if it has one.
 */
function returnLastExpression(code: string, statement: ExpressionStatement, edits: Edit[]): void {
  const end = code[statement.end - 1] === ';' ? statement.end - 1 : statement.end;
  edits.push({ start: statement.start, end: statement.start, text: `;${MARK_PARAM}(); return [(` });
  edits.push({ start: end, end, text: ')];' });
}

/** Replaces a range by spaces, keeping its line breaks so later lines keep their numbers. */
function blankEdit(code: string, start: number, end: number): Edit {
  return { start, end, text: code.slice(start, end).replace(/[^\r\n\u2028\u2029]/g, ' ') };
}

/** Applies non-overlapping edits; insertions at the same position keep the order they were made in. */
function applyEdits(code: string, edits: readonly Edit[]): string {
  const ordered = edits
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => a.edit.start - b.edit.start || a.index - b.index);
  let result = '';
  let position = 0;
  for (const { edit } of ordered) {
    result += code.slice(position, edit.start) + edit.text;
    position = Math.max(position, edit.end);
  }
  return result + code.slice(position);
}

/** acorn's messages end in `(line:column)`; we restate the place 1-based and show the line. */
function describeSyntaxError(code: string, error: unknown): StepError {
  const message = error instanceof Error ? error.message : String(error);
  const loc = (error as { loc?: { line: number; column: number } }).loc;
  if (loc === undefined) return { name: 'SyntaxError', message };
  const base = message.replace(/\s*\(\d+:\d+\)$/, '');
  const lineText = code.split(/\r\n|[\r\n\u2028\u2029]/)[loc.line - 1] ?? '';
  return {
    name: 'SyntaxError',
    message: `${base} at line ${loc.line}, column ${loc.column + 1}\n${lineText}\n${' '.repeat(loc.column)}^`,
  };
}
