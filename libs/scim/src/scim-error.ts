import { DomainError } from '@refos/platform';

/** RFC 7644 §3.12 scimType values this service answers with. */
export type ScimType = 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers';

export const SCIM_TYPES: ReadonlySet<string> = new Set<ScimType>([
  'invalidFilter',
  'tooMany',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'invalidVers',
]);

/** A SCIM failure: the DomainError's code is the scimType, which the SCIM error renderer puts on the wire. */
export function scimError(status: number, scimType: ScimType, detail: string): DomainError {
  return new DomainError(scimType, status, detail);
}

export const invalidFilter = (detail: string) => scimError(400, 'invalidFilter', detail);
export const invalidValue = (detail: string) => scimError(400, 'invalidValue', detail);
