import { DynamicModule, Module } from '@nestjs/common';
import { AgentsModule } from '@refos/agents';
import { AppsModule } from '@refos/apps';
import { AttributionModule } from '@refos/attribution';
import { EventsModule } from '@refos/events';
import { IdentityModule } from '@refos/identity';
import { LinksModule } from '@refos/links';
import { PlatformModule, PlatformOptions } from '@refos/platform';
import { ScimModule } from '@refos/scim';

/** The HTTP API: the platform plus every domain module. */
@Module({})
export class ApiModule {
  static register(options: PlatformOptions): DynamicModule {
    return {
      module: ApiModule,
      imports: [PlatformModule.forRoot(options), IdentityModule, AppsModule, LinksModule, EventsModule, AttributionModule, ScimModule, AgentsModule],
    };
  }
}
