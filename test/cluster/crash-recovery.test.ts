/**
 * Crash safety with real processes: SIGKILL a worker, or the orchestrator,
 * in the middle of a request; the request still completes with the right
 * answer (jobs of the dead process are re-delivered; sessions resume from
 * their last checkpoint; finished steps are never run twice).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateTask, gradeAnswer } from '@rlm/sim';
import { startClusterFixture, untilSubcalls } from './cluster-fixture.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

let cluster: ClusterFixture | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});


describe('crash recovery', () => {
  it('a worker killed with SIGKILL mid-run: the request completes with the right answer', async () => {
    cluster = await startClusterFixture({ policy: { type: 'solver', chunkChars: 20_000 }, latency: { firstTokenMs: 100, perOutputTokenMs: 0 } });
    const [victim] = await Promise.all([cluster.start('worker'), cluster.start('worker'), cluster.start('orchestrator')]);
    const task = generateTask('needle', { seed: 41, contextChars: 1_000_000 });
    const pending = cluster.client().completion(task.context, task.query);
    await untilSubcalls(cluster.sim, 5);
    await victim.kill('SIGKILL');
    const result = await pending;
    expect(result.stopReason).toBe('final');
    expect(gradeAnswer(task, result.answer)).toBe(1);
    // Usage counts every call the provider received: the dead worker's calls (charged at their
    // reservation) as well as their re-runs on the surviving worker.
    const { root, subcall } = cluster.sim.stats().requestsByKind;
    expect(result.usage.calls).toBeGreaterThanOrEqual(root + subcall);
  }, 180_000);

  it('an orchestrator killed mid-run and restarted: the session resumes and completes', async () => {
    cluster = await startClusterFixture({ policy: { type: 'solver', chunkChars: 20_000 }, latency: { firstTokenMs: 100, perOutputTokenMs: 0 } });
    const [, victim] = await Promise.all([cluster.start('worker'), cluster.start('orchestrator')]);
    const task = generateTask('oolong', { seed: 42, contextChars: 1_000_000 });
    const pending = cluster.client().completion(task.context, task.query);
    await untilSubcalls(cluster.sim, 5);
    await victim.kill('SIGKILL');
    await cluster.start('orchestrator');
    const result = await pending;
    expect(result.stopReason).toBe('final');
    expect(gradeAnswer(task, result.answer)).toBe(1);
    // The first turn (the peek) was checkpointed before the kill, so the resumed session did not ask for it again.
    expect(cluster.sim.stats().requestsByKind.root).toBeLessThanOrEqual(3);
  }, 180_000);
});
