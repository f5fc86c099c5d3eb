import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { acquireDataDirLock } from './data-dir-lock';

/** Where TypeORM connects, and how to let go of it when the process ends. */
export interface DatabaseEndpoint {
  url: string;
  poolSize: number;
  embedded: boolean;
  close(): Promise<void>;
  /** Embedded only: a tarball of the whole data directory (a backup, or a template to start others from). */
  snapshot?(): Promise<Blob>;
}

export interface EmbeddedOptions {
  /** A directory to persist into; omitted → in memory (tests). */
  dataDir?: string;
  /** A `dumpDataDir()` tarball to start from, e.g. an already migrated template. */
  loadDataDir?: Blob;
}

/**
 * Starts PGlite (PostgreSQL in WASM) in this process behind a loopback socket so the ordinary `pg`
 * driver reaches it: one code path for both databases. The socket multiplexes a single backend, so
 * the pool must stay at one connection.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<DatabaseEndpoint> {
  const releaseLock = options.dataDir ? acquireDataDirLock(options.dataDir) : () => undefined;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    let dataDir: string | undefined;
    if (options.dataDir) {
      dataDir = `${options.dataDir}/pgdata`;
      mkdirSync(dirname(dataDir), { recursive: true });
    }
    const db = await PGlite.create(dataDir, { loadDataDir: options.loadDataDir });
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
    await server.start();
    return {
      url: `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`,
      poolSize: 1,
      embedded: true,
      snapshot: () => db.dumpDataDir('none'),
      async close() {
        await server.stop();
        await db.close();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

/** Opens the configured PostgreSQL server, or the embedded one under DATA_DIR when none is set. */
export async function openDatabase(config: {
  databaseUrl?: string;
  databasePoolSize: number;
  dataDir: string;
}): Promise<DatabaseEndpoint> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, poolSize: config.databasePoolSize, embedded: false, close: async () => undefined };
  }
  return startEmbeddedPostgres({ dataDir: config.dataDir });
}
