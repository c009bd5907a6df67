import { type CSSVariablesResolver, createTheme, DEFAULT_THEME } from '@mantine/core';

/**
 * Mantine's theme with text that meets WCAG 2.1 AA's 4.5:1 contrast (checked by
 * test/console-accessibility.test.ts): its defaults give white on the light scheme's blue
 * buttons, dimmed text and badges' text less than that.
 */
export const theme = createTheme({
  // Blue 8 carries white text (and is a link's colour on white) at 4.5:1; blue 6 does not.
  primaryShade: { light: 8, dark: 8 },
  components: {
    // A modal's or drawer's close button is an icon: it needs a name.
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
    Drawer: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
  },
});

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-anchor': 'var(--mantine-color-blue-8)',
    // A light badge's or alert's text on its tinted background: darker than shade 9.
    ...Object.fromEntries(
      Object.keys(DEFAULT_THEME.colors).map((color) => [
        `--mantine-color-${color}-light-color`,
        `color-mix(in srgb, var(--mantine-color-${color}-9) 70%, black)`,
      ]),
    ),
  },
  dark: {
    '--mantine-color-dimmed': 'var(--mantine-color-dark-1)',
  },
});
