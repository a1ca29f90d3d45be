/**
 * Test support: runs a reference server or client driver as a child process, the way the
 * harness does (environment in, protocol lines over stdin/stdout, stderr kept for failures),
 * but without the runner, so the programs are tested on their own.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registerCleanup } from '../../../harness/env/process-cleanup.ts';
import {
  ClientLineDecoder,
  encodeCallLine,
  type CallLine,
  type DecodedClientLine,
} from '../../../harness/impl/command/client-line-protocol.ts';

export const PYTHON = '/usr/bin/python3'; // Debian's, with python3-pika (npm run setup)
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const implementationPath = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export interface ProgramCommand {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
}

/** A thread, descriptor or process that ended while we looked is simply not there. */
function listOrNone(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH')
      return '';
    throw error;
  }
}

/** read(2)'s number in /proc/<pid>/task/<tid>/syscall. */
const READ_SYSCALL: Partial<Record<NodeJS.Architecture, string>> = { x64: '0', arm64: '63' };

export const tsxCommand = (name: string, path: string): ProgramCommand => ({
  name,
  command: process.execPath,
  args: ['--import', 'tsx', implementationPath(path)],
});
export const pythonCommand = (name: string, path: string): ProgramCommand => ({
  name,
  command: PYTHON,
  args: [implementationPath(path)],
});

/** A started program: stdout decoded as protocol lines, stderr collected for failure messages. */
export class ProtocolProcess {
  readonly sentIds = new Set<number>();
  private readonly decoder = new ClientLineDecoder({ sentIds: this.sentIds });
  private readonly decoded: DecodedClientLine[] = [];
  private readonly waiters = new Set<() => void>();
  private stderrText = '';
  private readonly exit: Promise<number | null>;
  private exited = false;

  private constructor(
    readonly command: ProgramCommand,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    child.stdout.on('data', (chunk: Buffer) => this.record(this.decoder.push(chunk)));
    child.stdout.on('end', () => this.record(this.decoder.end()));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrText += chunk.toString('utf8');
    });
    // A driver that exits early must not crash the test with EPIPE: the test sees the exit.
    child.stdin.on('error', () => {});
    // Killed with the test process if a test dies before its finally.
    const unregister = registerCleanup(command.name, () => child.kill('SIGKILL'));
    this.exit = new Promise((resolve) =>
      child.once('exit', (code) => {
        unregister();
        this.exited = true;
        resolve(code);
        this.wake();
      }),
    );
  }

  static start(command: ProgramCommand, env: Record<string, string>): ProtocolProcess {
    const child = spawn(command.command, [...command.args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new ProtocolProcess(command, child);
  }

  /** Everything decoded from stdout so far. */
  get stdoutLines(): DecodedClientLine[] {
    return [...this.decoded];
  }

  get stderr(): string {
    return this.stderrText;
  }

  send(call: CallLine): void {
    this.sentIds.add(call.id);
    this.child.stdin.write(encodeCallLine(call));
  }

  closeStdin(): void {
    this.child.stdin.end();
  }

  /**
   * Whether the program still waits for input on its stdin: a thread of it blocked in read(2)
   * on fd 0 (Python's reader thread), or an epoll set of it watching fd 0 (Node's event loop).
   * Both end once it has read stdin's EOF, so /proc shows from outside, for any language,
   * that a closed stdin has been seen. False once the program has exited.
   */
  waitsOnStdin(): boolean {
    const readSyscall = READ_SYSCALL[process.arch];
    if (readSyscall === undefined) throw new Error(`waitsOnStdin knows no read(2) number for ${process.arch}`);
    const proc = `/proc/${this.child.pid}`;
    const readingStdin = listOrNone(`${proc}/task`).some((task) => {
      const [syscall, fd] = readOrEmpty(`${proc}/task/${task}/syscall`).split(' ');
      return syscall === readSyscall && fd === '0x0';
    });
    return (
      readingStdin ||
      listOrNone(`${proc}/fdinfo`).some((fd) => /^tfd:\s+0\s/m.test(readOrEmpty(`${proc}/fdinfo/${fd}`)))
    );
  }

  /** Waits until `count` lines have come back on stdout (answers and violations alike). */
  async lines(count: number, timeoutMs: number): Promise<DecodedClientLine[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.decoded.length < count) {
      const left = deadline - Date.now();
      if (left <= 0 || this.exited) {
        throw new Error(
          `${this.command.name}: expected ${count} answer line(s) within ${timeoutMs} ms, ` +
            `got ${this.decoded.length}: ` +
            `${JSON.stringify(this.decoded)}${this.exited ? ' (it exited)' : ''}\nstderr:\n${this.stderrText}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 200));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
    return this.decoded.slice(0, count);
  }

  /** Exit code, or an error if the program is still running after timeoutMs. */
  async exitCode(timeoutMs: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`${this.command.name} did not exit within ${timeoutMs} ms\nstderr:\n${this.stderrText}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exit, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private record(lines: DecodedClientLine[]): void {
    if (lines.length === 0) return;
    this.decoded.push(...lines);
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }
}
