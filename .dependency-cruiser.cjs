// @ts-check
/**
 * Architecture rules for Vigil, checked by `npm run check` (`depcruise src --config .dependency-cruiser.cjs`).
 *
 * Every folder listed in TIERS is a module. A module may depend only on modules of a lower tier,
 * and only through their `index.ts`; inside its own folder (subfolders included) anything goes.
 * Modules can be nested (`src/auth/password` and `src/auth/flows` are separate modules, and there
 * is no `src/auth` module); the subfolders of a module (e.g. `src/http/routes`) belong to it.
 *
 * Adding a file never needs a change here. Adding a module does: put its folder in the right tier
 * (the `known-modules-only-*` rules fail until you do).
 */

/** Module folders (relative to src/) by tier, lowest first. */
const TIERS = [
  /* 0 */ ['platform'],
  /* 1 */ ['crypto'],
  /* 2 */ ['audit'], // above crypto: audit MACs and signs with crypto keys (see docs/adr)
  /* 3 */ ['tenancy', 'identity'],
  /* 4 */ ['auth/password', 'auth/mfa', 'auth/lockout', 'rbac'],
  /* 5 */ ['sessions', 'apikeys'],
  /* 6 */ ['auth/flows', 'oauth', 'saml', 'scim', 'reviews', 'lifecycle'],
  /* 7 */ ['alerts', 'compliance', 'siem', 'federation'],
  /* 8 */ ['http'],
  /* 9 */ ['app'],
];

/** Regex-escape a module folder name (they only hold [a-z/-], but be safe). */
const esc = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `(a|b|c)` alternation of module folders. */
const alt = (/** @type {string[]} */ mods) => `(${mods.map(esc).join('|')})`;

const ALL_MODULES = TIERS.flat();
/** Any file inside any module; group 1 is the module folder. */
const IN_ANY_MODULE = `^src/${alt(ALL_MODULES)}/`;
/** The public entry point of any module. */
const ANY_MODULE_INDEX = `^src/${alt(ALL_MODULES)}/index\\.ts$`;

const TEST_FILE = '\\.test\\.ts$';

/**
 * One rule per tier: a file in a module of tier N may not import a module of tier >= N other than
 * its own. `$1` in `to.pathNot` is the module folder captured by `from.path`.
 * @type {import('dependency-cruiser').IForbiddenRuleType[]}
 */
const tierRules = TIERS.flatMap((mods, tier) => {
  const sameOrHigher = TIERS.slice(tier).flat();
  // The top tier holds only `app`: nothing above it and no same-tier sibling to forbid.
  if (sameOrHigher.length === mods.length && mods.length === 1) return [];
  return [
    {
      name: `tier-${tier}-imports-lower-tiers-only`,
      comment:
        `Tier ${tier} (${mods.map((m) => `src/${m}`).join(', ')}) may only import modules of a lower tier ` +
        `(${tier === 0 ? 'none: platform is the bottom tier' : TIERS.slice(0, tier).flat().map((m) => `src/${m}`).join(', ')}). ` +
        'Same-tier and higher-tier imports invert the architecture; move the shared code down a tier ' +
        'or pass it in (dependency inversion). See the TIERS list in .dependency-cruiser.cjs.',
      severity: 'error',
      from: { path: `^src/${alt(mods)}/` },
      to: { path: `^src/${alt(sameOrHigher)}/`, pathNot: '^src/$1/' },
    },
  ];
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'This dependency is part of a circular chain (type-only imports count too). Break the cycle: ' +
        'move the shared piece into its own file, or invert the dependency.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },

    ...tierRules,

    {
      name: 'import-other-modules-through-index',
      comment:
        "Another module's files are private: import its public surface from `src/<module>/index.ts` " +
        '(export what you need there). Inside your own module any file is fine.',
      severity: 'error',
      from: { path: IN_ANY_MODULE },
      to: { path: IN_ANY_MODULE, pathNot: ['^src/$1/', ANY_MODULE_INDEX] },
    },

    {
      name: 'known-modules-only-from',
      comment:
        'This file is under src/ but not inside a module folder listed in TIERS in ' +
        '.dependency-cruiser.cjs, so the layering rules cannot check it. Move it into a module or ' +
        'add its folder to the right tier.',
      severity: 'error',
      from: { path: '^src/', pathNot: IN_ANY_MODULE },
      to: {},
    },
    {
      name: 'known-modules-only-to',
      comment:
        'This imports a file under src/ that is not inside a module folder listed in TIERS in ' +
        '.dependency-cruiser.cjs. Move it into a module or add its folder to the right tier.',
      severity: 'error',
      from: {},
      to: { path: '^src/', pathNot: IN_ANY_MODULE },
    },

    {
      name: 'crypto-libraries-only-in-crypto',
      comment:
        '`node:crypto` and `jose` are used only inside src/crypto/, so every key, MAC, signature and ' +
        "random value goes through one audited module. Use (or add) a function in src/crypto's index.ts.",
      severity: 'error',
      // The evidence pack's standalone verifier runs where Vigil is not installed (an auditor's
      // machine), so it cannot import src/crypto: it checks signatures with node:crypto itself.
      from: { pathNot: ['^src/crypto/', '^src/compliance/evidence/verify-pack\\.mjs$'] },
      to: {
        path: [
          '^(node:)?crypto$', // core module, with or without the node: prefix
          '^jose(/|$)', // unresolved (not installed)
          '(^|/)node_modules/jose/',
        ],
      },
    },

    {
      name: 'database-libraries-only-in-stores',
      comment:
        'kysely / pg / PGlite (type-only imports included) belong in `*.store.ts` files, src/platform/ ' +
        '(which owns the database), src/app/ (wiring) and tests. Put the query in a store file of your module.',
      severity: 'error',
      from: {
        pathNot: ['(^|\\/|\\.)store\\.ts$', '^src/platform/', '^src/app/', TEST_FILE, '^test/'],
      },
      to: {
        path: [
          '^(kysely|pg|@electric-sql/pglite)(/|$)', // unresolved
          '(^|/)node_modules/(kysely|pg|@electric-sql/pglite)/',
        ],
      },
    },

    {
      name: 'no-fastify-in-domain',
      comment:
        'Domain modules stay transport-agnostic: only src/http/ and src/app/ may import fastify, ' +
        '@fastify/* or fastify-* packages. Expose plain functions and let src/http adapt them.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(http|app)/' },
      to: {
        path: [
          '^(fastify|@fastify/)', // unresolved
          '(^|/)node_modules/(fastify|@fastify/)',
        ],
      },
    },

    {
      name: 'no-test-code-in-src',
      comment:
        'Production code under src/ must not import test code (test/ or *.test.ts). Only *.test.ts ' +
        'files may use test/ helpers.',
      severity: 'error',
      from: { path: '^src/', pathNot: TEST_FILE },
      to: { path: ['^test/', TEST_FILE] },
    },
  ],

  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/platform/db/migrations/' },
    moduleSystems: ['es6', 'cjs'],
    tsConfig: { fileName: 'tsconfig.json' },
    // Count `import type` too: the layering applies to types as well as values.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      extensions: ['.ts', '.js'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
