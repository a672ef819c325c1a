package dev.redlock.core;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The steps an acquire call's attempts take ({@link AttemptDriver}) on production's rounds over
 * in-memory nodes: granted on a quorum, fenced after the token is recorded, undone everywhere it
 * may have set the key before a retry, failed once the wait is spent. On threads, each attempt is
 * over and its outcome told when {@link AttemptDriver#attempt()} returns.
 */
class AttemptDriverTests {

	private static final long MS = 1_000_000L;

	private final RedlockSettings settings = RedlockSettings.defaults();

	private final List<InMemoryLockNode> nodes = List.of(new InMemoryLockNode("n0"), new InMemoryLockNode("n1"),
			new InMemoryLockNode("n2"));

	private final Members members = new Members(List.copyOf(this.nodes));

	private final FanOut fanOut = new FanOut(this.members.nodes, Runnable::run, 100 * MS, new NodeCallListener() {

		@Override
		public void answered(int index) {
		}

		@Override
		public void failed(int index, NodeOutcome outcome, Throwable error) {
		}

	}, Ticker.SYSTEM);

	private final LockCommands commands = new LockCommands(this.members, this.fanOut, 100 * MS);

	private final Told told = new Told();

	private int tokens;

	private AttemptDriver driver(AttemptLoop loop, boolean fenced) {
		return new AttemptDriver(this.commands, loop, List.of("k"), "k", 10_000, fenced, Ticker.SYSTEM,
				() -> null, (deadline) -> null, new SplittableRandom(1), () -> "t" + (++this.tokens), this.told);
	}

	private AttemptLoop loop(boolean fenced, long waitNanos) {
		return new AttemptLoop(2, 10_000 * MS, fenced, System.nanoTime() + waitNanos, this.settings);
	}

	@Test
	void attemptGrantedByAQuorumShouldBeTheLock() {
		this.nodes.get(2).tryAcquire(List.of("k"), "other", 10_000);
		driver(loop(false, 0), false).attempt();
		assertThat(this.told.token()).isEqualTo("t1");
		assertThat(this.told.round().outcomes()).extracting(NodeOutcome::status).contains(Status.ACQUIRED, Status.ACQUIRED);
		assertThat(this.nodes.get(0).tryAcquire(List.of("k"), "probe", 10_000)).as("held by t1").isFalse();
	}

	@Test
	void fencedAttemptShouldBeGrantedWithItsTokenRecordedOnTheNodes() {
		AttemptLoop loop = loop(true, 0);
		this.nodes.get(0).raiseFencingCounters(java.util.Map.of(KeySpace.counterKey("k"), 41L));
		driver(loop, true).attempt();
		assertThat(this.told.token()).isEqualTo("t1");
		assertThat(loop.fence()).as("one above the highest counter a granting node read").isEqualTo(42);
		for (InMemoryLockNode node : this.nodes) {
			assertThat(node.tryAcquireFenced("k2", "x", 10_000, KeySpace.counterKey("k"))).as("recorded on %s", node.name())
				.isEqualTo(42);
		}
	}

	@Test
	void refusedAttemptShouldBeUndoneWhereItSetTheKeyThenRetried() {
		this.nodes.get(1).tryAcquire(List.of("k"), "other", 10_000);
		this.nodes.get(2).tryAcquire(List.of("k"), "other", 10_000);
		AttemptDriver driver = driver(loop(false, 10_000 * MS), false);
		driver.attempt();
		assertThat(this.told.token()).isNull();
		assertThat(this.told.failed()).isFalse();
		assertThat(this.told.retryDelay()).as("the retry delay and its jitter")
			.isBetween(this.settings.retryDelay().toNanos(),
					this.settings.retryDelay().plus(this.settings.retryJitter()).toNanos());
		assertThat(this.nodes.get(0).tryAcquire(List.of("k"), "probe", 10_000)).as("undone on node 0").isTrue();
		this.nodes.get(0).release(List.of("k"), "probe");
		this.nodes.get(1).release(List.of("k"), "other");
		driver.attempt();
		assertThat(this.told.token()).as("a fresh token per attempt").isEqualTo("t2");
	}

	@Test
	void refusedAttemptShouldFailOnceTheWaitIsSpent() {
		this.nodes.get(1).tryAcquire(List.of("k"), "other", 10_000);
		this.nodes.get(2).tryAcquire(List.of("k"), "other", 10_000);
		AttemptLoop loop = loop(false, 0);
		driver(loop, false).attempt();
		assertThat(this.told.failed()).isTrue();
		assertThat(this.told.outcomes()).extracting(NodeOutcome::status)
			.containsExactly(Status.ACQUIRED, Status.HELD_BY_OTHER, Status.HELD_BY_OTHER);
		assertThat(loop.reason()).isNotBlank();
		assertThat(this.told.retryDelay()).as("no retry").isZero();
	}

	/** What became of the last attempt. */
	private static final class Told implements AttemptDriver.Caller {

		private String token;

		private Round round;

		private boolean failed;

		private long retryDelay;

		private List<NodeOutcome> outcomes;

		@Override
		public void granted(String token, Round round) {
			this.token = token;
			this.round = round;
		}

		@Override
		public void failed(List<NodeOutcome> outcomes) {
			this.failed = true;
			this.outcomes = outcomes;
		}

		@Override
		public void retry(long delayNanos, List<NodeOutcome> outcomes) {
			this.retryDelay = delayNanos;
			this.outcomes = outcomes;
		}

		String token() {
			return this.token;
		}

		Round round() {
			return this.round;
		}

		boolean failed() {
			return this.failed;
		}

		long retryDelay() {
			return this.retryDelay;
		}

		List<NodeOutcome> outcomes() {
			return this.outcomes;
		}

	}

}
