import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ConversionJob } from '@refos/events';
import { Clock, DomainError, Page } from '@refos/platform';
import { Repository } from 'typeorm';
import { ConversionJobDto, ListConversionJobsQueryDto } from './dto/conversion-job.dto';

/** A tenant's view of its conversion queue: what is stuck, and a way to try it again. */
@Injectable()
export class ConversionJobsService {
  constructor(
    @InjectRepository(ConversionJob) private readonly jobs: Repository<ConversionJob>,
    private readonly clock: Clock,
  ) {}

  async list(tenantId: string, query: ListConversionJobsQueryDto): Promise<Page<ConversionJobDto>> {
    const [rows, total] = await this.jobs.findAndCount({
      where: { tenantId, ...(query.status ? { status: query.status } : {}) },
      order: { updatedAt: 'DESC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return { data: rows.map(toDto), total, limit: query.limit, offset: query.offset };
  }

  /** A dead job goes back to the queue, due now, with a fresh set of attempts. Only dead jobs: others are still being worked. */
  async retry(tenantId: string, id: string): Promise<ConversionJobDto> {
    const now = this.clock.now();
    const { affected } = await this.jobs.update({ id, tenantId, status: 'dead' }, { status: 'pending', attempts: 0, runAt: now, lockedUntil: null });
    if (affected === 1) return toDto(await this.jobs.findOneByOrFail({ id, tenantId }));
    const job = await this.jobs.findOneBy({ id, tenantId });
    if (!job) throw new DomainError('not_found', 404, 'No such conversion job in this tenant');
    throw new DomainError('job_not_dead', 409, `Only dead jobs can be retried; this one is ${job.status}`);
  }
}

function toDto(job: ConversionJob): ConversionJobDto {
  return {
    id: job.id,
    event_id: job.eventId,
    status: job.status,
    attempts: job.attempts,
    run_at: job.runAt.toISOString(),
    last_error: job.lastError,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
  };
}
