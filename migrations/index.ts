/* Every migration, oldest first: listed as classes so builds never depend on globbing files. */
import { CreateTenantsApiKeysAndIdempotencyRecords1795320958800 } from './1795320958800-CreateTenantsApiKeysAndIdempotencyRecords';
import { AddUsersSessionsAndSiwfNonces1795323228221 } from './1795323228221-AddUsersSessionsAndSiwfNonces';
import { CreateAppsCampaignsAndReferralLinks1795323228877 } from './1795323228877-CreateAppsCampaignsAndReferralLinks';
import { CreateTouches1795325669079 } from './1795325669079-CreateTouches';
import { EventIngestion1795334992928 } from './1795334992928-EventIngestion';
import { EventIdempotencyKeySpaces1796372651604 } from './1796372651604-EventIdempotencyKeySpaces';
import { ConversionsAndAttribution1796374422403 } from './1796374422403-ConversionsAndAttribution';
import { CampaignReports1796377241325 } from './1796377241325-CampaignReports';
import { CampaignLinkClicksHourly1796377541916 } from './1796377541916-CampaignLinkClicksHourly';
import { DeleteFinishedConversionJobs1796379145526 } from './1796379145526-DeleteFinishedConversionJobs';
import { CoveringConversionIndexes1796379498628 } from './1796379498628-CoveringConversionIndexes';
import { ScimUsersAndGroups1796397176145 } from './1796397176145-ScimUsersAndGroups';
import { AgentsAndReferralCodes1796397762317 } from './1796397762317-AgentsAndReferralCodes';
import { TouchIndexesForTheirReads1796411177798 } from './1796411177798-TouchIndexesForTheirReads';

export const MIGRATIONS = [
  CreateTenantsApiKeysAndIdempotencyRecords1795320958800,
  AddUsersSessionsAndSiwfNonces1795323228221,
  CreateAppsCampaignsAndReferralLinks1795323228877,
  CreateTouches1795325669079,
  EventIngestion1795334992928,
  EventIdempotencyKeySpaces1796372651604,
  ConversionsAndAttribution1796374422403,
  CampaignReports1796377241325,
  CampaignLinkClicksHourly1796377541916,
  DeleteFinishedConversionJobs1796379145526,
  CoveringConversionIndexes1796379498628,
  ScimUsersAndGroups1796397176145,
  AgentsAndReferralCodes1796397762317,
  TouchIndexesForTheirReads1796411177798,
];
