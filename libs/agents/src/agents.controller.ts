import { Body, Controller, Get, HttpCode, Ip, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Auth, CurrentAgent, ErrorResponseDto, Public } from '@refos/platform';
import type { Response } from 'express';
import { AgentReferralsService } from './agent-referrals.service';
import { AgentReviewsService } from './agent-reviews.service';
import { AgentsService } from './agents.service';
import { AgentDto, AgentTokenDto, AuthenticateAgentDto, RegisterAgentDto } from './dto/agent.dto';
import { MessageDto, PublicReferralStatsDto } from './dto/referral.dto';
import { CreateReviewDto, ListReviewsQueryDto, ReviewDto, ReviewPageDto } from './dto/review.dto';
import { EXAMPLE_DID, SIGNING_EXAMPLES, signingDoc } from './signing-examples';

const DID_PARAM = ApiParam({ name: 'did', example: EXAMPLE_DID, description: 'The agent\'s DID, `did:web:<host>:agent:<id>`' });
const NOT_FOUND = ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No active agent with this DID ("Agent not found")' });
const SIGNATURE_401 = ApiUnauthorizedResponse({
  type: ErrorResponseDto,
  description: 'Unauthorized: `invalid_signature`, `timestamp_out_of_window`, `signature_replayed` (a signature is accepted once)',
});
const RATE_LIMITED = ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'More than AGENT_SIGNED_REQUESTS_PER_IP signed requests from this IP in a minute' });
const example = (purpose: keyof typeof SIGNING_EXAMPLES, extra: Record<string, unknown>) => {
  const { purpose: _purpose, did: _did, subject_did: _subject, ...body } = SIGNING_EXAMPLES[purpose].message;
  return { ...body, ...extra, signature: SIGNING_EXAMPLES[purpose].signature };
};

@ApiTags('agents')
@Controller('api/agents')
export class AgentsController {
  constructor(
    private readonly agents: AgentsService,
    private readonly reviews: AgentReviewsService,
    private readonly referrals: AgentReferralsService,
  ) {}

  @Post('register')
  @HttpCode(201)
  @Public()
  @ApiOperation({
    summary: 'Register an agent (seed 001)',
    description:
      'Creates an agent for an Ed25519 key and answers its DID and a bearer JWT. With `referrer` (a referral code or a ' +
      'referrer\'s DID) a `pending` referral is recorded; a code must be active, unexpired and have uses left, and its use ' +
      'is counted atomically. Errors: unknown code or DID → 400 `invalid_referrer` ("Referral code not found" / ' +
      '"Referrer not found"); a disabled, expired or used-up code → 409 `referral_code_unavailable`; a registered key → ' +
      '409 `agent_exists`.\n\n' +
      signingDoc(
        'registration',
        '`{ purpose, public_key, profile, referrer?, timestamp }` with `public_key` as sent and the profile with every key: ' +
          '`avatar`, `description`, `website` null when absent, `capabilities` and `tags` [] when absent. `referrer` only when sent.',
      ),
  })
  @ApiBody({ type: RegisterAgentDto, examples: { with_referrer: { value: example('registration', {}) } } })
  @ApiCreatedResponse({ type: AgentTokenDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid body, or `invalid_referrer`' })
  @SIGNATURE_401
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`agent_exists` or `referral_code_unavailable`' })
  @RATE_LIMITED
  register(@Body() dto: RegisterAgentDto, @Ip() ip: string): Promise<AgentTokenDto> {
    return this.agents.register(dto, ip);
  }

  @Post('auth')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    summary: 'Sign in: a fresh JWT for a registered agent',
    description:
      'Tokens expire after AGENT_TOKEN_TTL_HOURS (24 by default); sign in again for a new one. An unknown or revoked key → 401 `unknown_agent`.\n\n' +
      signingDoc('authenticate', '`{ public_key, purpose, timestamp }`, `public_key` as sent.'),
  })
  @ApiBody({ type: AuthenticateAgentDto, examples: { sign_in: { value: example('authenticate', {}) } } })
  @ApiOkResponse({ type: AgentTokenDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid body' })
  @SIGNATURE_401
  @RATE_LIMITED
  authenticate(@Body() dto: AuthenticateAgentDto, @Ip() ip: string): Promise<AgentTokenDto> {
    return this.agents.authenticate(dto, ip);
  }

  @Get(':did')
  @Public()
  @DID_PARAM
  @ApiOperation({ summary: 'An agent\'s public profile', description: 'Reputation, tier (from effective_reviews), review count and average, registration time.' })
  @ApiOkResponse({ type: AgentDto })
  @NOT_FOUND
  profile(@Param('did') did: string): Promise<AgentDto> {
    return this.agents.profile(did);
  }

  @Post(':did/revoke')
  @HttpCode(200)
  @Auth('operator')
  @DID_PARAM
  @ApiOperation({
    summary: 'Revoke an agent (operator)',
    description:
      'Needs `Authorization: Bearer <ADMIN_TOKEN>`. The agent\'s tokens stop working at once, its profile, reviews and ' +
      'referral stats answer 404, its codes are disabled and the referral that brought it in is revoked. Idempotent.',
  })
  @ApiOkResponse({ type: MessageDto, example: { message: 'Agent revoked' } })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No agent with this DID' })
  revoke(@Param('did') did: string): Promise<MessageDto> {
    return this.agents.revoke(did);
  }

  @Post(':did/reviews')
  @Auth('agent')
  @DID_PARAM
  @ApiOperation({
    summary: 'Review an agent',
    description:
      'By another agent: one review per reviewer and subject. A first review answers 201; a new signed review by the ' +
      'same reviewer replaces it and answers 200. Reviewing yourself → 400 `self_review`.\n\n' +
      signingDoc(
        'create_review',
        '`{ comment, did, purpose, rating, subject_did, timestamp }` where `did` is the reviewer\'s (the token\'s) DID, ' +
          '`subject_did` the reviewed agent\'s, `comment` null when absent.',
      ),
  })
  @ApiBody({ type: CreateReviewDto, examples: { review: { value: example('create_review', {}) } } })
  @ApiCreatedResponse({ type: ReviewDto, description: 'Review created' })
  @ApiOkResponse({ type: ReviewDto, description: 'The reviewer\'s earlier review, updated' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid body, or `self_review`' })
  @SIGNATURE_401
  @NOT_FOUND
  async review(
    @CurrentAgent() agentId: string,
    @Param('did') did: string,
    @Body() dto: CreateReviewDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ReviewDto> {
    const { review, created } = await this.reviews.upsert(agentId, did, dto);
    res.status(created ? 201 : 200);
    return review;
  }

  @Get(':did/reviews')
  @Public()
  @DID_PARAM
  @ApiOperation({ summary: 'An agent\'s reviews', description: 'Most recently written first; `limit` 1–100 (default 50), `offset`.' })
  @ApiOkResponse({ type: ReviewPageDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid paging' })
  @NOT_FOUND
  listReviews(@Param('did') did: string, @Query() query: ListReviewsQueryDto): Promise<ReviewPageDto> {
    return this.reviews.list(did, query);
  }

  @Get(':did/referrals')
  @Public()
  @DID_PARAM
  @ApiOperation({ summary: 'An agent\'s public referral statistics (seed 001)' })
  @ApiOkResponse({ type: PublicReferralStatsDto })
  @NOT_FOUND
  referralStats(@Param('did') did: string): Promise<PublicReferralStatsDto> {
    return this.referrals.publicStats(did);
  }
}
