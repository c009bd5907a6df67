import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The admin console's build (docs/console.md#build): served by Vigil under /admin/, with the
 * placeholder the server replaces by each response's CSP nonce.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/admin/',
  plugins: [react()],
  html: { cspNonce: 'VIGIL_CSP_NONCE' },
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets', reportCompressedSize: false },
  logLevel: 'warn',
});
