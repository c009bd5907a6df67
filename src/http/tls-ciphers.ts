/**
 * The cipher suites Vigil's TLS server offers. TLS 1.2 gets only AEAD suites with forward secrecy
 * (ECDHE key exchange with AES-GCM or ChaCha20-Poly1305), for both ECDSA and RSA certificates;
 * OpenSSL's default list would also offer CBC, CCM and ARIA suites. TLS 1.3 suites are named too,
 * so that setting the list never narrows 1.3 by accident (all three are AEAD with ECDHE/DHE).
 */
export const tlsCipherSuites = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
].join(':');
