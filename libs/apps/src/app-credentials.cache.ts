import { Inject, Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { APP_CONFIG, AppConfig, AppKeyAuthenticator, AppPrincipal, MemoryThrottlerStorage, RateLimiter, sha256Hex } from '@refos/platform';
import { APP_CREDENTIALS_CHANGED, AppsService } from './apps.service';

/** How long a verified credential is trusted; archiving or rotating on another instance takes effect within this. */
export const APP_CREDENTIAL_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 20_000;
const MINUTE_MS = 60_000;

interface Entry<T> {
  value: T;
  appId: string | null;
  expiresAt: number;
}

/**
 * App keys and server secrets checked once per few seconds instead of once per event: ingestion
 * authenticates every request, and a query per event would cost more than the event's insert. Keyed by
 * the credential's hash (never the raw secret); wrong credentials are cached too. Concurrent requests
 * with the same unknown credential share one lookup, and one client IP may make this instance look up
 * at most APP_KEY_LOOKUPS_PER_IP keys a minute, so a flood of made-up keys gets 429s, not queries.
 * This instance forgets an app's entries at once when it archives the app or rotates its credentials.
 */
@Injectable()
export class AppCredentialsCache implements AppKeyAuthenticator {
  private readonly keys = new Map<string, Entry<AppPrincipal | null>>();
  private readonly secrets = new Map<string, Entry<boolean>>();
  private readonly loading = new Map<string, Promise<unknown>>();
  // Per instance on purpose: it protects this instance's database lookups, whatever the shared storage.
  private readonly lookupLimiter = new RateLimiter(new MemoryThrottlerStorage());
  // Bumped by every credential change: a lookup that began before it must not cache what it read.
  private generation = 0;

  constructor(
    private readonly apps: AppsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async authenticate(apiKey: string, clientIp: string | undefined): Promise<AppPrincipal | null> {
    const cacheKey = sha256Hex(apiKey);
    return this.lookup(this.keys, `key:${cacheKey}`, async () => {
      await this.lookupLimiter.hit(`app-key-lookups:${clientIp ?? 'unknown'}`, this.config.appKeyLookupsPerIp, MINUTE_MS);
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
    return this.lookup(this.secrets, `secret:${appId}:${sha256Hex(secret)}`, async () => ({
      value: await this.apps.verifyServerSecret(appId, secret),
      appId,
    }));
  }

  @OnEvent(APP_CREDENTIALS_CHANGED)
  forgetApp(appId: string): void {
    this.generation++;
    for (const map of [this.keys, this.secrets] as Map<string, Entry<unknown>>[]) {
      for (const [key, entry] of map) if (entry.appId === appId) map.delete(key);
    }
  }

  private async lookup<T>(map: Map<string, Entry<T>>, key: string, load: () => Promise<{ value: T; appId: string | null }>): Promise<T> {
    const hit = map.get(key);
    if (hit && hit.expiresAt > Date.now()) {
      // Least recently used goes first when the map is full: a hit moves its entry to the end.
      map.delete(key);
      map.set(key, hit);
      return hit.value;
    }
    const pending = this.loading.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const loaded = this.load(map, key, load).finally(() => this.loading.delete(key));
    this.loading.set(key, loaded);
    return loaded;
  }

  private async load<T>(map: Map<string, Entry<T>>, key: string, load: () => Promise<{ value: T; appId: string | null }>): Promise<T> {
    const generation = this.generation;
    const { value, appId } = await load();
    if (generation === this.generation) {
      map.delete(key);
      if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
      map.set(key, { value, appId, expiresAt: Date.now() + APP_CREDENTIAL_CACHE_TTL_MS });
    }
    return value;
  }
}
