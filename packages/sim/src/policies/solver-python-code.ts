/**
 * The Python the solver writes for sessions with the Python REPL (`--repl python`): the same plans
 * as the JavaScript of solver-code.ts and repl-only-code.ts (peek, chunk on line boundaries, fan
 * out with the instruction first and the chunk last, aggregate in code, print an `ANSWER_JSON=`
 * line, FINAL), written as a model trained on the reference library would: plain function calls,
 * `llm_query_batched` for the fan-out. Values are embedded as JSON, which Python reads as literals.
 */
import { LABELS } from '../tasks/labels.ts';
import type { KeywordRules } from './repl-only-code.ts';
import { SAMPLE_MARKER } from './repl-only-code.ts';
import { ANSWER_MARKER, SOLVE_MARKER } from './solver-code.ts';
import type { SolveCodeOptions, SolveSpec } from './solver-code.ts';
import { renderSubcallInstruction } from './subcall-instructions.ts';
import type { SubcallInstruction } from './subcall-instructions.ts';

/** A Python expression for any JSON value (a JSON string is a valid Python str literal). */
const literal = (value: unknown): string => `json.loads(${JSON.stringify(JSON.stringify(value))})`;
const str = (value: string): string => JSON.stringify(value);

const TEXT = String.raw`import json, re
if isinstance(context, str):
    text = context
elif isinstance(context, list):
    text = "\n".join(item if isinstance(item, str) else json.dumps(item) for item in context)
else:
    text = json.dumps(context)`;

function helpers(batchFunction: string, chunkChars: number, flaws: { dropLastChunk?: boolean; sequential?: boolean } = {}): string {
  const single = batchFunction.replace('_batched', '');
  const ask = flaws.sequential
    ? `[${single}(prompt) for prompt in prompts]`
    : `${batchFunction}(prompts)`;
  return String.raw`${TEXT}
def chunk_text(source, size):
    chunks = []
    start = 0
    while start < len(source):
        end = min(len(source), start + size)
        if end < len(source):
            newline = source.rfind("\n", 0, end + 1)
            if newline > start:
                end = newline + 1
        chunks.append(source[start:end])
        start = end
    return ${flaws.dropLastChunk ? 'chunks[:-1]' : 'chunks'}
def is_failure(reply):
    return not isinstance(reply, str) or reply.startswith("Error:") or reply.strip() == ""
def ask(prompts):
    return ${ask}
def ask_all(prompts):
    replies = ask(prompts)
    failed = [index for index in range(len(prompts)) if is_failure(replies[index])]
    if failed:
        print("retrying " + str(len(failed)) + " failed sub-calls")
        again = ask([prompts[index] for index in failed])
        for position, index in enumerate(failed):
            replies[index] = again[position]
    still_failed = sum(1 for reply in replies if is_failure(reply))
    if still_failed:
        print("warning: " + str(still_failed) + " sub-calls failed and are ignored")
    return ["" if is_failure(reply) else reply for reply in replies]
CHUNK_CHARS = ${chunkChars}`;
}

function finish(expression: string): string {
  return `final_answer = str(${expression})
print(${str(ANSWER_MARKER)} + json.dumps(final_answer))
FINAL(final_answer)`;
}

export function pythonPeekCode(): string {
  return String.raw`# sim-solver: peek
import json
kind = type(context).__name__
size = len(context) if isinstance(context, (str, list)) else len(json.dumps(context))
print("context: " + kind + ", length " + str(size))
sample = context if isinstance(context, str) else json.dumps(context)
print(sample[:400])
if isinstance(context, str):
    print("lines: " + str(context.count("\n") + 1))`;
}

const OOLONG_FILTER = String.raw`MONTHS = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}
def day_of(date):
    match = re.match(r"^(\w{3}) (\d{2}), (\d{4})$", date.strip())
    return (int(match.group(3)), MONTHS[match.group(1)], int(match.group(2))) if match and match.group(1) in MONTHS else None
users = set(str(user) for user in question["users"]) if question.get("users") else None
first_day = day_of(question["dateFrom"]) if question.get("dateFrom") else (0, 0, 0)
last_day = day_of(question["dateTo"]) if question.get("dateTo") else (9999, 99, 99)
def in_range(day):
    return day is not None and first_day is not None and last_day is not None and first_day <= day <= last_day`;

const OOLONG_COUNTS = String.raw`counts = {label: 0 for label in LABELS}
for reply in replies:
    for match in re.finditer(r"^\s*([a-z ]+?)\s*:\s*(\d+)\s*$", reply, re.M):
        if match.group(1) in counts:
            counts[match.group(1)] += int(match.group(2))`;

const OOLONG_ANSWER = String.raw`if question["kind"] == "count":
    result = counts[question["label"]]
elif question["kind"] in ("most-common", "least-common"):
    result = LABELS[0]
    for label in LABELS:
        if (counts[label] > counts[result]) if question["kind"] == "most-common" else (counts[label] < counts[result]):
            result = label
else:
    difference = counts[question["label"]] - counts[question["otherLabel"]]
    result = "more" if difference > 0 else "less" if difference < 0 else "same"`;

const PAIRS_OF = String.raw`ordered = sorted(users)
pairs = ["(" + str(a) + ", " + str(b) + ")" for i, a in enumerate(ordered) for b in ordered[i + 1:]]
print(str(len(ordered)) + " users qualify, " + str(len(pairs)) + " pairs")`;

/** A solve step for the root session. */
export function pythonSolveCode(spec: SolveSpec, options: SolveCodeOptions): string {
  const batch = options.strategy === 'rlm' ? 'rlm_query_batched' : 'llm_query_batched';
  const instruction = renderSubcallInstruction(spec.family === 'oolong' ? { family: 'oolong' } : spec);
  return [
    `# ${SOLVE_MARKER} (${spec.family}, ${options.strategy})`,
    helpers(batch, options.chunkChars, options),
    `instruction = ${str(instruction)}`,
    solveBody(spec),
  ].join('\n');
}

function solveBody(spec: SolveSpec): string {
  switch (spec.family) {
    case 'needle':
      return String.raw`chunks = chunk_text(text, CHUNK_CHARS)
print("searching " + str(len(chunks)) + " chunks for the key " + ${str(spec.key)})
replies = ask_all([instruction + "\n" + chunk for chunk in chunks])
found = [match.group(0) for match in (re.search(r"\b\d{7}\b", reply) for reply in replies) if match]
print("candidates: " + (", ".join(found) or "none"))
votes = {}
for value in found:
    votes[value] = votes.get(value, 0) + 1
best = sorted(votes.items(), key=lambda item: -item[1])[0][0] if votes else "NOT_FOUND"
${finish('best')}`;
    case 'oolong':
      return String.raw`question = ${literal(spec.question)}
LABELS = ${literal(LABELS)}
${OOLONG_FILTER}
lines = [line for line in text.split("\n") if line.startswith("Date: ")]
# Users and dates are structured: filter them in code; only labels need a model.
kept = []
for line in lines:
    parts = line.split(" || ") + ["", ""]
    if users is not None and parts[1].replace("User: ", "").strip() not in users:
        continue
    if in_range(day_of(parts[0].replace("Date: ", ""))):
        kept.append(line)
print(str(len(lines)) + " lines, " + str(len(kept)) + " pass the filters")
chunks = chunk_text("\n".join(kept), CHUNK_CHARS)
replies = ask_all([instruction + "\n" + chunk for chunk in chunks])
${OOLONG_COUNTS}
print("label counts: " + json.dumps(counts))
${OOLONG_ANSWER}
${finish('result')}`;
    case 'pairs':
      return String.raw`lines = [line for line in text.split("\n") if line.startswith("Date: ")]
chunks = chunk_text("\n".join(lines), CHUNK_CHARS)
replies = ask_all([instruction + "\n" + chunk for chunk in chunks])
users = set(int(number) for reply in replies for number in re.findall(r"\d+", reply))
${PAIRS_OF}
${finish('"\\n".join(pairs)')}`;
    case 'generic':
      return String.raw`chunks = chunk_text(text, CHUNK_CHARS)
replies = ask_all([instruction + "\n" + chunk for chunk in chunks])
useful = [reply for reply in replies if reply and not reply.startswith("NO_ANSWER")]
print(str(len(useful)) + " of " + str(len(replies)) + " chunks had something to say")
${finish('useful[0] if useful else "The context does not answer the question."')}`;
  }
}

/** A child RLM's step: its context is `instruction line + material` (see solver-code.ts childCode). */
export function pythonChildCode(instruction: SubcallInstruction, childChunkChars: number): string {
  return [
    `# sim-solver: child (${instruction.family})`,
    helpers('llm_query_batched', childChunkChars),
    String.raw`newline = text.find("\n")
instruction = text if newline == -1 else text[:newline]
material = "" if newline == -1 else text[newline + 1:]
pieces = chunk_text(material, CHUNK_CHARS)
print("instruction: " + instruction[:120])
print("material: " + str(len(material)) + " characters in " + str(len(pieces)) + " pieces")
replies = ask_all([instruction + "\n" + piece for piece in pieces])`,
    childCombine(instruction),
  ].join('\n');
}

function childCombine(instruction: SubcallInstruction): string {
  switch (instruction.family) {
    case 'needle':
      return String.raw`found = [match.group(0) for match in (re.search(r"\b\d{7}\b", reply) for reply in replies) if match]
${finish('found[0] if found else "NOT_FOUND"')}`;
    case 'oolong':
      return `LABELS = ${literal(LABELS)}
${OOLONG_COUNTS}
${finish('"\\n".join(label + ": " + str(counts[label]) for label in LABELS)')}`;
    case 'pairs':
      return String.raw`users = sorted(set(int(number) for reply in replies for number in re.findall(r"\d+", reply)))
${finish('", ".join(str(user) for user in users) if users else "NONE"')}`;
    case 'generic':
      return String.raw`useful = [reply for reply in replies if reply and not reply.startswith("NO_ANSWER")]
${finish('useful[0] if useful else "NO_ANSWER"')}`;
  }
}

/** First step without sub-calls: the peek plus evenly spread sample lines (repl-only-code.ts). */
export function pythonSampleCode(): string {
  return String.raw`# sim-solver: sample
${TEXT}
print("context: " + str(len(text)) + " characters")
print(text[:400])
lines = text.split("\n")
step = max(1, len(lines) // 60)
for index in range(0, len(lines), step):
    print(${str(SAMPLE_MARKER)} + lines[index][:200])`;
}

/** The REPL-only solve step; label families classify with `rules` learned from the sample. */
export function pythonReplOnlySolveCode(spec: SolveSpec, rules: KeywordRules): string {
  const head = String.raw`# ${SOLVE_MARKER} (${spec.family}, repl-only)
${TEXT}
RULES = ${literal(rules.byOpening)}
FALLBACK = ${str(rules.fallback)}
def classify(instance):
    return RULES.get(" ".join(instance.split()[:2]).lower(), FALLBACK)
parsed = []
for line in text.split("\n"):
    if line.startswith("Date: "):
        parts = line.split(" || ") + ["", ""]
        parsed.append({"date": parts[0].replace("Date: ", ""), "user": parts[1].replace("User: ", "").strip(), "instance": " || ".join(line.split(" || ")[2:]).replace("Instance: ", "")})`;
  return `${head}\n${replOnlyBody(spec)}\n${finish('final_value')}`;
}

function replOnlyBody(spec: SolveSpec): string {
  switch (spec.family) {
    case 'needle':
      return String.raw`match = re.search("special magic numbers? for " + re.escape(${str(spec.key)}) + r"\D{0,10}(\d{7})", text)
print("found " + match.group(1) if match else "no match")
final_value = match.group(1) if match else "NOT_FOUND"`;
    case 'oolong':
      return String.raw`question = ${literal(spec.question)}
${OOLONG_FILTER}
LABELS = ${literal(LABELS)}
counts = {label: 0 for label in LABELS}
for line in parsed:
    if users is not None and line["user"] not in users:
        continue
    if in_range(day_of(line["date"])):
        counts[classify(line["instance"])] += 1
print("label counts: " + json.dumps(counts))
${OOLONG_ANSWER}
final_value = result`;
    case 'pairs':
      return String.raw`wanted = set(${literal(spec.labels)})
users = set(int(line["user"]) for line in parsed if classify(line["instance"]) in wanted)
${PAIRS_OF}
final_value = "\n".join(pairs)`;
    case 'generic':
      return String.raw`print("no model to read the text with; answering that the question cannot be settled by code alone")
final_value = "The context does not answer the question."`;
  }
}
