import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, MixedList } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import type { DatabaseEndpoint } from './database-endpoint';
import { runMigrationsExclusively } from './migrate';

export const DATABASE_ENDPOINT = Symbol('DATABASE_ENDPOINT');

@Module({})
export class DatabaseModule {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  static forRoot(endpoint: DatabaseEndpoint, migrations: MixedList<Function>): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(endpoint, migrations), autoLoadEntities: true, retryAttempts: 1 }),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            await runMigrationsExclusively(dataSource, endpoint);
            return dataSource;
          },
        }),
      ],
      providers: [{ provide: DATABASE_ENDPOINT, useValue: endpoint }],
      exports: [DATABASE_ENDPOINT],
    };
  }
}
