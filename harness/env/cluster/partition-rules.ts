/**
 * Real network partitions between cluster nodes: packets from one node's loopback address
 * to another's are DROPped (not rejected: a dropped link looks like a dead network, which
 * the nodes notice only after net_ticktime), by rules in an iptables chain of the harness's
 * own, hooked into INPUT. Everything on lo passes INPUT, so this cuts the Erlang distribution
 * links, epmd lookups and any AMQP connection between the nodes' addresses, while the
 * harness (connecting from 127.0.0.1) still reaches every node. The chain is removed on
 * stop, and by the owner guard or the next run if this process dies first.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { guardIptablesChain } from '../guard/guarded.ts';
import { removeIptablesChain } from '../guard/leftovers.mjs';
import { registerCleanup } from '../process-cleanup.ts';

const execFileAsync = promisify(execFile);

export class PartitionNotPossible extends Error {}

export class PartitionRules {
  private readonly chain: string;
  private hooked = false;
  private releaseGuard: (() => void) | undefined;
  private unregister: (() => void) | undefined;
  /** The address pairs currently cut, as "a|b" with a < b. */
  private readonly cut = new Set<string>();

  constructor(runKey: string) {
    // iptables chain names are at most 28 characters.
    this.chain = `RPCC-${runKey}`.slice(0, 28);
  }

  getChain(): string {
    return this.chain;
  }

  /** Whether a partition can be made here, and if not, why (said before a scenario starts). */
  static async unavailableReason(): Promise<string | undefined> {
    if (process.getuid?.() !== 0)
      return (
        'a network partition needs root (it adds iptables rules); ' +
        'run as root, or choose a scenario without a partition'
      );
    try {
      await execFileAsync('iptables', ['-w', '5', '-n', '-L', 'INPUT'], { timeout: 10_000 });
      return undefined;
    } catch (error) {
      return (
        `a network partition needs a working iptables ("apt-get install -y iptables", ` +
        `see harness/env/setup.sh): ${(error as Error).message.split('\n')[0]}`
      );
    }
  }

  /** Cuts every link between the two groups of addresses, both directions. */
  async cutBetween(groupA: readonly string[], groupB: readonly string[]): Promise<void> {
    const reason = await PartitionRules.unavailableReason();
    if (reason) throw new PartitionNotPossible(reason);
    await this.ensureChain();
    for (const a of groupA) {
      for (const b of groupB) {
        const key = [a, b].sort().join('|');
        if (this.cut.has(key)) continue;
        await iptables(['-A', this.chain, '-s', a, '-d', b, '-j', 'DROP']);
        await iptables(['-A', this.chain, '-s', b, '-d', a, '-j', 'DROP']);
        this.cut.add(key);
      }
    }
  }

  /** Removes every cut; the chain stays hooked (empty) until `remove()`. */
  async heal(): Promise<void> {
    if (!this.hooked) return;
    await iptables(['-F', this.chain]);
    this.cut.clear();
  }

  /** The rules in force, as iptables prints them (for the timeline and the partition proof). */
  async listRules(): Promise<string[]> {
    if (!this.hooked) return [];
    const { stdout } = await execFileAsync('iptables', ['-w', '5', '-S', this.chain], { timeout: 10_000 });
    return stdout.split('\n').filter((line) => line.startsWith('-A '));
  }

  private async ensureChain(): Promise<void> {
    if (this.hooked) return;
    // Recorded before the chain exists: a crash between the two must not leave it behind.
    this.releaseGuard = guardIptablesChain('partition rules of a private cluster', this.chain);
    this.unregister = registerCleanup(`iptables chain ${this.chain}`, () => {
      removeIptablesChain(this.chain);
    });
    await iptables(['-N', this.chain]);
    await iptables(['-I', 'INPUT', '1', '-j', this.chain]);
    this.hooked = true;
  }

  /** Unhooks and deletes the chain. Safe to call twice. */
  async remove(): Promise<void> {
    if (this.releaseGuard === undefined) return;
    const outcome = removeIptablesChain(this.chain);
    this.cut.clear();
    this.hooked = false;
    this.unregister?.();
    this.releaseGuard();
    this.releaseGuard = undefined;
    if (outcome !== 'removed' && outcome !== 'absent')
      throw new Error(`could not remove iptables chain ${this.chain}: ${outcome}`);
  }
}

async function iptables(args: readonly string[]): Promise<void> {
  try {
    await execFileAsync('iptables', ['-w', '5', ...args], { timeout: 10_000 });
  } catch (error) {
    const failed = error as Error & { stderr?: string };
    throw new Error(`iptables ${args.join(' ')} failed: ${(failed.stderr ?? failed.message).trim()}`);
  }
}
