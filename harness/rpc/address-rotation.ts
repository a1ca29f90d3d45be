/**
 * The broker addresses a built-in server or client tries, in order: the node it is placed on
 * first, then the others in the cluster's node order after it, round robin. Production clients
 * are configured the same way (Java's `Address[]`, pika's list of parameters), so a node that
 * dies does not take its clients down with it.
 */
export class AddressRotation {
  /** Every address, the placed one first. */
  private readonly order: readonly string[];
  private position = 0;

  /**
   * `placed`: the address to start from; `all`: every node's address in node order (the
   * placed one among them; when it is not, it is tried first and the others after it).
   */
  constructor(
    placed: string,
    private readonly all: readonly string[],
  ) {
    const at = all.indexOf(placed);
    this.order = at === -1 ? [placed, ...all] : [...all.slice(at), ...all.slice(0, at)];
  }

  /** The address to connect to now. */
  get current(): string {
    return this.order[this.position] as string;
  }

  /** Moves on to the next address (after the last, the first again) and returns it. */
  advance(): string {
    this.position = (this.position + 1) % this.order.length;
    return this.current;
  }

  /** How many addresses there are to try. */
  get size(): number {
    return this.order.length;
  }

  /**
   * How a timeline names `address`: `node-k` when there are several nodes (k its place in
   * node order), else its host and port.
   */
  describe(address: string): string {
    const url = new URL(address);
    const hostPort = `${url.hostname}:${url.port}`;
    const node = this.all.indexOf(address);
    return this.all.length > 1 && node !== -1 ? `node-${node + 1} (${hostPort})` : hostPort;
  }
}
