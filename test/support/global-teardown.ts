import { rm } from 'node:fs/promises';
import { dropTemplate, TEMPLATE_ENV } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) return;
  await dropTemplate(template);
  if (template.startsWith('embedded:')) await rm(template.slice('embedded:'.length), { force: true });
}
