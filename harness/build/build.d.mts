/** Types of build.mjs (plain JavaScript: it must run before anything is compiled). */
export const REPO_ROOT: string;
export const DIST_DIR: string;
export const BUILD_CHECKED_VARIABLE: 'RPC_CHAOS_BUILD_CHECKED';
/** True in an installed package: no TypeScript sources, the shipped bundles run as they are. */
export const INSTALLED_WITHOUT_SOURCES: boolean;
/** Program name -> its TypeScript entry point (programs.json). */
export const PROGRAMS: Readonly<Record<string, string>>;
export function compiledProgram(program: string): string;
export function staleReason(): string | undefined;
export function buildSync(): { programs: number; inputs: number; ms: number };
export function ensureFreshBuild(): string | undefined;
export function assertFreshBuild(): void;
export function markBuildChecked(): void;
