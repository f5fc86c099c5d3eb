/* Migration commands for `npm run migration:*`, on the same database the app would use. */
import { readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '@refos/migrations';
import { loadConfig } from '../config/config';
import { dataSourceOptions } from './data-source-options';
import { openDatabase } from './database-endpoint';
import { runMigrationsExclusively } from './migrate';

const USAGE = 'usage: migration-cli generate migrations/<VerbNoun> | run | revert | show';

function entityFiles(): string[] {
  // Runs from dist/: every compiled *.entity.js of every lib.
  const libsRoot = resolve(__dirname, '../../../../libs');
  return readdirSync(libsRoot, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.entity.js'))
    .map((file) => join(libsRoot, file));
}

function migrationSource(name: string, timestamp: number, up: string[], down: string[]): string {
  const body = (queries: string[]) =>
    queries.map((q) => `    await queryRunner.query(\`${q.replace(/`/g, '\\`')}\`);`).join('\n');
  return `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${timestamp} implements MigrationInterface {
  name = '${name}${timestamp}';

  async up(queryRunner: QueryRunner): Promise<void> {
${body(up)}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${body(down)}
  }
}
`;
}

async function main(): Promise<number> {
  const [command, target] = process.argv.slice(2);
  if (!['generate', 'run', 'revert', 'show'].includes(command) || (command === 'generate' && !target)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const endpoint = await openDatabase(config);
  const dataSource = new DataSource(dataSourceOptions(endpoint, MIGRATIONS, entityFiles()));
  try {
    await dataSource.initialize();
    switch (command) {
      case 'run': {
        const applied = await runMigrationsExclusively(dataSource, endpoint);
        process.stdout.write(applied.length ? applied.map((m) => `applied ${m.name}\n`).join('') : 'nothing to apply\n');
        return 0;
      }
      case 'revert':
        await dataSource.undoLastMigration({ transaction: 'each' });
        process.stdout.write('reverted the last migration\n');
        return 0;
      case 'show': {
        const pending = await dataSource.showMigrations();
        process.stdout.write(pending ? 'pending migrations exist\n' : 'all migrations applied\n');
        return pending ? 1 : 0;
      }
      default: {
        const pending = await dataSource.showMigrations();
        if (pending) {
          process.stderr.write('Apply pending migrations first (npm run migration:run): generate diffs against the migrated schema.\n');
          return 1;
        }
        const sql = await dataSource.driver.createSchemaBuilder().log();
        if (sql.upQueries.length === 0) {
          process.stdout.write('entities and schema agree: no migration needed\n');
          return 0;
        }
        const name = basename(target).replace(/[^A-Za-z0-9]/g, '');
        const timestamp = Date.now();
        const file = resolve(process.cwd(), 'migrations', `${timestamp}-${name}.ts`);
        const up = sql.upQueries.map((q) => q.query);
        const down = sql.downQueries.map((q) => q.query).reverse();
        writeFileSync(file, migrationSource(name, timestamp, up, down));
        process.stdout.write(`wrote ${file}\nRead it, then add ${name}${timestamp} to migrations/index.ts.\n`);
        return 0;
      }
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await endpoint.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
