/**
 * Checks of the relay's settings that ./config.ts leaves to this module, each problem one line
 * saying what is wrong and what would be right, collected with the others (never thrown one at a
 * time, never a stack trace), plus the operator's own settings (logs, metrics, drain, Redis
 * start-up deadline) that only the command line (./cli.ts) uses.
 */
import { logLevelProblem } from './logger';

export const OPERATOR_ENV_VARS = [
  { name: 'LOG_LEVEL', help: 'JSON log threshold: trace, debug, info (default), warn, error, fatal, silent; visitor text only at debug' },
  { name: 'METRICS_PORT', help: 'serve Prometheus metrics at http://METRICS_HOST:METRICS_PORT/metrics (needs METRICS_TOKEN)' },
  { name: 'METRICS_HOST', help: 'metrics listen address (default 127.0.0.1)' },
  { name: 'METRICS_TOKEN', help: 'bearer token the scraper sends (≥ 16 characters)' },
  { name: 'RELAY_DRAIN_SECONDS', help: 'SIGTERM: the process exits within this many seconds, whatever Redis or vendors do (default 10)' },
  { name: 'REDIS_CONNECT_TIMEOUT_SECONDS', help: 'at start, give up when Redis has not answered within this many seconds (default 10)' },
  { name: 'REDIS_SENTINELS', help: 'host:port,host:port of Redis Sentinels (instead of REDIS_URL; the master is REDIS_SENTINEL_NAME)' },
  { name: 'REDIS_SENTINEL_NAME', help: 'the master name the Sentinels monitor (default mymaster)' },
  { name: 'REDIS_CLUSTER_NODES', help: 'host:port,host:port of some Redis Cluster nodes (instead of REDIS_URL or REDIS_SENTINELS)' },
  { name: 'REDIS_PASSWORD', help: 'password of the Redis master and replicas (with REDIS_SENTINELS or REDIS_CLUSTER_NODES)' },
];

/** RELAY_PORT and METRICS_PORT: whole numbers 1–65535 (0 only where a test asks for any port). */
export function portProblem(name: string, raw: string | undefined, allowZero = false): string | null {
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(n) || n > 65535 || (n === 0 && !allowZero))
    return `${name} must be a port number from 1 to 65535 (got "${raw.slice(0, 40)}")`;
  return null;
}

/** Problems with settings config.ts reads but checks only loosely. */
export function relayEnvProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  // Not a positive number at all is config.ts's own message; this catches 99999 and 80.5.
  const n = Number(env.RELAY_PORT);
  const port = Number.isFinite(n) && n > 0 ? portProblem('RELAY_PORT', env.RELAY_PORT) : null;
  if (port) problems.push(port);
  if (env.RELAY_PUBLIC_URL && /^https?:\/\//.test(env.RELAY_PUBLIC_URL)) {
    try {
      const u = new URL(env.RELAY_PUBLIC_URL);
      if (u.search || u.hash || u.username || u.password) problems.push('RELAY_PUBLIC_URL must be a plain http(s) base: no query, fragment or credentials');
    } catch {
      problems.push(`RELAY_PUBLIC_URL is not a URL: "${env.RELAY_PUBLIC_URL.slice(0, 100)}"`);
    }
  }
  return problems;
}

/**
 * RELAY_ALLOWED_ORIGINS as browsers send `Origin`: scheme://host[:port], lower case, no default
 * port, no trailing slash. `https://shop.example.com/` is read as `https://shop.example.com`
 * (a browser never sends the slash, so keeping it would refuse every visitor); anything with a
 * path, query or wildcard is refused with the reason. Problems go into `problems`.
 */
export function normalizeOrigins(raw: readonly string[], problems: string[]): string[] {
  const out: string[] = [];
  for (const item of raw) {
    const shown = `"${item.slice(0, 100)}"`;
    if (item === '*' || item.includes('*')) {
      problems.push(`RELAY_ALLOWED_ORIGINS: ${shown}: wildcards are not accepted; list each site's origin (https://shop.example.com)`);
      continue;
    }
    let u: URL;
    try {
      u = new URL(item);
    } catch {
      problems.push(`RELAY_ALLOWED_ORIGINS: ${shown} is not an origin; write scheme://host[:port], e.g. https://shop.example.com`);
      continue;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') {
      problems.push(`RELAY_ALLOWED_ORIGINS: ${shown}: only http and https origins embed the widget`);
      continue;
    }
    if (u.pathname !== '/' || u.search || u.hash || u.username || u.password) {
      problems.push(`RELAY_ALLOWED_ORIGINS: ${shown} has a path, query or credentials; an origin is only scheme://host[:port] (browsers send no path in Origin)`);
      continue;
    }
    if (!out.includes(u.origin)) out.push(u.origin);
  }
  return out;
}

/** Origins that were written differently from how browsers send them (for a start-up note). */
export function rewrittenOrigins(raw: readonly string[]): { given: string; read: string }[] {
  return raw.flatMap((given) => {
    const read = normalizeOrigins([given], []);
    return read[0] !== undefined && read[0] !== given ? [{ given, read: read[0] }] : [];
  });
}

export interface OperatorSettings {
  logLevel: string;
  metrics?: { host: string; port: number; token: string };
  drainMs: number;
  redisConnectMs: number;
}

function seconds(env: Record<string, string | undefined>, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback * 1000;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) {
    problems.push(`${name} must be a number of seconds above 0 and at most 3600 (got "${raw.slice(0, 40)}")`);
    return fallback * 1000;
  }
  return n * 1000;
}

export function operatorSettings(env: Record<string, string | undefined>): { settings: OperatorSettings; problems: string[] } {
  const problems: string[] = [];
  const level = logLevelProblem(env.LOG_LEVEL);
  if (level) problems.push(level);
  let metrics: OperatorSettings['metrics'];
  if (env.METRICS_PORT) {
    const p = portProblem('METRICS_PORT', env.METRICS_PORT, true);
    if (p) problems.push(p);
    const token = env.METRICS_TOKEN ?? '';
    if (token.length < 16) problems.push('METRICS_TOKEN must be set (at least 16 characters) when METRICS_PORT is: the scraper sends it as a bearer token');
    if (!p && token.length >= 16) metrics = { host: env.METRICS_HOST || '127.0.0.1', port: Number(env.METRICS_PORT), token };
    if (!p && env.RELAY_PORT && Number(env.RELAY_PORT) === Number(env.METRICS_PORT)) problems.push('METRICS_PORT must differ from RELAY_PORT: metrics are never served on the public port');
  } else if (env.METRICS_TOKEN) {
    problems.push('METRICS_TOKEN is set but METRICS_PORT is not: set METRICS_PORT to serve metrics');
  }
  const drainMs = seconds(env, 'RELAY_DRAIN_SECONDS', 10, problems);
  const redisConnectMs = seconds(env, 'REDIS_CONNECT_TIMEOUT_SECONDS', 10, problems);
  if (env.REDIS_SENTINELS && env.REDIS_URL) problems.push('set REDIS_URL or REDIS_SENTINELS, not both');
  return { settings: { logLevel: env.LOG_LEVEL || 'info', metrics, drainMs, redisConnectMs }, problems };
}
