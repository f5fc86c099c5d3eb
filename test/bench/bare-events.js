// The ceiling for POST /api/v1/events: bare node:http + pg writing the same rows the same way through
// adaptive group commit, answering after the commit: events with an idempotency key by the INSERT
// (events + conversion outbox, ON CONFLICT on the key), the others by COPY, each on its own
// connection. No authentication, validation or framework.
'use strict';
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { Pool } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');

const INSERT = `WITH input AS (
    SELECT * FROM json_to_recordset($1::json) AS t(id uuid, tenant_id uuid, app_id uuid, event_name text, category text,
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

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
const { TENANT_ID, APP_ID } = process.env;
const COLUMNS = 'id, tenant_id, app_id, event_name, category, session_id, campaign_id, referral_link_id, click_id, fid, user_id, ' +
  'idempotency_key, tx_hash, value_usdc, revenue, currency, properties, context, trusted, occurred_at, received_at';
const COLUMN_LIST = COLUMNS.split(', ');

function groupCommit(commit) {
  const queue = [];
  let running = false;
  async function drain() {
    running = true;
    while (queue.length > 0) {
      const group = queue.splice(0, 1000);
      try {
        await commit(group.map((w) => w.row));
        for (const waiting of group) waiting.done(null);
      } catch (error) {
        for (const waiting of group) waiting.done(error);
      }
    }
    running = false;
  }
  return (row) => new Promise((resolve, reject) => {
    queue.push({ row, done: (error) => (error ? reject(error) : resolve(row.id)) });
    if (!running) drain();
  });
}

const insert = groupCommit((rows) => pool.query({ name: 'insert', text: INSERT, values: [JSON.stringify(rows)] }));
const field = (value) => (value === null ? '\\N' : String(value).replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]));
const copy = groupCommit(async (rows) => {
  const client = await pool.connect();
  try {
    const lines = rows.map((r) => COLUMN_LIST.map((c) => field(r[c] instanceof Date ? r[c].toISOString() : typeof r[c] === 'object' && r[c] !== null ? JSON.stringify(r[c]) : r[c])).join('\t') + '\n');
    await pipeline(Readable.from([lines.join('')]), client.query(copyFrom(`COPY events (${COLUMNS}) FROM STDIN`)));
  } finally {
    client.release();
  }
});

function write(rows) {
  return Promise.all(rows.map((row) => (row.idempotency_key === null ? copy(row) : insert(row))));
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
