export { LinksModule } from './links.module';
export { ReferralLinksService } from './referral-links.service';
export { RedirectHandler } from './redirect/redirect.handler';
export { ReferralLinkDto } from './dto/referral-link.dto';
export { REFERRAL_LINK_STATUSES } from './referral-link.entity';
export type { ReferralLinkStatus } from './referral-link.entity';
