import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AppKeyAuthenticator, AppPrincipal, sha256Hex } from '@refos/platform';
import { APP_CREDENTIALS_CHANGED, AppsService } from './apps.service';

/** How long a verified credential is trusted; archiving or rotating on another instance takes effect within this. */
export const APP_CREDENTIAL_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 20_000;

interface Entry<T> {
  value: T;
  appId: string | null;
  expiresAt: number;
}

/**
 * App keys and server secrets checked once per few seconds instead of once per event: ingestion
 * authenticates every request, and a query per event would cost more than the event's insert. Keyed by
 * the credential's hash (never the raw secret); wrong credentials are cached too, so a flood of bad
 * keys cannot reach the database more than once per key and TTL. This instance forgets an app's
 * entries at once when it archives the app or rotates its credentials.
 */
@Injectable()
export class AppCredentialsCache implements AppKeyAuthenticator {
  private readonly keys = new Map<string, Entry<AppPrincipal | null>>();
  private readonly secrets = new Map<string, Entry<boolean>>();

  constructor(private readonly apps: AppsService) {}

  async authenticate(apiKey: string): Promise<AppPrincipal | null> {
    const cacheKey = sha256Hex(apiKey);
    return this.lookup(this.keys, cacheKey, async () => {
      const app = await this.apps.authenticateAppKey(apiKey);
      const principal: AppPrincipal | null = app && {
        kind: 'app_key',
        scopeKey: `app:${app.appId}`,
        tenantId: app.tenantId,
        appId: app.appId,
        credentialId: app.appId,
        scopes: [],
      };
      return { value: principal, appId: app?.appId ?? null };
    });
  }

  async verifyServerSecret(appId: string, secret: string): Promise<boolean> {
    return this.lookup(this.secrets, `${appId}:${sha256Hex(secret)}`, async () => ({
      value: await this.apps.verifyServerSecret(appId, secret),
      appId,
    }));
  }

  @OnEvent(APP_CREDENTIALS_CHANGED)
  forgetApp(appId: string): void {
    for (const map of [this.keys, this.secrets] as Map<string, Entry<unknown>>[]) {
      for (const [key, entry] of map) if (entry.appId === appId) map.delete(key);
    }
  }

  private async lookup<T>(map: Map<string, Entry<T>>, key: string, load: () => Promise<{ value: T; appId: string | null }>): Promise<T> {
    const now = Date.now();
    const hit = map.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    const { value, appId } = await load();
    if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
    map.set(key, { value, appId, expiresAt: now + APP_CREDENTIAL_CACHE_TTL_MS });
    return value;
  }
}
