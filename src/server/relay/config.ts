/**
 * The relay's configuration from environment variables: each missing or invalid one is named
 * in the error, all at once, so an operator fixes the deployment in one go.
 */
import { omnideskAdapter } from './adapters/omnidesk';
import { diyalogRoutesFromEnv } from './adapters/diyalog-env';
import type { RelayAdapterFactory } from './adapter';
import { clientIp, type RelayConfig, type RelayRoute } from './server';

interface EnvVar {
  name: string;
  help: string;
  required?: boolean;
}

export const ENV_VARS: EnvVar[] = [
  { name: 'RELAY_HOOK_SECRET', help: 'unguessable path segment hookpoints live under (≥ 24 characters)', required: true },
  { name: 'RELAY_SIGNING_KEY', help: 'HMAC key for visitor session tokens and file URLs (≥ 32 characters)', required: true },
  { name: 'RELAY_ALLOWED_ORIGINS', help: 'comma-separated origins of the sites embedding the widget', required: true },
  { name: 'RELAY_PUBLIC_URL', help: 'public https base of this relay as vendors and browsers reach it', required: true },
  { name: 'RELAY_HOST', help: 'listen address (default 0.0.0.0)' },
  { name: 'RELAY_PORT', help: 'listen port (default 8787)' },
  { name: 'RELAY_HOOK_IP_ALLOWLIST', help: 'comma-separated vendor IPs allowed to call hookpoints (default: any)' },
  { name: 'RELAY_TRUST_PROXY', help: '"1" to take the client IP from X-Forwarded-For, its rightmost entry (the one your proxy added; only behind your proxy)' },
  { name: 'RELAY_MAX_UPLOAD_BYTES', help: 'largest file either way (default 10485760)' },
  { name: 'RELAY_FILE_TYPES', help: 'comma-separated file extensions visitors may send (default png,jpg,…,pdf,txt)' },
  { name: 'RELAY_SESSION_IDLE_MINUTES', help: 'end a session after this long without activity (default 30)' },
  { name: 'OMNIDESK_CHAT_ACCOUNT_TOKEN', help: 'Omnidesk chatAccountToken (enables the omnidesk adapter)' },
  { name: 'OMNIDESK_CHAT_SERVER_TOKEN', help: 'Omnidesk chatServerToken for requestChatConfig' },
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

export function configFromEnv(env: Record<string, string | undefined>): RelayConfig {
  const problems: string[] = [];
  for (const v of ENV_VARS) if (v.required && !env[v.name]) problems.push(`${v.name} is missing: ${v.help}`);
  if (env.RELAY_HOOK_SECRET && !/^[\w-]{24,}$/.test(env.RELAY_HOOK_SECRET))
    problems.push('RELAY_HOOK_SECRET must be at least 24 URL-safe characters ([A-Za-z0-9_-])');
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
  const maxUploadBytes = num('RELAY_MAX_UPLOAD_BYTES', 10 * 1024 * 1024);
  const idleMinutes = num('RELAY_SESSION_IDLE_MINUTES', 30);

  const adapters: RelayAdapterFactory[] = [];
  if (env.OMNIDESK_CHAT_ACCOUNT_TOKEN) {
    adapters.push(
      omnideskAdapter({
        chatAccountToken: env.OMNIDESK_CHAT_ACCOUNT_TOKEN,
        chatServerToken: env.OMNIDESK_CHAT_SERVER_TOKEN,
        apiBase: (env.OMNIDESK_API_BASE ?? 'https://account.omnidesk.com/api/v2').replace(/\/+$/, ''),
        configUrl: env.OMNIDESK_CONFIG_URL ?? 'https://chat.omnidesk.io/requestChatConfig',
        brandId: env.OMNIDESK_BRAND_ID,
      }),
    );
  }
  const allowedOrigins = list(env.RELAY_ALLOWED_ORIGINS);
  const trustProxy = env.RELAY_TRUST_PROXY === '1';
  const diyalog = diyalogRoutesFromEnv(env, { allowedOrigins, clientIp: (req) => clientIp(req, trustProxy) });
  problems.push(...diyalog.problems);
  const credentials = diyalog.routes.length > 0;
  if (env.REDIS_URL && !/^rediss?:\/\//.test(env.REDIS_URL)) problems.push('REDIS_URL must be a redis:// or rediss:// URL');
  // Diyalog's adapter cannot be enabled from variables: it needs a live DiyalogChannel (the
  // wire to Diyalog's servers, not in its document), which only code can supply.
  if (!adapters.length)
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
    trustProxy,
    maxUploadBytes,
    allowedFileTypes: env.RELAY_FILE_TYPES ? list(env.RELAY_FILE_TYPES).map((t) => t.replace(/^\./, '').toLowerCase()) : undefined,
    sessionIdleMs: idleMinutes * 60_000,
    adapters,
    routes,
  };
}
