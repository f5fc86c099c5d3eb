/* Every migration, oldest first: listed as classes so builds never depend on globbing files. */
import { CreateTenantsApiKeysAndIdempotencyRecords1795320958800 } from './1795320958800-CreateTenantsApiKeysAndIdempotencyRecords';

export const MIGRATIONS = [CreateTenantsApiKeysAndIdempotencyRecords1795320958800];
