import { defineErrors } from '../platform/index.ts';

export const cryptoErrors = defineErrors({
  ciphertextMalformed: {
    code: 'crypto.ciphertext_malformed',
    kind: 'internal',
    message: 'Malformed ciphertext: {problem}',
    meaning: "A stored ciphertext is not in the keyring's format (truncated or not Vigil's).",
  },
  decryptFailed: {
    code: 'crypto.decrypt_failed',
    kind: 'internal',
    message: 'Ciphertext failed authentication (wrong key, wrong location, or tampered)',
    meaning:
      'A ciphertext did not authenticate: the wrong key, moved to another row or column, or tampered with.',
  },
  masterKeyMissing: {
    code: 'crypto.master_key_missing',
    kind: 'unavailable',
    message:
      'Data key {keyId} is wrapped by master key {masterKeyId}, which is not configured (set VIGIL_MASTER_KEY or VIGIL_MASTER_KEY_PREVIOUS)',
    meaning:
      'A data key is wrapped by a master key this node does not have; nothing it encrypted can be read.',
  },
  noActiveKey: {
    code: 'crypto.no_active_key',
    kind: 'unavailable',
    message: 'No active data key',
    meaning: 'The keyring has no active data key to encrypt with.',
  },
  keyUnknown: {
    code: 'crypto.key_unknown',
    kind: 'unavailable',
    message: 'Data key {keyId} is unknown',
    meaning: 'A ciphertext names a data key the keyring does not hold.',
  },
  platformKeyMissing: {
    code: 'crypto.platform_key_missing',
    kind: 'unavailable',
    message: 'No active {purpose} key',
    meaning:
      'No active platform key (audit MAC or audit seal) exists; audited changes are refused (fail closed).',
  },
  platformKeyUnknown: {
    code: 'crypto.platform_key_unknown',
    kind: 'not_found',
    message: 'Unknown key {id}',
    meaning: 'A platform key id (in an audit event or a seal block) names no stored key.',
  },
  rotationRace: {
    code: 'crypto.rotation_race',
    kind: 'conflict',
    message: 'Rotated concurrently',
    meaning: 'Two nodes rotated the same platform key at once; the second gives way.',
  },
  tokenMalformed: {
    code: 'token.malformed',
    kind: 'unauthenticated',
    message: 'The token is malformed',
    meaning: 'A split token (session, API key, link) is not `id.secret`.',
  },
});
