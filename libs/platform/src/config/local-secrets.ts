import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBase62 } from '../crypto/crypto';
import type { AppConfig } from './config';

export interface LocalSecrets {
  operatorToken: string;
  encryptionKeys: AppConfig['encryptionKeys'];
  agentJwtSecret: string;
}

function readOrCreate(dataDir: string, file: string, create: () => string): { value: string; created: boolean } {
  const path = join(dataDir, file);
  if (existsSync(path)) return { value: readFileSync(path, 'utf8').trim(), created: false };
  mkdirSync(dataDir, { recursive: true });
  const value = create();
  try {
    writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process sharing DATA_DIR wrote it first: use theirs so both agree.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { value: readFileSync(path, 'utf8').trim(), created: false };
    throw error;
  }
  return { value, created: true };
}

/**
 * A fresh machine should start with nothing configured: an unset ADMIN_TOKEN (or, outside
 * production, ENCRYPTION_KEY or AGENT_JWT_SECRET) is generated once under DATA_DIR (mode 0600) and reused afterwards.
 * The new admin token is printed once, to the terminal rather than the JSON log.
 */
export function resolveLocalSecrets(config: AppConfig, announce: (line: string) => void): LocalSecrets {
  let operatorToken = config.adminToken;
  if (!operatorToken) {
    const token = readOrCreate(config.dataDir, 'admin-token', () => `adm_${randomBase62(40)}`);
    operatorToken = token.value;
    if (token.created) {
      announce(
        `\nGenerated ADMIN_TOKEN (shown once; stored in ${join(config.dataDir, 'admin-token')}):\n  ${operatorToken}\n` +
          'Create a tenant: curl -X POST -H "Authorization: Bearer <ADMIN_TOKEN>" -H "content-type: application/json" ' +
          `-d '{"name":"Acme"}' ${config.publicBaseUrl}/api/v1/tenants\n\n`,
      );
    }
  }
  let encryptionKeys = config.encryptionKeys;
  if (encryptionKeys.length === 0) {
    const stored = readOrCreate(config.dataDir, 'encryption-key', () => `local:${randomBytes(32).toString('base64')}`).value;
    const [id, key] = stored.split(':');
    encryptionKeys = [{ id, key: Buffer.from(key, 'base64') }];
  }
  // Persisted so agent tokens survive a restart; production must set its own (checked by loadConfig).
  const agentJwtSecret = config.agentJwtSecret ?? readOrCreate(config.dataDir, 'agent-jwt-secret', () => randomBytes(48).toString('base64url')).value;
  return { operatorToken, encryptionKeys, agentJwtSecret };
}
