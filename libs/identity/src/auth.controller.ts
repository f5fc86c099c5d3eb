import { Body, Controller, Get, Header, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import {
  APP_CONFIG,
  AppConfig,
  Clock,
  ErrorResponseDto,
  Public,
  readCookie,
  requestOriginTrusted,
  SECURITY,
  SESSION_COOKIE,
  trustedOrigins,
} from '@refos/platform';
import type { CookieOptions, Request, Response } from 'express';
import { NonceDto, SessionDto, SignInDto } from './dto/auth.dto';
import { SessionsService } from './sessions.service';
import { SiwfService } from './siwf.service';

const SIGN_IN_LIMIT = { default: { limit: 30, ttl: 60_000 } };

@ApiTags('auth')
@Controller('api/auth')
@Public()
export class AuthController {
  private readonly cookieOptions: CookieOptions;
  private readonly trustedOrigins: string[];

  constructor(
    private readonly siwf: SiwfService,
    private readonly sessions: SessionsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cookieOptions = { httpOnly: true, sameSite: 'lax', path: '/', secure: config.nodeEnv === 'production' };
    this.trustedOrigins = trustedOrigins(config);
  }

  @Get('nonce')
  @Throttle(SIGN_IN_LIMIT)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Get a sign-in nonce', description: 'Single use, valid 10 minutes. 30 requests a minute per IP.' })
  @ApiOkResponse({ type: NonceDto })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto })
  nonce(): Promise<NonceDto> {
    return this.siwf.issueNonce();
  }

  @Post('siwf')
  @HttpCode(200)
  @Throttle(SIGN_IN_LIMIT)
  @ApiOperation({
    summary: 'Sign In With Farcaster',
    description:
      'Verifies the EIP-4361 message and its signature by the FID\'s custody or auth address, spends the nonce, and sets the ' +
      '`refos_session` cookie (httpOnly, SameSite=Lax, Secure in production). A FID\'s first sign-in creates its user and a ' +
      'personal tenant it owns. Every refusal is 401 with a `code`: `invalid_message`, `invalid_domain`, `invalid_uri`, ' +
      '`invalid_nonce`, `message_expired`, `message_not_yet_valid`, `invalid_signature`, `fid_mismatch`, `user_deactivated`. ' +
      '30 requests a minute per IP.',
  })
  @ApiBody({ type: SignInDto })
  @ApiOkResponse({
    type: SessionDto,
    headers: { 'Set-Cookie': { description: '`refos_session=<token>; Path=/; HttpOnly; SameSite=Lax` (+ `Secure` in production)', schema: { type: 'string' } } },
  })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid body' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'The message, nonce or signature was refused; no session' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'The Optimism RPC could not be reached (`farcaster_unavailable`)' })
  async signIn(@Body() dto: SignInDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<SessionDto> {
    const opened = await this.siwf.signIn(dto, req.headers['user-agent']);
    res.cookie(SESSION_COOKIE, opened.token, { ...this.cookieOptions, maxAge: opened.expiresAt.getTime() - this.clock.now().getTime() });
    return opened.body;
  }

  @Get('session')
  @Header('Cache-Control', 'no-store')
  @ApiCookieAuth(SECURITY.session)
  @ApiOperation({ summary: 'The signed-in user, their tenants and the session expiry' })
  @ApiOkResponse({ type: SessionDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'No session cookie, or it is expired or revoked; or the user is deactivated' })
  current(@Req() req: Request): Promise<SessionDto> {
    return this.sessions.current(readCookie(req, SESSION_COOKIE));
  }

  @Post('logout')
  @HttpCode(204)
  @ApiCookieAuth(SECURITY.session)
  @ApiOperation({
    summary: 'Sign out',
    description: 'Revokes the session server-side and clears the cookie. Signing out without a live session also answers 204.',
  })
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'A session cookie came without a trusted Origin (`csrf_origin_mismatch`)' })
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.sessions.signOut(readCookie(req, SESSION_COOKIE), requestOriginTrusted(req.headers, this.trustedOrigins));
    res.clearCookie(SESSION_COOKIE, this.cookieOptions);
  }
}
