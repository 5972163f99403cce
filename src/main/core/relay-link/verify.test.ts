import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bodyDigest, parseEnvelope, verifySignature } from './verify.ts';

const sign = (body: Buffer, secret: string): string => createHmac('sha256', secret).update(body).digest('hex');

describe('webhook signature', () => {
  const body = Buffer.from('{"event":"webhook.test",  "data":{"message":"¡hola, mañana!"}}\n');

  it('accepts the exact signed bytes', () => {
    expect(verifySignature(body, sign(body, 'whsec_new'), ['whsec_new'])).toEqual({ ok: true, secretIndex: 0 });
  });

  it('accepts the previous secret during rotation and says which matched', () => {
    expect(verifySignature(body, sign(body, 'whsec_old'), ['whsec_new', 'whsec_old'])).toEqual({ ok: true, secretIndex: 1 });
  });

  it('rejects altered, re-serialised and truncated bodies', () => {
    const signature = sign(body, 'whsec_new');
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString())));
    expect(verifySignature(reserialised, signature, ['whsec_new'])).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifySignature(body.subarray(0, body.length - 1), signature, ['whsec_new']).ok).toBe(false);
    const altered = Buffer.from(body);
    altered[10] = altered[10]! ^ 1;
    expect(verifySignature(altered, signature, ['whsec_new']).ok).toBe(false);
  });

  it('rejects forged, missing and malformed signatures', () => {
    expect(verifySignature(body, sign(body, 'guess'), ['whsec_new'])).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifySignature(body, undefined, ['whsec_new'])).toEqual({ ok: false, reason: 'missing-signature' });
    expect(verifySignature(body, 'zz', ['whsec_new'])).toEqual({ ok: false, reason: 'malformed-signature' });
    expect(verifySignature(body, sign(body, 'whsec_new'), [])).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('accepts an upper-case hex signature', () => {
    expect(verifySignature(body, sign(body, 's').toUpperCase(), ['s']).ok).toBe(true);
  });
});

describe('envelope', () => {
  it('parses the seven events and refuses anything else', () => {
    expect(parseEnvelope(Buffer.from('{"event":"dispute.opened","data":{"disputeId":"dsp_1"}}'))).toMatchObject({ ok: true, envelope: { event: 'dispute.opened' } });
    expect(parseEnvelope(Buffer.from('{"event":"booking.created","data":{}}'))).toMatchObject({ ok: false });
    expect(parseEnvelope(Buffer.from('not json'))).toEqual({ ok: false, reason: 'body is not JSON' });
    expect(parseEnvelope(Buffer.from('{"event":"webhook.test","data":[]}'))).toEqual({ ok: false, reason: 'data is not an object' });
  });

  it('gives identical bodies the same digest and different ones different digests', () => {
    expect(bodyDigest(Buffer.from('a'))).toBe(bodyDigest(Buffer.from('a')));
    expect(bodyDigest(Buffer.from('a'))).not.toBe(bodyDigest(Buffer.from('a ')));
  });
});
