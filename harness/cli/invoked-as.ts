/**
 * The name a program's usage line and hints call it by: its npm script's in this repository
 * (`scenario`, `npm run report --`), the package command's (`rpc-chaos run`, `rpc-chaos report`)
 * when rpc-chaos.ts runs it. Kept under a registered symbol: the name crosses from the
 * rpc-chaos bundle into the program's bundle, which runs in the same process with modules of its own.
 */
const INVOKED_AS = Symbol.for('rpc-chaos.invoked-as');

type Registry = Record<symbol, string | undefined>;

/** Called by rpc-chaos.ts before it runs a program in its process. */
export function setInvokedAs(name: string): void {
  (globalThis as unknown as Registry)[INVOKED_AS] = name;
}

/** The package command's name for this program, or `npmScript` when the npm script started it. */
export function invokedAs(npmScript: string): string {
  return (globalThis as unknown as Registry)[INVOKED_AS] ?? npmScript;
}
