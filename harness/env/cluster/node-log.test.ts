import { describe, expect, it } from 'vitest';
import { partitionedPeersIn, rabbitPeersUpIn } from './node-log.ts';

describe('partitionedPeersIn', () => {
  it("reads the peers from mnesia's running_partitioned_network reports, each once", () => {
    const log = [
      "2026-12-01 23:59:01.123456+00:00 [info] <0.230.0> rabbit on node 'rpc-chaos-7-1@127.9.9.1' down",
      "2026-12-01 23:59:02.000001+00:00 [error] <0.180.0> Mnesia('rpc-chaos-7-2@127.9.9.2'): ** ERROR ** " +
        "mnesia_event got {inconsistent_database, running_partitioned_network, 'rpc-chaos-7-1@127.9.9.1'}",
      "2026-12-01 23:59:02.000002+00:00 [error] <0.180.0> Mnesia('rpc-chaos-7-2@127.9.9.2'): ** ERROR ** " +
        "mnesia_event got {inconsistent_database, running_partitioned_network, 'rpc-chaos-7-3@127.9.9.3'}",
      "2026-12-01 23:59:02.000003+00:00 [error] <0.180.0> Mnesia('rpc-chaos-7-2@127.9.9.2'): ** ERROR ** " +
        "mnesia_event got {inconsistent_database, running_partitioned_network, 'rpc-chaos-7-1@127.9.9.1'}",
    ].join('\n');
    expect(partitionedPeersIn(log)).toEqual(['rpc-chaos-7-1@127.9.9.1', 'rpc-chaos-7-3@127.9.9.3']);
  });

  it('finds no partition in a log without such a report (other inconsistent_database kinds included)', () => {
    const log = [
      "2026-12-01 23:59:01.1+00:00 [info] <0.230.0> node 'rpc-chaos-7-1@127.9.9.1' up",
      '2026-12-01 23:59:01.2+00:00 [error] <0.180.0> Mnesia(x@h): ** ERROR ** mnesia_event ' +
        "got {inconsistent_database, starting_partitioned_network, 'rpc-chaos-7-1@127.9.9.1'}",
    ].join('\n');
    expect(partitionedPeersIn(log)).toEqual([]);
  });
});

describe('rabbitPeersUpIn', () => {
  it('lists the peers whose rabbit was last reported up, counting a peer that went down and came back', () => {
    const log = [
      "2026-12-02 00:08:07.515484+00:00 [info] <0.716.0> rabbit on node 'rpc-chaos-7-2@127.9.9.2' up",
      "2026-12-02 00:08:08.972603+00:00 [info] <0.716.0> rabbit on node 'rpc-chaos-7-2@127.9.9.2' down",
      "2026-12-02 00:08:09.511019+00:00 [info] <0.716.0> rabbit on node 'rpc-chaos-7-3@127.9.9.3' up",
      "2026-12-02 00:08:14.069437+00:00 [info] <0.716.0> node 'rpc-chaos-7-2@127.9.9.2' up",
    ].join('\n');
    expect(rabbitPeersUpIn(log)).toEqual(['rpc-chaos-7-3@127.9.9.3']);
    const upLine = "2026-12-02 00:08:19.693656+00:00 [info] <0.716.0> rabbit on node 'rpc-chaos-7-2@127.9.9.2' up";
    const back = `${log}\n${upLine}`;
    expect(rabbitPeersUpIn(back).sort()).toEqual(['rpc-chaos-7-2@127.9.9.2', 'rpc-chaos-7-3@127.9.9.3']);
  });
});
