import 'reflect-metadata';
import { MIGRATIONS } from '@refos/migrations';
import { ConfigError, createHttpApp, loadConfig, openDatabase, resolveLocalSecrets, serveUntilSignalled } from '@refos/platform';
import { ApiModule } from './api.module';
import { mountHotRoutes } from './hot-routes';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const secrets = resolveLocalSecrets(config, (text) => process.stdout.write(text));
  const database = await openDatabase(config);
  try {
    const app = await createHttpApp(
      ApiModule.register({ config: { ...config, encryptionKeys: secrets.encryptionKeys, agentJwtSecret: secrets.agentJwtSecret }, database, migrations: MIGRATIONS, operatorToken: secrets.operatorToken }),
      config,
      mountHotRoutes,
    );
    await serveUntilSignalled(app, config, database);
  } catch (error) {
    await database.close();
    throw error;
  }
}

bootstrap().catch((error: Error) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `Referral OS failed to start: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
