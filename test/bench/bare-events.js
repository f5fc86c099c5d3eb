// The ceiling for POST /api/v1/events: bare node:http + pg writing the same rows with the same
// statement (events + conversion outbox, ON CONFLICT on the idempotency key) through adaptive group
// commit, answering after the commit. No authentication, validation or framework.
'use strict';
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { Pool } = require('pg');

const INSERT = `WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, tenant_id uuid, app_id uuid, event_name text, category text,
      session_id text, campaign_id uuid, referral_link_id uuid, click_id text, fid bigint, user_id text, idempotency_key text,
      tx_hash text, value_usdc numeric, revenue numeric, currency text, properties jsonb, context jsonb, trusted boolean,
      occurred_at timestamptz, received_at timestamptz)
  ), stored AS (
    INSERT INTO events (id, tenant_id, app_id, event_name, category, session_id, campaign_id, referral_link_id, click_id, fid,
      user_id, idempotency_key, tx_hash, value_usdc, revenue, currency, properties, context, trusted, occurred_at, received_at)
    SELECT id, tenant_id, app_id, event_name, category, session_id, campaign_id, referral_link_id, click_id, fid,
      user_id, idempotency_key, tx_hash, value_usdc, revenue, currency, properties, context, trusted, occurred_at, received_at
    FROM input ON CONFLICT (app_id, trusted, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id, tenant_id, category, received_at
  ), jobs AS (
    INSERT INTO conversion_jobs (tenant_id, event_id, run_at) SELECT tenant_id, id, received_at FROM stored WHERE category = 'conversion_completed'
  )
  SELECT id FROM stored`;

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
const { TENANT_ID, APP_ID } = process.env;
let queue = [];
let running = false;

async function drain() {
  running = true;
  while (queue.length > 0) {
    const group = queue.splice(0, 1000);
    try {
      await pool.query({ name: 'insert', text: INSERT, values: [JSON.stringify(group.map((w) => w.row))] });
      for (const waiting of group) waiting.done(null);
    } catch (error) {
      for (const waiting of group) waiting.done(error);
    }
  }
  running = false;
}

function write(rows) {
  return Promise.all(rows.map((row) => new Promise((resolve, reject) => {
    queue.push({ row, done: (error) => (error ? reject(error) : resolve(row.id)) });
    if (!running) drain();
  })));
}

function toRow(event, now) {
  return {
    id: randomUUID(), tenant_id: TENANT_ID, app_id: APP_ID, event_name: event.event_name, category: 'client', session_id: event.session_id,
    campaign_id: null, referral_link_id: null, click_id: event.click_id ?? null, fid: null, user_id: null, idempotency_key: event.idempotency_key ?? null,
    tx_hash: null, value_usdc: null, revenue: null, currency: null, properties: event.properties ?? {}, context: event.context ?? {}, trusted: false,
    occurred_at: now, received_at: now,
  };
}

http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(404, { 'Content-Length': '0' });
    return res.end();
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString());
    const now = new Date();
    const batch = req.url === '/api/v1/events/batch';
    write((batch ? body.events : [body]).map((event) => toRow(event, now))).then(
      (ids) => {
        const answer = JSON.stringify(batch ? { accepted: ids.length, results: ids.map((id, index) => ({ index, status: 'accepted', id })) } : { id: ids[0] });
        res.writeHead(batch ? 200 : 201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(answer) });
        res.end(answer);
      },
      () => {
        res.writeHead(503, { 'Content-Length': '0' });
        res.end();
      },
    );
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => pool.end().then(() => process.exit(0)));
