import { createCipheriv, createDecipheriv } from 'node:crypto';
import { cryptoErrors } from './errors.ts';
import { randomBytesOf } from './primitives.ts';

const ivLength = 12;
const tagLength = 16;

/** AES-256-GCM; output is iv ‖ ciphertext ‖ tag. `aad` binds the ciphertext to where it is stored. */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string): Buffer {
  const iv = randomBytesOf(ivLength);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagLength });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

export function open(key: Uint8Array, sealed: Uint8Array, aad: string): Buffer {
  if (sealed.length < ivLength + tagLength) {
    throw cryptoErrors.ciphertextMalformed({ problem: 'too short' });
  }
  const buf = Buffer.from(sealed);
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, ivLength), {
    authTagLength: tagLength,
  });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(buf.subarray(buf.length - tagLength));
  try {
    return Buffer.concat([
      decipher.update(buf.subarray(ivLength, buf.length - tagLength)),
      decipher.final(),
    ]);
  } catch (cause) {
    throw cryptoErrors.decryptFailed({ cause });
  }
}
