import { applyDecorators, Controller, Get, Header, Logger, Param, ParseUUIDPipe, Query, Res, StreamableFile, Type } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { Auth, CurrentTenant, ErrorResponseDto } from '@refos/platform';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { CampaignReportsService } from './campaign-reports.service';
import {
  CampaignFunnelDto,
  CampaignSummaryDto,
  CastRowDto,
  ChannelRowDto,
  CreatorRowDto,
  LinkRowDto,
  RankedReport,
  RankedReportQueryDto,
  ReportFreshnessDto,
  ReportQueryDto,
} from './report.dto';

const FILTERS =
  'Filters: `app_id`, `from` (inclusive) and `to` (exclusive) on the time of each fact, and `model` (`first_touch` or ' +
  '`last_click`, default `last_click`) for which credit conversions count under. Clicks and sessions do not depend on the model.';

/** The shared parts of every report's documentation: auth, the campaign parameter, the errors. */
function ApiReport(summary: string, description: string) {
  return applyDecorators(
    Auth('tenant', { scope: 'read' }),
    ApiOperation({ summary, description: `${description}\n\n${FILTERS}` }),
    ApiParam({ name: 'id', format: 'uuid', description: 'The campaign' }),
    ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Malformed id, filter, model or paging' }),
    ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such campaign in this tenant' }),
  );
}

/** A ranked report's answer: its freshness and filters, and one page of rows of `row`. */
function ApiRankedPage(row: Type<unknown>) {
  return applyDecorators(
    ApiExtraModels(ReportFreshnessDto, row),
    ApiOkResponse({
      description: 'One page of the ranking, best first (conversions, then revenue, then clicks)',
      schema: {
        allOf: [
          { $ref: getSchemaPath(ReportFreshnessDto) },
          {
            type: 'object',
            required: ['data', 'total', 'limit', 'offset'],
            properties: {
              data: { type: 'array', items: { $ref: getSchemaPath(row) } },
              total: { type: 'integer', example: 12, description: 'Rows in the whole ranking' },
              limit: { type: 'integer', example: 50 },
              offset: { type: 'integer', example: 0 },
            },
          },
        ],
      },
    }),
  );
}

@ApiTags('reports')
@Controller('api/v1/reports/campaigns/:id')
export class CampaignReportsController {
  private readonly logger = new Logger(CampaignReportsController.name);

  constructor(private readonly reports: CampaignReportsService) {}

  @Get('summary')
  @ApiReport(
    'Campaign summary',
    "The campaign's headline figures: human clicks on its links, sessions that opened the mini app, signed in and started a " +
      'conversion, completed conversions credited to it and their revenue, and the conversion rate (completed / clicks).',
  )
  @ApiOkResponse({ type: CampaignSummaryDto })
  summary(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string, @Query() query: ReportQueryDto): Promise<CampaignSummaryDto> {
    return this.reports.summary(tenantId, id, query);
  }

  @Get('funnel')
  @ApiReport(
    'Campaign funnel',
    'link_clicked → miniapp_opened → sign_in_completed → conversion_started (`*_started`) → conversion_completed. The first ' +
      'step counts human clicks, the others count sessions of the campaign (a session counts once per step); each step has its ' +
      'rate to the previous step and to the clicks.',
  )
  @ApiOkResponse({ type: CampaignFunnelDto })
  funnel(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string, @Query() query: ReportQueryDto): Promise<CampaignFunnelDto> {
    return this.reports.funnel(tenantId, id, query);
  }

  @Get('creators')
  @ApiReport('Creators of a campaign', "Creators of the campaign's links (fid and handle), ranked, with their clicks and credited conversions and revenue.")
  @ApiRankedPage(CreatorRowDto)
  creators(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string, @Query() query: RankedReportQueryDto): Promise<RankedReport<CreatorRowDto>> {
    return this.reports.creators(tenantId, id, query);
  }

  @Get('channels')
  @ApiReport('Channels of a campaign', 'Farcaster channels the links were shared in, ranked; `channel: null` gathers links shared outside a channel.')
  @ApiRankedPage(ChannelRowDto)
  channels(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string, @Query() query: RankedReportQueryDto): Promise<RankedReport<ChannelRowDto>> {
    return this.reports.channels(tenantId, id, query);
  }

  @Get('casts')
  @ApiReport('Casts of a campaign', 'Casts the links were shared in (links with a `cast_hash`), ranked.')
  @ApiRankedPage(CastRowDto)
  casts(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string, @Query() query: RankedReportQueryDto): Promise<RankedReport<CastRowDto>> {
    return this.reports.casts(tenantId, id, query);
  }

  @Get('links')
  @ApiReport('Referral links of a campaign', 'The campaign\'s referral links, ranked, with their code, creator, channel and cast.')
  @ApiRankedPage(LinkRowDto)
  links(@CurrentTenant() tenantId: string, @Param('id', ParseUUIDPipe) id: string, @Query() query: RankedReportQueryDto): Promise<RankedReport<LinkRowDto>> {
    return this.reports.links(tenantId, id, query);
  }

  @Get('payouts.csv')
  @ApiReport(
    'Payouts of a campaign (CSV)',
    'One row per credited creator: conversions and revenue credited under `model`, the conversions that earn a payout (those of ' +
      "the campaign's `payout_event`), the amount per conversion and the payout they add up to (empty when the campaign has no " +
      'payout terms). RFC 4180 with CRLF line ends and a header row, streamed; `X-Report-As-Of` and ' +
      '`X-Pending-Conversion-Jobs` say what it is as of. Unattributed conversions are owed to no one and are not listed.',
  )
  @ApiProduces('text/csv')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({
    description: 'The payouts, best-earning creator first',
    headers: {
      'X-Report-As-Of': { description: 'The moment the data was read', schema: { type: 'string', format: 'date-time' } },
      'X-Pending-Conversion-Jobs': { description: 'Conversion jobs not yet derived at that moment', schema: { type: 'integer' } },
    },
    content: {
      'text/csv': {
        schema: { type: 'string' },
        example:
          'creator_fid,creator_handle,conversions,revenue_usdc,payable_conversions,payout_per_conversion,payout,payout_currency\r\n' +
          '3621,alice,21,524.79,21,2.50,52.50,USDC\r\n',
      },
    },
  })
  async payouts(
    @CurrentTenant() tenantId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ReportQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const { freshness, lines } = await this.reports.payouts(tenantId, id, query);
    res.setHeader('X-Report-As-Of', freshness.as_of);
    res.setHeader('X-Pending-Conversion-Jobs', String(freshness.pending_conversion_jobs));
    return new StreamableFile(Readable.from(lines), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="campaign-${id}-payouts-${query.model}.csv"`,
    }).setErrorHandler((error, response) => {
      // Past the first byte the status is sent: cutting the connection is how the client learns the file is incomplete.
      this.logger.error({ err: error }, 'payouts CSV stream failed');
      response.destroy?.();
    });
  }
}
