import type { IncomingMessage } from 'node:http';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** The client address, trusting X-Forwarded-For only from a loopback proxy (as the API's `trust proxy`). */
export function clientIp(req: IncomingMessage): string | undefined {
  const peer = req.socket.remoteAddress;
  const forwarded = req.headers['x-forwarded-for'];
  if (!peer || !LOOPBACK.test(peer) || typeof forwarded !== 'string') return peer;
  const hops = forwarded.split(',').map((hop) => hop.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!LOOPBACK.test(hops[i])) return hops[i];
  return peer;
}
