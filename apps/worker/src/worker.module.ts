import { DynamicModule, Module } from '@nestjs/common';
import { AgentsModule } from '@refos/agents';
import { AppsModule } from '@refos/apps';
import { AttributionModule } from '@refos/attribution';
import { IdentityModule } from '@refos/identity';
import { LinksModule } from '@refos/links';
import { PlatformModule, PlatformOptions } from '@refos/platform';

/** The domain modules without HTTP, for deployments that run jobs apart from the API (JOBS_ENABLED=false there). */
@Module({})
export class WorkerModule {
  static register(options: PlatformOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PlatformModule.forRoot({ ...options, config: { ...options.config, jobsEnabled: true } }), IdentityModule, AppsModule, LinksModule, AttributionModule, AgentsModule],
    };
  }
}
