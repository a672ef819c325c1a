package dev.redlock.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The split-vote gate, driven through a {@link FanOut} over fake nodes with a direct executor and a
 * fake clock: after a split vote the first node is asked alone, before the round; a refused
 * contender's head start is two of that node's round trips within [100 µs, node timeout / 4];
 * a slow first node is not waited for.
 */
class SplitVoteGateTests {

	private static final long MS = 1_000_000L;

	private static final long TIMEOUT = 100 * MS;

	private final AtomicLong clock = new AtomicLong(5_000 * MS);

	/** The nodes called, in order. */
	private final List<Integer> calls = new ArrayList<>();

	private final List<FakeNode> nodes = new ArrayList<>();

	private FanOut fanOut;

	private SplitVoteGate gate;

	private void nodes(Boolean... answers) {
		for (int i = 0; i < answers.length; i++) {
			this.nodes.add(new FakeNode(i, answers[i]));
		}
		List<LockNode> list = List.copyOf(this.nodes);
		this.fanOut = new FanOut(list, Runnable::run, TIMEOUT, new NodeCallListener() {

			@Override
			public void answered(int index) {
			}

			@Override
			public void failed(int index, NodeOutcome outcome, Throwable error) {
			}

		}, this.clock::get);
		this.gate = new SplitVoteGate(this.fanOut, list.size());
	}

	/** The call the gate hands on, which on threads it has done by the time it returns. */
	private NodeCall attempt(NodeCall acquire, boolean splitVote) {
		NodeCall[] call = new NodeCall[1];
		this.gate.attempt(acquire, splitVote, (sent) -> call[0] = sent);
		return call[0];
	}

	private static final NodeCall ACQUIRE = (index, node) -> node.tryAcquire(List.of("k"), "token", 1_000);

	/** Rounds until the first node's recent latency is about {@code nanos}. */
	private void teachFirstNodeLatency(long nanos) {
		this.nodes.get(0).latency = nanos;
		for (int i = 0; i < 80; i++) {
			this.fanOut.run(ACQUIRE, FanOut.ALL, null);
		}
		this.calls.clear();
	}

	@Test
	void afterASplitVoteTheFirstNodeShouldBeAskedAloneBeforeTheRound() {
		nodes(false, true, true, true, true);
		NodeCall gated = attempt(ACQUIRE, true);
		assertThat(this.calls).as("asked before the round starts").containsExactly(0);
		Round round = this.fanOut.run(gated, 3, null);
		assertThat(this.calls).as("its answer is not asked for again").containsExactly(0, 1, 2, 3, 4);
		assertThat(round.outcomes()).extracting(NodeOutcome::status)
			.containsExactly(Status.HELD_BY_OTHER, Status.ACQUIRED, Status.ACQUIRED, Status.ACQUIRED, Status.ACQUIRED);
	}

	@Test
	void failureOfTheFirstNodeShouldBeItsOutcomeAndTheOthersStillAsked() {
		nodes(null, true, true);
		Round round = this.fanOut.run(attempt(ACQUIRE, true), 2, null);
		assertThat(this.calls).containsExactly(0, 1, 2);
		assertThat(round.outcomes()).extracting(NodeOutcome::status)
			.containsExactly(Status.FAILED, Status.ACQUIRED, Status.ACQUIRED);
		assertThat(round.outcomes().get(0).detail()).isEqualTo("node 0 is down");
	}

	@Test
	void withoutASplitVoteOrWithOneNodeThereShouldBeNoGate() {
		nodes(true, true, true);
		assertThat(attempt(ACQUIRE, false)).isSameAs(ACQUIRE);
		assertThat(this.calls).isEmpty();
		assertThat(SplitVoteGate.gates(true, 1, 0, TIMEOUT)).isFalse();
		assertThat(SplitVoteGate.gates(true, 3, 0, TIMEOUT)).isTrue();
	}

	@Test
	void slowFirstNodeShouldNotBeWaitedForAlone() {
		nodes(true, true, true);
		teachFirstNodeLatency(30 * MS);
		assertThat(this.fanOut.recentLatencyNanos(0)).isGreaterThan(TIMEOUT / 4);
		assertThat(attempt(ACQUIRE, true)).as("all nodes at once").isSameAs(ACQUIRE);
		assertThat(this.calls).isEmpty();
		teachFirstNodeLatency(20 * MS);
		assertThat(attempt(ACQUIRE, true)).as("a quarter of the timeout or less: gated").isNotSameAs(ACQUIRE);
		assertThat(this.calls).containsExactly(0);
	}

	@Test
	void headStartShouldBeTwoRoundTripsOfTheFirstNode() {
		nodes(false, true, true);
		assertThat(this.gate.headStartNanos()).as("no latency known yet: the least head start").isEqualTo(100_000);
		teachFirstNodeLatency(3 * MS);
		assertThat(this.gate.headStartNanos()).isBetween(2 * (3 * MS - 10_000), 6 * MS);
		teachFirstNodeLatency(20 * MS);
		assertThat(this.gate.headStartNanos()).as("at most a quarter of the node timeout").isEqualTo(TIMEOUT / 4);
	}

	@Test
	void headStartShouldStayWithinItsBounds() {
		assertThat(SplitVoteGate.headStartNanos(0, TIMEOUT)).isEqualTo(100_000);
		assertThat(SplitVoteGate.headStartNanos(30_000, TIMEOUT)).isEqualTo(100_000);
		assertThat(SplitVoteGate.headStartNanos(2 * MS, TIMEOUT)).isEqualTo(4 * MS);
		assertThat(SplitVoteGate.headStartNanos(40 * MS, TIMEOUT)).isEqualTo(25 * MS);
		assertThat(SplitVoteGate.headStartNanos(1 * MS, 200_000)).as("the cap wins over the floor").isEqualTo(50_000);
	}

	/** A node that answers {@code answer} ({@code null}: fails) and takes {@code latency} of the fake clock. */
	private final class FakeNode implements AgreeingNode {

		private final int index;

		private final Boolean answer;

		long latency;

		FakeNode(int index, Boolean answer) {
			this.index = index;
			this.answer = answer;
		}

		@Override
		public String name() {
			return "n" + this.index;
		}

		@Override
		public boolean tryAcquire(List<String> keys, String token, long ttlMillis) {
			SplitVoteGateTests.this.calls.add(this.index);
			SplitVoteGateTests.this.clock.addAndGet(this.latency);
			if (this.answer == null) {
				throw new NodeFailure(NodeFailure.Kind.IO, "node " + this.index + " is down", null);
			}
			return this.answer;
		}

	}

}
