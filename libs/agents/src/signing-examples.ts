/*
 * Worked examples of every signature message, shown in Swagger and checked by signed-message.spec.ts.
 * The key is RFC 8032's test vector 1 (secret 9d61b19d…7f60), so anyone can reproduce the signatures.
 */
export const EXAMPLE_SECRET_KEY = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
export const EXAMPLE_PUBLIC_KEY = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
export const EXAMPLE_DID = 'did:web:agents.example.com:agent:0b6f2c4e-8f1a-4d3b-9c5e-7a2d1f0e3b4c';
export const EXAMPLE_SUBJECT_DID = 'did:web:agents.example.com:agent:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
export const EXAMPLE_TIMESTAMP = 1764849600000;

export interface SigningExample {
  message: Record<string, unknown>;
  canonical: string;
  signature: string;
}

export const SIGNING_EXAMPLES: Record<'registration' | 'authenticate' | 'create_referral_code' | 'create_review', SigningExample> = {
  registration: {
    message: {
      purpose: 'registration',
      public_key: EXAMPLE_PUBLIC_KEY,
      profile: { avatar: null, capabilities: [{ type: 'coding' }], description: null, name: 'My Agent', tags: [], website: null },
      referrer: 'ABC123XY',
      timestamp: EXAMPLE_TIMESTAMP,
    },
    canonical:
      '{"profile":{"avatar":null,"capabilities":[{"type":"coding"}],"description":null,"name":"My Agent","tags":[],"website":null},' +
      `"public_key":"${EXAMPLE_PUBLIC_KEY}","purpose":"registration","referrer":"ABC123XY","timestamp":${EXAMPLE_TIMESTAMP}}`,
    signature: 'bee5db98d5fcb1b70fb6e9c09d709c5a91800833d08157bf396c4bdab42c172bc46c64f867c6790e4679400cace9550f134f8dfa6fc398a240fe2c5f21b4fb07',
  },
  authenticate: {
    message: { public_key: EXAMPLE_PUBLIC_KEY, purpose: 'authenticate', timestamp: EXAMPLE_TIMESTAMP },
    canonical: `{"public_key":"${EXAMPLE_PUBLIC_KEY}","purpose":"authenticate","timestamp":${EXAMPLE_TIMESTAMP}}`,
    signature: '8b03d703be7714a39820ca83c70c7ff8b6a2ba551cff79ff7ff3ecd63a07af27e79e33fb61ebaffefbd0c40caaa120d85e6af511f9ea147786cd6c3c63625508',
  },
  create_referral_code: {
    message: { did: EXAMPLE_DID, expires_at: 1767225600000, max_uses: 10, purpose: 'create_referral_code', timestamp: EXAMPLE_TIMESTAMP },
    canonical: `{"did":"${EXAMPLE_DID}","expires_at":1767225600000,"max_uses":10,"purpose":"create_referral_code","timestamp":${EXAMPLE_TIMESTAMP}}`,
    signature: '342611ca61c0292c7e80b2bdc7da205357646af57824d5f5b0c21e443b1b76df32274d9a56e4941fe12113fb77f99f4ef5fcbbc9aba867eb317da30172790c04',
  },
  create_review: {
    message: { comment: 'Fast and accurate', did: EXAMPLE_DID, purpose: 'create_review', rating: 5, subject_did: EXAMPLE_SUBJECT_DID, timestamp: EXAMPLE_TIMESTAMP },
    canonical:
      `{"comment":"Fast and accurate","did":"${EXAMPLE_DID}","purpose":"create_review","rating":5,` +
      `"subject_did":"${EXAMPLE_SUBJECT_DID}","timestamp":${EXAMPLE_TIMESTAMP}}`,
    signature: '0b11d8954e2f9132db0893eaa18139470286314d29603caf4d1243cad81f222883bf2a7c1387caafdb4eb2da6eafe40f913e67e75476d8c6f6eab56e74848e00',
  },
};

/** Markdown for an operation's description: the message, its canonical bytes and the signature of the example key. */
export function signingDoc(purpose: keyof typeof SIGNING_EXAMPLES, rules: string): string {
  const example = SIGNING_EXAMPLES[purpose];
  return (
    `**Signature message** (purpose \`${purpose}\`): ${rules} Sign the UTF-8 bytes of its RFC 8785 canonical JSON ` +
    '(keys sorted, no whitespace) with Ed25519 and send the 64-byte signature as 128 hex digits. ' +
    '`timestamp` (Unix ms) must be within ±5 minutes of the server clock, and a signature is accepted once.\n\n' +
    `Worked example, with RFC 8032's test key (secret \`${EXAMPLE_SECRET_KEY}\`, public \`${EXAMPLE_PUBLIC_KEY}\`):\n\n` +
    '```json\n' +
    `${JSON.stringify(example.message, null, 2)}\n` +
    '```\n\n' +
    `Canonical JSON signed:\n\n\`${example.canonical}\`\n\nSignature: \`${example.signature}\``
  );
}
