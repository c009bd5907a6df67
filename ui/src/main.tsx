import '@mantine/core/styles.css';
import { MantineProvider } from '@mantine/core';
import { setNonce } from 'get-nonce';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App.tsx';
import { cssVariablesResolver, theme } from './theme.ts';

/**
 * This response's CSP nonce (the server puts it on this meta tag): Mantine's <style> elements
 * carry it, since the policy allows no other inline style (docs/console.md#content-security-policy).
 */
const nonce = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce ?? '';
// The <style> a modal adds to lock the page's scrolling (react-remove-scroll) takes it from here.
setNonce(nonce);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <MantineProvider
      theme={theme}
      cssVariablesResolver={cssVariablesResolver}
      defaultColorScheme="auto"
      getStyleNonce={() => nonce}
    >
      <BrowserRouter basename="/admin">
        <App />
      </BrowserRouter>
    </MantineProvider>
  </StrictMode>,
);
