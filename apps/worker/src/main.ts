import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MIGRATIONS } from '@refos/migrations';
import { ConfigError, loadConfig, openDatabase, resolveLocalSecrets } from '@refos/platform';
import { Logger as NestLogger } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';

/** Runs the scheduled jobs with no HTTP surface; SIGTERM lets running jobs finish, then closes the database. */
async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const secrets = resolveLocalSecrets(config, (text) => process.stdout.write(text));
  const database = await openDatabase(config);
  const worker = await NestFactory.createApplicationContext(
    WorkerModule.register({
      config: { ...config, encryptionKeys: secrets.encryptionKeys, agentJwtSecret: secrets.agentJwtSecret },
      database,
      migrations: MIGRATIONS,
      operatorToken: secrets.operatorToken,
    }),
    { bufferLogs: true },
  );
  worker.useLogger(worker.get(Logger));
  const logger = new NestLogger('Worker');
  await worker.init();
  logger.log({ embeddedDatabase: database.embedded }, 'Referral OS worker running');

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log({ signal }, 'worker stopping: letting running jobs finish');
    await worker.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
}

bootstrap().catch((error: Error) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `Worker failed to start: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
