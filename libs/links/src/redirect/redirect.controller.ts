import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiHeader, ApiNotFoundResponse, ApiOperation, ApiParam, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { ErrorResponseDto, Public } from '@refos/platform';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RedirectHandler } from './redirect.handler';

/**
 * The documented route for `GET|HEAD /r/:code`. In the API the node:http server answers these before
 * Express (apps/api/src/hot-routes.ts); this route runs the same handler for an app built without
 * the hot routes, so both answer alike.
 */
@ApiTags('redirect')
@Controller('r')
@Public()
@SkipThrottle()
export class RedirectController {
  constructor(private readonly redirect: RedirectHandler) {}

  @Get(':code')
  @ApiOperation({
    summary: 'Follow a referral link',
    description:
      'No authentication. 302 to the link\'s destination, keeping its query and fragment and adding `ref` (the code), `click_id` ' +
      '(22 characters: 9 lowercase base36 digits of time, then 13 random base62 ones), `campaign_id` when set, and `utm_source`/`utm_medium`/`utm_campaign` unless ' +
      'the destination sets them. Records a `link_clicked` touch, written within a second; HEAD requests, link unfurlers and ' +
      'crawlers are redirected too but stored as bot touches, never counted or credited. A disabled code of a tenant with ' +
      '`settings.fallback_url` is sent there instead of 404.',
  })
  @ApiParam({ name: 'code', example: 'aB3dE5fG7h', description: 'The referral link\'s code' })
  @ApiHeader({ name: 'User-Agent', required: false, description: 'Unfurlers, crawlers and HTTP libraries make a bot touch; so does no User-Agent' })
  @ApiFoundResponse({
    description: 'Redirect to the destination with the source context',
    headers: {
      Location: {
        description: 'The destination with the forwarded parameters',
        schema: {
          type: 'string',
          example: 'https://mini.example/claim?src=cast&ref=aB3dE5fG7h&campaign_id=0f8e6a2c-3b1d-4c5e-9f70-1a2b3c4d5e6f&utm_source=alice&utm_medium=base&utm_campaign=0f8e6a2c-3b1d-4c5e-9f70-1a2b3c4d5e6f&click_id=0mx2k114wZkQ1x7YpR2mW9',
        },
      },
      'Cache-Control': { schema: { type: 'string', example: 'no-store' } },
    },
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown or disabled code (`link_not_found`), when the tenant sets no fallback URL' })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'The code is not cached and the database cannot be asked right now (`unavailable`); retry shortly' })
  follow(@Req() req: IncomingMessage, @Res() res: ServerResponse): void {
    this.redirect.handle(req, res);
  }
}
