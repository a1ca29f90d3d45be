import { defineConfig } from 'vitest/config';

/**
 * Test files that run three-node RabbitMQ clusters. Their nodes notice a lost peer after
 * net_ticktime (5 s), so a node starved of CPU for that long is taken for a partition and,
 * under pause_minority, pauses itself. Two of these files at once (six nodes) or one beside
 * the other heavy integration files on two cores produced such false partitions in CI (a
 * node that never came back, a majority node that paused): they run last, one at a time.
 */
const CLUSTER_TESTS = [
  'harness/env/cluster/private-rabbit-cluster.test.ts',
  'harness/env/cluster/cluster-scenarios.integration.test.ts',
];

/**
 * Builds the suite image from this checkout: debootstrap (the first time), then npm ci, npm pack
 * and a global install, minutes of both cores. Beside a scenario test that would starve its
 * broker, servers and client and fail it on timings; beside a cluster, a node would be taken for
 * a partitioned one. It runs alone, after every other file.
 */
const SUITE_IMAGE_TESTS = ['harness/env/docker/suite-image.integration.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['harness/build/test-global-setup.ts'],
    // Integration tests start private RabbitMQ nodes and child processes; two cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['harness/**/*.test.ts', 'scenarios/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...CLUSTER_TESTS, ...SUITE_IMAGE_TESTS],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'clusters',
          include: CLUSTER_TESTS,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'suite-image',
          include: SUITE_IMAGE_TESTS,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
