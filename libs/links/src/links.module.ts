import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppsModule } from '@refos/apps';
import { IdentityModule } from '@refos/identity';
import { ReferralLink } from './referral-link.entity';
import { ReferralLinksController } from './referral-links.controller';
import { ReferralLinksService } from './referral-links.service';
import { LinkResolver } from './redirect/link-resolver';
import { RedirectController } from './redirect/redirect.controller';
import { RedirectHandler } from './redirect/redirect.handler';
import { Touch } from './redirect/touch.entity';
import { TouchBuffer } from './redirect/touch-buffer';

/** Referral links: management under /api/v1/referral-links and the public /r/:code redirect. */
@Module({
  imports: [TypeOrmModule.forFeature([ReferralLink, Touch]), AppsModule, IdentityModule],
  controllers: [ReferralLinksController, RedirectController],
  providers: [ReferralLinksService, LinkResolver, TouchBuffer, RedirectHandler],
  exports: [ReferralLinksService, RedirectHandler],
})
export class LinksModule {}
