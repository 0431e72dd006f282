/**
 * `rlm serve --port P [--base-url URL] [--sub-model M] [--redis URL | --redis-cluster H:P,...] [--auth-token TOKEN] ...`
 * An OpenAI-compatible HTTP server: callers name `rlm:<model>` and get an RLM
 * answer. --api-key / OPENAI_API_KEY remain the upstream provider's key;
 * callers authenticate with --auth-token / RLM_AUTH_TOKENS. Stops on SIGINT/SIGTERM.
 */
import { parseFlags } from '../strict-flags.ts';
import { RLM } from '@rlm/sdk';
import { loadConfig, redisTargetOf } from '@rlm/shared';
import { startTelemetry } from '@rlm/telemetry';
import type { CommandIo } from '../command-io.ts';
import { ENGINE_FLAG_OPTIONS, engineOverrides } from '../engine-flags.ts';
import { numberFlag } from '../number-flag.ts';
import { callerTokens } from '../serve/caller-auth.ts';
import { ConversationRegistry } from '../serve/conversation-registry.ts';
import { startServeServer } from '../serve/serve-server.ts';
import { upstreamOf } from '../serve/upstream-proxy.ts';
import { usageError } from '../usage-error.ts';
import type { Upstream } from '../serve/upstream-proxy.ts';

export const SERVE_USAGE = `rlm serve [--port P] [--host H] [--base-url URL] [--api-key KEY] [--model M] [--sub-model M]
        [--redis URL | --redis-cluster H:P,...] [--auth-token TOKEN] [--models M1,M2] [--max-requests N]
        [--max-body-bytes N] [--retry-after SEC] [--body-timeout SEC] [--direct-below TOKENS] [--repl js|python]
        [--context-window TOKENS] [--conversation-idle SEC] [--max-conversations N] [--max-conversation-chars N]
        [budget flags of rlm run as limits]
  OpenAI-compatible: POST /v1/chat/completions with model "rlm:<root model>" (an RLM) or a plain
  model name (proxied to the upstream), GET /v1/models (only names that work), GET /healthz.
  Callers send Authorization: Bearer TOKEN (--auth-token or RLM_AUTH_TOKENS=a,b); their "rlm"
  options may only tighten the budget flags given here. --direct-below: rlm: requests shorter
  than TOKENS go straight to the model. --repl: the server's default REPL language; a request may choose
  with "rlm": {"repl": "python"}. A request's body is read (within --body-timeout, default 30 s;
  headers within 10 s) before it takes one of the --max-requests slots, so slow clients cannot hold slots.
  "rlm": {"conversation": "<id>"} keeps one conversation (its REPL and variables) across requests:
  the first request's documents are its context, each later request's last user message is the next
  question. Ids are scoped to the caller's token (another token with the same id gets its own fresh
  conversation); one idle --conversation-idle seconds (default 900) is closed; at most
  --max-conversations (default 100) live at once holding at most --max-conversation-chars context
  characters together (default 268435456); past either, a new one is refused with 429.`;

export async function serveCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags({
    args: [...argv],
    options: {
      ...ENGINE_FLAG_OPTIONS,
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'auth-token': { type: 'string' },
      models: { type: 'string' },
      'max-requests': { type: 'string', default: '16' },
      'max-body-bytes': { type: 'string', default: String(64 * 1024 * 1024) },
      'retry-after': { type: 'string', default: '1' },
      'body-timeout': { type: 'string', default: '30' },
      prefix: { type: 'string' },
      'direct-below': { type: 'string' },
      'conversation-idle': { type: 'string', default: '900' },
      'max-conversations': { type: 'string', default: '100' },
      // Live conversations keep their contexts in their REPLs: 256 Mi characters, four maximal bodies.
      'max-conversation-chars': { type: 'string', default: String(256 * 1024 * 1024) },
    },
    strict: true,
    allowPositionals: false,
  });
  const port = numberFlag('port', values.port, { min: 0, max: 65_535, integer: true });
  const maxRequests = numberFlag('max-requests', values['max-requests'], {
    min: 1,
    max: 100_000,
    integer: true,
  });
  const maxBodyBytes = numberFlag('max-body-bytes', values['max-body-bytes'], {
    min: 1,
    integer: true,
  });
  const retryAfterSec = numberFlag('retry-after', values['retry-after'], {
    min: 1,
    max: 3600,
    integer: true,
  });
  const bodyTimeoutSec = numberFlag('body-timeout', values['body-timeout'], {
    min: 0.1,
    max: 3600,
  });
  const directBelowTokens =
    values['direct-below'] === undefined
      ? undefined
      : numberFlag('direct-below', values['direct-below'], { min: 1, integer: true });
  const conversationIdleSec = numberFlag('conversation-idle', values['conversation-idle'], {
    min: 1,
    max: 7 * 24 * 3600,
  });
  const maxConversations = numberFlag('max-conversations', values['max-conversations'], {
    min: 1,
    max: 100_000,
    integer: true,
  });
  const maxConversationChars = numberFlag(
    'max-conversation-chars',
    values['max-conversation-chars'],
    {
      min: 1,
      integer: true,
    },
  );
  const models = values.models
    ?.split(',')
    .map((model) => model.trim())
    .filter((model) => model !== '');
  // Checked here first so that a bad value is named by its flag (the SDK names its option key).
  loadConfig({ env: io.env, overrides: engineOverrides(values) });
  const rlm = new RLM({
    ...engineOverrides(values),
    env: io.env,
    ...(values.prefix === undefined ? {} : { redisPrefix: values.prefix }),
  });
  // Each request's root span (and its trace id in the response) comes from the SDK.
  const telemetry = startTelemetry({ serviceName: 'rlm-serve', env: io.env });
  const tokens = callerTokens(values['auth-token'], io.env);
  const server = await startServeServer({
    rlm,
    host: values.host,
    port,
    callerTokens: tokens,
    maxBodyBytes,
    bodyTimeoutMs: bodyTimeoutSec * 1000,
    maxRequests,
    retryAfterSec,
    models: models === undefined || models.length === 0 ? undefined : models,
    ...proxyOptions(rlm, directBelowTokens),
    log: (line) => io.stderr(line),
    conversations: new ConversationRegistry({
      idleMs: conversationIdleSec * 1000,
      maxLive: maxConversations,
      maxContextChars: maxConversationChars,
    }),
  });
  io.stderr(
    `rlm serve: listening on ${server.url} (${redisTargetOf(rlm.config) === undefined ? 'embedded' : 'cluster'}, ${tokens.length === 0 ? 'no caller auth' : `${tokens.length} caller token(s)`})`,
  );
  await new Promise<void>((resolve) => {
    const detach = io.onInterrupt(() => {
      detach();
      resolve();
    });
  });
  await server.close();
  await rlm.close();
  await telemetry.shutdown();
  return 0;
}

/** The upstream plain names are proxied to: the configured endpoint (cluster servers without one proxy nothing). */
function proxyOptions(
  rlm: RLM,
  directBelowTokens: number | undefined,
): { upstream?: Upstream; directBelowTokens?: number } {
  const upstream = upstreamOf(rlm.config);
  if (upstream === undefined) {
    if (directBelowTokens !== undefined)
      throw usageError(
        '--direct-below needs a model endpoint to send requests to (--base-url or --api-key)',
      );
    return {};
  }
  return { upstream, ...(directBelowTokens === undefined ? {} : { directBelowTokens }) };
}
