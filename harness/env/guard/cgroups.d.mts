/** Types of cgroups.mjs (plain JavaScript so the owner guard needs no TypeScript loader). */
export function cgroupsRoot(): string | undefined;
export function ownCgroupDir(): string | undefined;
export function cgroupProcesses(dir: string): number[];
export function moveIntoCgroup(dir: string, pid: number): void;
export function killCgroup(dir: string): number[];
export function removeEmptyCgroup(dir: string): true | string;
export function removeCgroup(dir: string, boundMs?: number): Promise<{ killed: number[]; removed: true | string }>;
