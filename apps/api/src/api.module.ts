import { DynamicModule, Module } from '@nestjs/common';
import { IdentityModule } from '@refos/identity';
import { PlatformModule, PlatformOptions } from '@refos/platform';

/** The HTTP API: the platform plus every domain module. */
@Module({})
export class ApiModule {
  static register(options: PlatformOptions): DynamicModule {
    return {
      module: ApiModule,
      imports: [PlatformModule.forRoot(options), IdentityModule],
    };
  }
}
