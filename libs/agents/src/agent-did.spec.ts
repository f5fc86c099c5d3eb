import { agentDid, agentIdOf } from './agent-did';

describe('DIDs', () => {
  const id = '0b6f2c4e-8f1a-4d3b-9c5e-7a2d1f0e3b4c';

  it.each([
    ['https://agents.example.com', `did:web:agents.example.com:agent:${id}`],
    ['http://localhost:3000', `did:web:localhost%3A3000:agent:${id}`],
  ])('takes the host of %s', (base, did) => {
    expect(agentDid(base, id)).toBe(did);
    expect(agentIdOf(base, did)).toBe(id);
    expect(agentIdOf(base, decodeURIComponent(did))).toBe(id);
  });

  it.each([
    `did:web:other.example:agent:${id}`,
    `did:web:agents.example.com:agent:${id.toUpperCase()}`,
    'did:web:agents.example.com:agent:abc123',
    `did:key:agents.example.com:agent:${id}`,
    id,
  ])('finds no agent in %s', (did) => {
    expect(agentIdOf('https://agents.example.com', did)).toBeNull();
  });
});
