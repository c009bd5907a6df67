/** Types of the standalone pack verifier (verify-pack.mjs, plain JavaScript for auditors). */
import type { ArchivedBlock } from '../../audit/index.ts';
import type { PackManifest } from './format.ts';

export declare const packFormat: 'vigil.evidence-pack.v1';

export interface PackProblem {
  /** The file of the pack at fault (`manifest.json`, `access/user-access.csv`). */
  file?: string;
  message: string;
}

export interface PackVerification {
  ok: boolean;
  /** What was checked and held, one human line each. */
  checked: string[];
  problems: PackProblem[];
  /** The manifest as read (null when manifest.json is missing or not a manifest). */
  manifest: PackManifest | null;
}

/** Checks a pack given as its files by path inside it; `fingerprint`: the expected seal key. */
export declare function verifyPackFiles(
  files: ReadonlyMap<string, Uint8Array>,
  options?: { fingerprint?: string | undefined },
): PackVerification;

/** Every file under `dir`, by its path relative to it with forward slashes. */
export declare function readPackDirectory(dir: string): Map<string, Buffer>;

export declare function canonicalJson(value: unknown): string;

export declare function blockSigningBytes(block: ArchivedBlock): Buffer;

/** hex SHA-256(prevHash ‖ mac₁ ‖ … ‖ macₙ) from hex inputs. */
export declare function chainHash(prevHashHex: string, macsHex: string[]): string;
