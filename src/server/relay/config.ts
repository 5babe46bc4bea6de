import type { IncomingMessage } from 'node:http';
/**
 * The relay's configuration from environment variables: each missing or invalid one is named
 * in the error, all at once, so an operator fixes the deployment in one go.
 */
import { apiConfigProblems, chatServerProblem, omnideskAdapter } from './adapters/omnidesk';
import { diyalogRoutesFromEnv } from './adapters/diyalog-env';
import type { RelayAdapterFactory } from './adapter';
import type { RelayConfig, RelayRoute } from './server';
import { clientIpResolver, parseCidrs } from './proxy-trust';
import { normalizeOrigins, OPERATOR_ENV_VARS, relayEnvProblems } from './config-validate';

interface EnvVar {
  name: string;
  help: string;
  required?: boolean;
}

export const ENV_VARS: EnvVar[] = [
  { name: 'RELAY_HOOK_SECRET', help: 'unguessable path segment hookpoints live under (≥ 24 characters of [A-Za-z0-9-], e.g. openssl rand -hex 24)', required: true },
  { name: 'RELAY_SIGNING_KEY', help: 'HMAC key for visitor session tokens and file URLs (≥ 32 characters)', required: true },
  { name: 'RELAY_ALLOWED_ORIGINS', help: 'comma-separated origins of the sites embedding the widget', required: true },
  { name: 'RELAY_PUBLIC_URL', help: 'public https base of this relay as vendors and browsers reach it', required: true },
  { name: 'RELAY_HOST', help: 'listen address (default 0.0.0.0)' },
  { name: 'RELAY_PORT', help: 'listen port (default 8787)' },
  { name: 'RELAY_HOOK_IP_ALLOWLIST', help: 'comma-separated vendor IPs allowed to call hookpoints (default: any)' },
  { name: 'RELAY_TRUSTED_PROXIES', help: 'comma-separated CIDRs of your reverse proxies: X-Forwarded-For is read only from these peers' },
  { name: 'RELAY_PROXY_HOPS', help: 'number of proxies always in front (only if the relay is unreachable except through them)' },
  { name: 'RELAY_SOCKETS_PER_IP', help: 'open visitor WebSockets per client IP (default 32; raise for visitors behind one NAT)' },
  { name: 'RELAY_CONNECTS_PER_MINUTE', help: 'WebSocket connects per client IP and minute (default 120, bursts of half that)' },
  { name: 'RELAY_MAX_UPLOAD_BYTES', help: 'largest file either way (default 10485760)' },
  { name: 'RELAY_FILE_TYPES', help: 'comma-separated file extensions visitors may send (default png,jpg,…,pdf,txt)' },
  { name: 'RELAY_SESSION_IDLE_MINUTES', help: 'end a session after this long without activity (default 30)' },
  { name: 'OMNIDESK_CHAT_ACCOUNT_TOKEN', help: 'Omnidesk chatAccountToken (enables the omnidesk adapter)' },
  { name: 'OMNIDESK_CHAT_SERVER_TOKEN', help: 'Omnidesk chatServerToken for requestChatConfig' },
  { name: 'OMNIDESK_API_KEY', help: 'Omnidesk API key, sent as the apiKey header (permissions API_CHAT and MESSAGE_CREATE)' },
  { name: 'OMNIDESK_API_BASE', help: 'default https://account.omnidesk.com/api/v2' },
  { name: 'OMNIDESK_CONFIG_URL', help: 'default https://chat.omnidesk.io/requestChatConfig' },
  { name: 'OMNIDESK_BRAND_ID', help: 'brandID for chatbot logs' },
  { name: 'REDIS_URL', help: 'redis://host:port: keep sessions in Redis so several instances share them and restarts lose none' },
  { name: 'REDIS_PREFIX', help: 'key prefix in Redis (default confab:)' },
  { name: 'DIYALOG_API_BASE', help: "https:// base of Diyalog's API (DIYALOG-SERVER-API-ENDPOINT): serve the transaction-hash endpoint" },
  { name: 'DIYALOG_ACCESS_KEY_ID', help: 'Diyalog AccessKeyId (from the Diyalog admin), signs API calls' },
  { name: 'DIYALOG_ACCESS_KEY_SECRET', help: 'Diyalog AccessKeySecret' },
  { name: 'DIYALOG_REQUESTER_USER_ID', help: 'x-dlg-requester-userid: who the calls are made for (audit log)' },
  { name: 'DIYALOG_QUEUE_URL', help: 'https:// base of your queuing service (CreateInteraction, DELETE /<id>)' },
  { name: 'DIYALOG_TRANSACTION_PATH', help: 'path the endpoint is served at (default /diyalog/transaction-hash)' },
  ...OPERATOR_ENV_VARS,
];

export { DEFAULT_TRANSACTION_PATH } from './adapters/diyalog-env';

export function helpText(): string {
  const width = Math.max(...ENV_VARS.map((v) => v.name.length));
  return [
    'Confab relay: npm run relay',
    '',
    'Environment variables (* required):',
    ...ENV_VARS.map((v) => `  ${v.name.padEnd(width)} ${v.required ? '*' : ' '} ${v.help}`),
    '',
    'OMNIDESK_CHAT_ACCOUNT_TOKEN is needed: Omnidesk is the only vendor this command can serve.',
    'With the DIYALOG_API_* variables set, the relay also serves the Diyalog transaction-hash',
    'endpoint (POST {customerId, deviceHash} → {transactionHash}) at DIYALOG_TRANSACTION_PATH;',
    "it does not serve Diyalog chats: that needs a DiyalogChannel given in code, which Diyalog's",
    'document does not specify (src/server/relay/adapters/DIYALOG.md). Only the sandbox has one.',
    'With REDIS_URL set, run as many instances as you like behind one load balancer.',
  ].join('\n');
}

export class ConfigError extends Error {}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** `fetch`: what the vendor adapters call their APIs with (the command line's counts and times them). */
export function configFromEnv(env: Record<string, string | undefined>, opts: { fetch?: typeof fetch } = {}): RelayConfig {
  const problems: string[] = [];
  for (const v of ENV_VARS) if (v.required && !env[v.name]) problems.push(`${v.name} is missing: ${v.help}`);
  // [A-Za-z0-9-] only: the secret is part of Omnidesk's chatServer (pattern ^[a-zA-Z0-9.:/-]+$), so no "_".
  if (env.RELAY_HOOK_SECRET && !/^[A-Za-z0-9-]{24,}$/.test(env.RELAY_HOOK_SECRET))
    problems.push('RELAY_HOOK_SECRET must be at least 24 characters of [A-Za-z0-9-] (no "_": Omnidesk refuses it in chatServer); e.g. openssl rand -hex 24');
  if (env.RELAY_SIGNING_KEY && env.RELAY_SIGNING_KEY.length < 32) problems.push('RELAY_SIGNING_KEY must be at least 32 characters');
  if (env.RELAY_PUBLIC_URL && !/^https?:\/\//.test(env.RELAY_PUBLIC_URL)) problems.push('RELAY_PUBLIC_URL must be an http(s) URL');
  const num = (name: string, fallback: number) => {
    const raw = env[name];
    if (!raw) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) problems.push(`${name} must be a positive number`);
    return n;
  };
  const port = num('RELAY_PORT', 8787);
  problems.push(...relayEnvProblems(env));
  const maxUploadBytes = num('RELAY_MAX_UPLOAD_BYTES', 10 * 1024 * 1024);
  const idleMinutes = num('RELAY_SESSION_IDLE_MINUTES', 30);
  const socketsPerIp = env.RELAY_SOCKETS_PER_IP ? num('RELAY_SOCKETS_PER_IP', 32) : undefined;
  const connectsPerMinute = env.RELAY_CONNECTS_PER_MINUTE ? num('RELAY_CONNECTS_PER_MINUTE', 120) : undefined;
  if (env.RELAY_TRUST_PROXY)
    problems.push(
      'RELAY_TRUST_PROXY is gone (it let anyone who reached the relay directly set their own address): name your proxies with RELAY_TRUSTED_PROXIES (CIDRs) and/or RELAY_PROXY_HOPS',
    );
  const trustedProxies = list(env.RELAY_TRUSTED_PROXIES);
  try {
    parseCidrs(trustedProxies);
  } catch (err) {
    problems.push(`RELAY_TRUSTED_PROXIES: ${(err as Error).message}`);
  }
  const proxyHops = env.RELAY_PROXY_HOPS ? num('RELAY_PROXY_HOPS', 0) : undefined;
  if (proxyHops !== undefined && !Number.isInteger(proxyHops)) problems.push('RELAY_PROXY_HOPS must be a whole number');

  const adapters: RelayAdapterFactory[] = [];
  if (env.OMNIDESK_CHAT_ACCOUNT_TOKEN) {
    // Checked against Omnidesk's documented patterns now, rather than refused on every call later.
    // An empty variable is an unset one (`OMNIDESK_API_KEY=` in an env file).
    const omnidesk = {
      chatAccountToken: env.OMNIDESK_CHAT_ACCOUNT_TOKEN,
      apiKey: env.OMNIDESK_API_KEY || undefined,
      chatServerToken: env.OMNIDESK_CHAT_SERVER_TOKEN || undefined,
    };
    const omnideskProblems = apiConfigProblems(omnidesk);
    const sampleChatServer = `${(env.RELAY_PUBLIC_URL ?? '').replace(/\/+$/, '')}/hook/${env.RELAY_HOOK_SECRET ?? ''}/omnidesk/${'0'.repeat(32)}`;
    const chatServer = env.RELAY_PUBLIC_URL && env.RELAY_HOOK_SECRET ? chatServerProblem(sampleChatServer) : null;
    if (chatServer) omnideskProblems.push(`RELAY_PUBLIC_URL / RELAY_HOOK_SECRET: ${chatServer}`);
    problems.push(...omnideskProblems);
    if (!omnideskProblems.length) {
      adapters.push(
        omnideskAdapter({
          chatAccountToken: env.OMNIDESK_CHAT_ACCOUNT_TOKEN,
          chatServerToken: omnidesk.chatServerToken,
          apiKey: omnidesk.apiKey,
          apiBase: (env.OMNIDESK_API_BASE ?? 'https://account.omnidesk.com/api/v2').replace(/\/+$/, ''),
          configUrl: env.OMNIDESK_CONFIG_URL ?? 'https://chat.omnidesk.io/requestChatConfig',
          brandId: env.OMNIDESK_BRAND_ID,
          ...(opts.fetch ? { fetch: opts.fetch } : {}),
        }),
      );
    }
  }
  const allowedOrigins = normalizeOrigins(list(env.RELAY_ALLOWED_ORIGINS), problems);
  // The transaction endpoint's limits see the client as the relay does (./proxy-trust.ts).
  // Built on first use: a bad CIDR is reported with the other problems below, not thrown here.
  let resolveIp: ((req: IncomingMessage) => string) | undefined;
  const clientIp = (req: IncomingMessage) => (resolveIp ??= clientIpResolver({ trusted: trustedProxies, hops: proxyHops }))(req);
  const diyalog = diyalogRoutesFromEnv(env, { allowedOrigins, clientIp });
  problems.push(...diyalog.problems);
  const credentials = diyalog.routes.length > 0;
  if (env.REDIS_URL && !/^rediss?:\/\//.test(env.REDIS_URL)) problems.push('REDIS_URL must be a redis:// or rediss:// URL');
  // Diyalog's adapter cannot be enabled from variables: it needs a live DiyalogChannel (the
  // wire to Diyalog's servers, not in its document), which only code can supply.
  if (!adapters.length && !env.OMNIDESK_CHAT_ACCOUNT_TOKEN)
    problems.push(
      credentials
        ? 'no vendor adapter is enabled: the DIYALOG_* variables only serve the transaction-hash endpoint, and Diyalog chats need a DiyalogChannel given in code (see src/server/relay/adapters/DIYALOG.md); from the environment only Omnidesk can be enabled: set OMNIDESK_CHAT_ACCOUNT_TOKEN'
        : 'no vendor adapter is enabled: set OMNIDESK_CHAT_ACCOUNT_TOKEN (Omnidesk is the only vendor the environment can enable; Diyalog needs a DiyalogChannel given in code, see src/server/relay/adapters/DIYALOG.md)',
    );
  if (problems.length) throw new ConfigError(problems.join('\n'));

  const routes: RelayRoute[] = [...diyalog.routes];

  return {
    host: env.RELAY_HOST ?? '0.0.0.0',
    port,
    publicUrl: env.RELAY_PUBLIC_URL,
    hookSecret: env.RELAY_HOOK_SECRET!,
    signingKey: env.RELAY_SIGNING_KEY!,
    allowedOrigins,
    hookIpAllowlist: list(env.RELAY_HOOK_IP_ALLOWLIST),
    trustedProxies,
    proxyHops,
    ...(socketsPerIp ? { sockets: { perIp: socketsPerIp } } : {}),
    ...(connectsPerMinute ? { ipRate: { capacity: Math.max(1, Math.ceil(connectsPerMinute / 2)), perMinute: connectsPerMinute } } : {}),
    maxUploadBytes,
    allowedFileTypes: env.RELAY_FILE_TYPES ? list(env.RELAY_FILE_TYPES).map((t) => t.replace(/^\./, '').toLowerCase()) : undefined,
    sessionIdleMs: idleMinutes * 60_000,
    adapters,
    routes,
  };
}
