import type { Provider } from '@nestjs/common';
import { viemConnector } from '@farcaster/auth-client';
import { APP_CONFIG, AppConfig } from '@refos/platform';

/**
 * The Optimism lookups Sign In With Farcaster needs, as @farcaster/auth-client's connector:
 * `getFid(custody)`, `isValidAuthAddress(address, fid)` and the `publicClient` used for the
 * ERC-1271/6492 signature call. The one seam tests replace to run offline.
 */
export type FarcasterConnector = ReturnType<typeof viemConnector>;

export const FARCASTER_CONNECTOR = Symbol('FARCASTER_CONNECTOR');

/** IdRegistry / KeyRegistry reads over FARCASTER_RPC_URL. */
export const farcasterConnectorProvider: Provider = {
  provide: FARCASTER_CONNECTOR,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): FarcasterConnector => viemConnector({ rpcUrl: config.farcasterRpcUrl }),
};
