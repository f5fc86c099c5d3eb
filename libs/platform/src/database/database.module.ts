import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { MixedList } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import type { DatabaseEndpoint } from './database-endpoint';

export const DATABASE_ENDPOINT = Symbol('DATABASE_ENDPOINT');

@Module({})
export class DatabaseModule {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  static forRoot(endpoint: DatabaseEndpoint, migrations: MixedList<Function>): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(endpoint, migrations),
          autoLoadEntities: true,
          migrationsRun: true,
          retryAttempts: 1,
        }),
      ],
      providers: [{ provide: DATABASE_ENDPOINT, useValue: endpoint }],
      exports: [DATABASE_ENDPOINT],
    };
  }
}
