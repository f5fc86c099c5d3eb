import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { TENANT_API_KEY_STRATEGY, TenantPrincipal } from '@refos/platform';
import { Strategy } from 'passport-http-bearer';
import { ApiKeysService } from './api-keys.service';

/** `Authorization: Bearer dlk_…` → the key's tenant principal (passport answers 401 on null). */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, TENANT_API_KEY_STRATEGY) {
  constructor(private readonly apiKeys: ApiKeysService) {
    super();
  }

  async validate(token: string): Promise<TenantPrincipal | null> {
    return this.apiKeys.authenticate(token);
  }
}
