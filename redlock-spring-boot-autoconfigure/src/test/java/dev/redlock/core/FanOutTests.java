package dev.redlock.core;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One round over fake nodes on a fake clock: a slow, saturated node gets no new call, but an
 * answer it already gave (the first node of a gated attempt) still counts, so the key it set is
 * released later instead of being left for its lease.
 */
class FanOutTests {

	private static final long MS = 1_000_000L;

	private final AtomicLong clock = new AtomicLong(1_000 * MS);

	private final ExecutorService executor = Executors.newCachedThreadPool();

	private final CountDownLatch stuck = new CountDownLatch(1);

	/** Counted down once the stuck call runs on its node (it is then in flight there). */
	private final CountDownLatch entered = new CountDownLatch(1);

	@AfterEach
	void stop() {
		this.stuck.countDown();
		this.executor.shutdownNow();
	}

	/** A node with one connection; a call with the token "stuck" hangs until the test ends. */
	private final class OneConnection implements AgreeingNode {

		@Override
		public String name() {
			return "n0";
		}

		@Override
		public int maxConcurrentCalls() {
			return 1;
		}

		@Override
		public boolean tryAcquire(List<String> keys, String token, long ttlMillis) {
			if (token.equals("stuck")) {
				FanOutTests.this.entered.countDown();
				try {
					FanOutTests.this.stuck.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return true;
		}

	}

	private static NodeCall acquire(String token) {
		return (index, node) -> node.tryAcquire(List.of("k"), token, 1_000);
	}

	@Test
	void saturatedNodeShouldBeShedButAnAnswerItGaveShouldCount() throws InterruptedException {
		List<LockNode> nodes = List.of(new OneConnection(), (AgreeingNode) () -> "n1", (AgreeingNode) () -> "n2");
		FanOut fanOut = new FanOut(nodes, this.executor, 100 * MS, new NodeCallListener() {

			@Override
			public void answered(int index) {
			}

			@Override
			public void failed(int index, NodeOutcome outcome, Throwable error) {
			}

		}, this.clock::get);
		// n0's only connection hangs, and for longer than a quarter of the node timeout
		fanOut.run(acquire("stuck"), 2, null);
		// the round may decide on n1 and n2 before an executor thread has started n0's call
		assertThat(this.entered.await(10, TimeUnit.SECONDS)).as("the stuck call runs on n0").isTrue();
		this.clock.addAndGet(30 * MS);
		Round shed = fanOut.run(acquire("t1"), 2, null);
		assertThat(shed.outcomes().get(0).status()).isEqualTo(Status.FAILED);
		assertThat(shed.outcomes().get(0).detail()).contains("saturated");
		NodeCall gated = new NodeCall() {

			@Override
			public boolean call(int index, LockNode node) {
				return index == 0 || node.tryAcquire(List.of("k"), "t2", 1_000);
			}

			@Override
			public Exchange start(int index, LockNode node) {
				return null;
			}

			@Override
			public boolean answered(int index) {
				return index == 0;
			}

		};
		Round round = fanOut.run(gated, 3, null);
		assertThat(round.outcomes()).extracting(NodeOutcome::status).as("n0's answer counts")
			.containsExactly(Status.ACQUIRED, Status.ACQUIRED, Status.ACQUIRED);
		assertThat(round.needed(0)).as("so a release will reach it").isTrue();
	}

}
