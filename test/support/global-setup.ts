import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTemplate, TEMPLATE_ENV } from './test-database';

export default async function globalSetup(): Promise<void> {
  process.env[TEMPLATE_ENV] = await createTemplate(join(tmpdir(), `refos-test-template-${process.pid}.tar`));
}
