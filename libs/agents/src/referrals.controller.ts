import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Auth, CurrentAgent, ErrorResponseDto } from '@refos/platform';
import { AgentReferralsService } from './agent-referrals.service';
import {
  CreatedReferralCodeDto,
  CreateReferralCodeDto,
  ListReferralsQueryDto,
  MessageDto,
  ReferralCodeListDto,
  ReferralDto,
  ReferralPageDto,
  ReferralStatsDto,
} from './dto/referral.dto';
import { SIGNING_EXAMPLES, signingDoc } from './signing-examples';

/** An error body as seed 001's tables name it: its text in `error` and `message`. */
const seedError = (statusCode: number, text: string, code: string) => ({
  statusCode,
  error: text,
  message: text,
  code,
  requestId: '0b6a1c9e-0f5b-4a3e-9f76-1d2b8c1e7a41',
});

@ApiTags('agent referrals')
@Controller('api/referrals')
export class ReferralsController {
  constructor(private readonly referrals: AgentReferralsService) {}

  @Post('code')
  @HttpCode(201)
  @Auth('agent')
  @ApiOperation({
    summary: 'Create a referral code (seed 001)',
    description:
      'An 8-character code (A-Z, 0-9). `max_uses` defaults to -1 (unlimited); `expires_at` to 30 days after creation ' +
      '(at most 365 days ahead). The account must be at least 7 days old (403 "Account too new"); at most 5 codes may be ' +
      'active at once — not disabled, expired or used up (429 "Limit exceeded").\n\n' +
      signingDoc(
        'create_referral_code',
        '`{ did, expires_at, max_uses, purpose, timestamp }` where `did` is the token\'s DID and `expires_at` / `max_uses` ' +
          'are as sent, null when absent.',
      ),
  })
  @ApiBody({
    type: CreateReferralCodeDto,
    examples: {
      limited: {
        value: {
          max_uses: 10,
          expires_at: 1767225600000,
          timestamp: SIGNING_EXAMPLES.create_referral_code.message.timestamp,
          signature: SIGNING_EXAMPLES.create_referral_code.signature,
        },
      },
    },
  })
  @ApiCreatedResponse({ type: CreatedReferralCodeDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid body (e.g. expires_at in the past)' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Unauthorized: invalid token or signature (also a replayed signature or a stale timestamp)' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: '`error` and `message` "Account too new": the account must be 7+ days old', example: seedError(403, 'Account too new', 'account_too_new') })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: '`error` and `message` "Limit exceeded": maximum 5 active codes allowed', example: seedError(429, 'Limit exceeded', 'limit_exceeded') })
  createCode(@CurrentAgent() agentId: string, @Body() dto: CreateReferralCodeDto): Promise<CreatedReferralCodeDto> {
    return this.referrals.createCode(agentId, dto);
  }

  @Get('code')
  @Auth('agent')
  @ApiOperation({ summary: 'The caller\'s referral codes (seed 001)', description: 'Every code it created, newest first; `uses_remaining` is -1 for unlimited codes.' })
  @ApiOkResponse({ type: ReferralCodeListDto })
  listCodes(@CurrentAgent() agentId: string): Promise<ReferralCodeListDto> {
    return this.referrals.listCodes(agentId);
  }

  @Delete('code/:code')
  @HttpCode(200)
  @Auth('agent')
  @ApiParam({ name: 'code', example: 'ABC123XY' })
  @ApiOperation({ summary: 'Disable a referral code (seed 001)', description: 'Only its owner; idempotent. Referrals it already made stay.' })
  @ApiOkResponse({ type: MessageDto, example: { message: 'Referral code disabled' } })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: '`error` and `message` "Code not found": no such code', example: seedError(400, 'Code not found', 'code_not_found') })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: '`error` and `message` "Forbidden": another agent\'s code', example: seedError(403, 'Forbidden', 'forbidden') })
  disableCode(@CurrentAgent() agentId: string, @Param('code') code: string): Promise<MessageDto> {
    return this.referrals.disableCode(agentId, code);
  }

  @Get('my')
  @Auth('agent')
  @ApiOperation({ summary: 'Referrals the caller made (seed 001)', description: 'Newest first; `limit` 1–100 (default 50), `offset`, `total`.' })
  @ApiOkResponse({ type: ReferralPageDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid paging' })
  my(@CurrentAgent() agentId: string, @Query() query: ListReferralsQueryDto): Promise<ReferralPageDto> {
    return this.referrals.myReferrals(agentId, query);
  }

  @Get('stats')
  @Auth('agent')
  @ApiOperation({ summary: 'The caller\'s referral statistics (seed 001)', description: '`referral_bonus_points` = min(active_referrals × 2, 20).' })
  @ApiOkResponse({ type: ReferralStatsDto })
  stats(@CurrentAgent() agentId: string): Promise<ReferralStatsDto> {
    return this.referrals.stats(agentId);
  }

  @Post(':referral_id/revoke')
  @HttpCode(200)
  @Auth('agent', { orOperator: true })
  @ApiParam({ name: 'referral_id', example: 'ref_4fJ9kQ2mX7pL1sT8' })
  @ApiOperation({
    summary: 'Revoke a referral',
    description:
      'By the referrer (agent JWT) or the operator (`Bearer <ADMIN_TOKEN>`). A pending or active referral becomes ' +
      '`revoked`; an active one stops counting toward the referrer\'s tier and its +5 is taken back from the referred ' +
      'agent. Idempotent on revoked and expired referrals.',
  })
  @ApiOkResponse({ type: ReferralDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: '"Forbidden": a referral the caller did not make' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such referral' })
  revoke(@CurrentAgent() agentId: string | undefined, @Param('referral_id') referralId: string): Promise<ReferralDto> {
    return this.referrals.revokeReferral(agentId, referralId);
  }
}
