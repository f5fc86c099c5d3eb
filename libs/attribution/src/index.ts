export { AttributionModule } from './attribution.module';
export { Conversion, CONVERSION_KINDS } from './conversion.entity';
export type { ConversionKind } from './conversion.entity';
export { ConversionQueue, CONVERSION_JOB_LEASE_MS, MAX_CONVERSION_JOB_ATTEMPTS } from './conversion-queue';
export type { ProcessResult } from './conversion-queue';
