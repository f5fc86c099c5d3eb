import { Logger } from '@nestjs/common';
import { Client, ClientConfig } from 'pg';

const logger = new Logger('Database');

/**
 * The pool's connection class. pg-pool listens for errors on a connection only while it is idle:
 * a connection checked out and between two queries (a transaction's, a report's snapshot, a cursor)
 * that the server drops (a restart, pg_terminate_backend, a network cut) would emit an 'error' nobody
 * listens to, and Node would end the process. This listener keeps it to a log line: the connection's
 * next query fails, its holder sees the error (a 503 to the client) and the pool discards it.
 */
export class ResilientClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', (error) => logger.warn({ err: error }, 'a database connection in use was lost'));
  }
}
