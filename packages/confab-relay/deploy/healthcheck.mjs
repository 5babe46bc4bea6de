#!/usr/bin/env node
/** The image's HEALTHCHECK: liveness (`GET /healthz` on the relay's own port answers 200). Exit 0 or 1. */
const port = process.env.RELAY_PORT || '8787';
const ctl = AbortSignal.timeout(4000);
fetch(`http://127.0.0.1:${port}/healthz`, { signal: ctl }).then(
  (res) => process.exit(res.status === 200 ? 0 : 1),
  () => process.exit(1),
);
