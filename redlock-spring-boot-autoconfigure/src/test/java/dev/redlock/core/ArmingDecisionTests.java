package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The arming decision on fake nodes and a fake clock: when an unarmed node is armed at once, when
 * it waits the hold-out, and what it gets before it is armed. The same rules on real Redis:
 * {@code RestartGuardArmingTests}.
 */
class ArmingDecisionTests {

	private static final Duration HOLD_OUT = Duration.ofSeconds(10);

	private final AtomicLong clock = new AtomicLong(1_000_000_000L);

	private final List<FakeNode> nodes = new ArrayList<>();

	private Arming arming(int count) {
		for (int i = 0; i < count; i++) {
			this.nodes.add(new FakeNode("n" + i));
		}
		return new Arming(List.copyOf(this.nodes), this.nodes.toArray(ArmableNode[]::new), "p:", HOLD_OUT,
				this.clock::get);
	}

	private List<NodeStatus> probe(Duration uptime) {
		List<NodeStatus> statuses = new ArrayList<>();
		for (FakeNode node : this.nodes) {
			statuses.add(node.status(uptime));
		}
		return statuses;
	}

	private void advance(Duration duration) {
		this.clock.addAndGet(duration.toNanos());
	}

	@Test
	void freshDeploymentShouldBeArmedAtOnceAndRecordedEverywhere() {
		Arming arming = arming(3);
		assertThat(arming.armDue(probe(Duration.ZERO))).containsExactlyInAnyOrder(0, 1, 2);
		for (FakeNode node : this.nodes) {
			assertThat(node.marker).isEqualTo(node.runId);
			assertThat(node.registry).containsOnlyKeys("n0", "n1", "n2");
		}
	}

	@Test
	void nodeRestartedEmptyShouldWaitUntilItHasBeenUpForTheHoldOut() {
		Arming arming = arming(3);
		arming.armDue(probe(Duration.ZERO));
		this.nodes.get(0).restart();
		assertThat(arming.armDue(probe(Duration.ofSeconds(3)))).isEmpty();
		ArmingWaits.Wait wait = arming.waiting(0);
		assertThat(wait.reason()).contains("restarted empty after an earlier incarnation was armed");
		assertThat(Duration.ofNanos(wait.untilNanos() - this.clock.get())).as("10 s less 2 s proven up")
			.isEqualTo(Duration.ofSeconds(8));
		// a new engine, which never saw node 0 armed, reads the same from the other registries
		Arming stranger = new Arming(List.copyOf(this.nodes), this.nodes.toArray(ArmableNode[]::new), "p:", HOLD_OUT,
				this.clock::get);
		assertThat(stranger.armDue(probe(Duration.ofSeconds(3)))).isEmpty();
		assertThat(stranger.waiting(0).reason()).contains("restarted empty");
		assertThat(arming.armDue(probe(Duration.ofSeconds(11)))).containsExactly(0);
		assertThat(this.nodes.get(1).registry).containsEntry("n0", this.nodes.get(0).runId);
	}

	@Test
	void countersShouldBeRestoredFromTheArmedNodesBeforeArming() {
		Arming arming = arming(3);
		arming.armDue(probe(Duration.ZERO));
		this.nodes.get(1).counters.put("p:k:fencing", 7L);
		this.nodes.get(2).counters.put("p:k:fencing", 9L);
		this.nodes.get(0).restart();
		assertThat(arming.armDue(probe(Duration.ofSeconds(2)))).as("seen just restarted").isEmpty();
		assertThat(arming.armDue(probe(Duration.ofSeconds(12)))).containsExactly(0);
		assertThat(this.nodes.get(0).counters).containsEntry("p:k:fencing", 9L);
		assertThat(this.nodes.get(0).registry).as("merged from the others").containsKeys("n1", "n2");
	}

	@Test
	void newNodeJoiningArmedOnesShouldBeArmedAtOnce() {
		Arming first = arming(2);
		first.armDue(probe(Duration.ZERO));
		this.nodes.add(new FakeNode("n2"));
		Arming arming = new Arming(List.copyOf(this.nodes), this.nodes.toArray(ArmableNode[]::new), "p:", HOLD_OUT,
				this.clock::get);
		assertThat(arming.armDue(probe(Duration.ZERO))).as("two armed nodes can tell: no record of n2").containsExactly(2);
	}

	/** The set grows by {@code added} fresh nodes, seen by a new engine. */
	private Arming grown(int added) {
		for (int i = 0; i < added; i++) {
			this.nodes.add(new FakeNode("n" + this.nodes.size()));
		}
		return new Arming(List.copyOf(this.nodes), this.nodes.toArray(ArmableNode[]::new), "p:", HOLD_OUT,
				this.clock::get);
	}

	@Test
	void freshNodesAddedToOneUsedNodeShouldBeArmedAtOnceWhenEveryMemberAnswers() {
		arming(1).armDue(probe(Duration.ZERO));
		Arming arming = grown(2);
		assertThat(arming.armDue(probe(Duration.ZERO))).as("no member's registry names n1 or n2").containsExactly(1, 2);
	}

	@Test
	void freshNodesAddedToOneUsedNodeShouldWaitWhileAMemberDoesNotAnswer() {
		arming(1).armDue(probe(Duration.ZERO));
		Arming arming = grown(2);
		this.nodes.get(2).reachable = false;
		assertThat(arming.armDue(probe(Duration.ZERO))).isEmpty();
		assertThat(arming.waiting(1).reason()).contains("only 1 of the 2 armed nodes needed to tell answered");
	}

	@Test
	void restartedMemberAmongFreshOnesShouldWaitWhileTheFreshOnesAreArmed() {
		arming(3).armDue(probe(Duration.ZERO));
		this.nodes.get(1).restart();
		Arming arming = grown(2);
		assertThat(arming.armDue(probe(Duration.ofSeconds(2)))).containsExactly(3, 4);
		assertThat(arming.waiting(1).reason()).contains("restarted empty");
	}

	@Test
	void goneIncarnationShouldStaySuspectWhenTwoMembersAnswerWithOneRunId() {
		arming(3).armDue(probe(Duration.ZERO));
		this.nodes.get(1).restart();
		Arming arming = grown(2);
		// n4 is n3 under another name: then n1's gone incarnation may be either
		this.nodes.get(4).runId = this.nodes.get(3).runId;
		assertThat(arming.armDue(probe(Duration.ofSeconds(2)))).isEmpty();
		assertThat(arming.waiting(3).reason()).contains("a recorded incarnation is gone");
	}

	@Test
	void recordedIncarnationThatVanishedShouldMakeAnUnknownNodeWait() {
		Arming arming = arming(3);
		arming.armDue(probe(Duration.ZERO));
		this.nodes.get(1).registry.put("decommissioned:6379", "gone");
		this.nodes.get(2).restartWithoutRecord();
		assertThat(arming.armDue(probe(Duration.ofSeconds(2)))).isEmpty();
		assertThat(arming.waiting(2).reason()).contains("restarted empty");
		Arming stranger = new Arming(List.copyOf(this.nodes), this.nodes.toArray(ArmableNode[]::new), "p:", HOLD_OUT,
				this.clock::get);
		// what the first engine wrote of n2 is gone too
		this.nodes.forEach((node) -> node.registry.remove("n2"));
		assertThat(stranger.armDue(probe(Duration.ofSeconds(2)))).isEmpty();
		assertThat(stranger.waiting(2).reason()).contains("a recorded incarnation is gone")
			.contains("decommissioned:6379=gone");
	}

	@Test
	void nodeThatLostItsMarkerWithoutRestartingShouldWaitTheHoldOutFromWhenItWasSeen() {
		Arming arming = arming(3);
		arming.armDue(probe(Duration.ZERO));
		this.nodes.get(0).marker = null;
		assertThat(arming.armDue(probe(Duration.ofHours(1)))).isEmpty();
		assertThat(arming.waiting(0).reason()).contains("lost its data without restarting");
		advance(HOLD_OUT.minusSeconds(1));
		assertThat(arming.armDue(probe(Duration.ofHours(1)))).isEmpty();
		advance(Duration.ofSeconds(2));
		assertThat(arming.armDue(probe(Duration.ofHours(1)))).containsExactly(0);
	}

	@Test
	void replicaPromotedByAFailoverShouldWaitTheHoldOutThoughItWasUpLongBefore() {
		Arming arming = arming(3);
		arming.armDue(probe(Duration.ofHours(1)));
		// the replica has its former master's data, marker included, and a run id of its own
		FakeNode member = this.nodes.get(0);
		member.runId = "replica-run";
		assertThat(arming.armDue(probe(Duration.ofHours(2)))).isEmpty();
		assertThat(arming.waiting(0).reason()).contains("took over from another incarnation");
		advance(HOLD_OUT.minusSeconds(1));
		assertThat(arming.armDue(probe(Duration.ofHours(2)))).isEmpty();
		advance(Duration.ofSeconds(2));
		assertThat(arming.armDue(probe(Duration.ofHours(2)))).containsExactly(0);
		assertThat(member.marker).isEqualTo("replica-run");
	}

	/**
	 * Found by the 100M simulation (seed 20261201): a node restarted empty and was armed, then failed
	 * over to a replica that had not received the arming yet, nor a lock granted just before; the
	 * replica, up for long, had no marker and was taken for a node restarted long ago, armed at once,
	 * and granted the lock to another engine while its holder still held it on two other nodes.
	 */
	@Test
	void replicaPromotedWithoutTheMarkerShouldWaitTheHoldOutFromWhenItWasSeen() {
		Arming arming = arming(3);
		arming.armDue(probe(Duration.ofHours(1)));
		FakeNode member = this.nodes.get(0);
		member.runId = "replica-run";
		member.marker = null;
		assertThat(arming.armDue(probe(Duration.ofHours(2)))).isEmpty();
		assertThat(arming.waiting(0).reason()).contains("without its arming marker");
		// so does an engine that never saw the node armed: the other registries name its former incarnation
		Arming stranger = new Arming(List.copyOf(this.nodes), this.nodes.toArray(ArmableNode[]::new), "p:", HOLD_OUT,
				this.clock::get);
		assertThat(stranger.armDue(probe(Duration.ofHours(2)))).isEmpty();
		advance(HOLD_OUT.minusSeconds(1));
		assertThat(arming.armDue(probe(Duration.ofHours(2)))).isEmpty();
		advance(Duration.ofSeconds(2));
		assertThat(arming.armDue(probe(Duration.ofHours(2)))).containsExactly(0);
		assertThat(member.marker).isEqualTo("replica-run");
	}

	@Test
	void nodeBeingArmedByAnotherEngineShouldNotBeTakenForAFlushedOne() {
		Arming arming = arming(3);
		for (FakeNode node : this.nodes) {
			node.registry.put("n0", this.nodes.get(0).runId);
		}
		this.nodes.get(0).ticket = "theirs";
		assertThat(arming.armDue(probe(Duration.ZERO))).doesNotContain(0);
		assertThat(arming.waiting(0).reason()).isEqualTo("being armed by another instance");
		advance(HOLD_OUT.minusSeconds(1));
		assertThat(arming.armDue(probe(Duration.ZERO))).doesNotContain(0);
		assertThat(arming.waiting(0).reason()).isEqualTo("being armed by another instance");
	}

	/**
	 * An instance that stopped mid-arming (killed, or a node that does not end tickets) leaves its
	 * ticket: a hold-out after it was first seen, the others arm the node without it.
	 */
	@Test
	void ticketLeftByAnInstanceThatStoppedShouldBeTakenOverAfterTheHoldOut() {
		Arming arming = arming(3);
		arming.armDue(probe(Duration.ZERO));
		FakeNode restarted = this.nodes.get(0);
		restarted.restart();
		this.nodes.forEach((node) -> node.registry.put("n0", restarted.runId));
		restarted.ticket = "left by a killed instance";
		assertThat(arming.armDue(probe(Duration.ofSeconds(12)))).isEmpty();
		assertThat(arming.waiting(0).reason()).isEqualTo("being armed by another instance");
		advance(HOLD_OUT);
		assertThat(arming.armDue(probe(Duration.ofSeconds(22)))).containsExactly(0);
		assertThat(restarted.marker).isEqualTo(restarted.runId);
	}

	/** The hold-out before a takeover counts from when a ticket was seen after none was. */
	@Test
	void ticketSeenAgainAfterOneEndedShouldBeWaitedForAfresh() {
		Arming arming = arming(3);
		arming.armDue(probe(Duration.ZERO));
		FakeNode restarted = this.nodes.get(0);
		restarted.restart();
		this.nodes.forEach((node) -> node.registry.put("n0", restarted.runId));
		restarted.ticket = "an arming that ended";
		assertThat(arming.armDue(probe(Duration.ofSeconds(12)))).isEmpty();
		restarted.ticket = null;
		assertThat(arming.armDue(probe(Duration.ofSeconds(13)))).as("its own hold-out still runs").isEmpty();
		advance(HOLD_OUT);
		restarted.ticket = "another instance arming it now";
		assertThat(arming.armDue(probe(Duration.ofSeconds(23)))).as("a new arming: waited for").isEmpty();
		assertThat(arming.waiting(0).reason()).isEqualTo("being armed by another instance");
		assertThat(restarted.ticket).isEqualTo("another instance arming it now");
	}

	/** Two engines of 5 armed nodes, both of which saw node 0 restart empty 3 s ago. */
	private Arming[] twoEnginesSawNodeZeroRestart() {
		Arming arming = arming(5);
		arming.armDue(probe(Duration.ZERO));
		Arming other = grown(0);
		other.armDue(probe(Duration.ZERO));
		this.nodes.get(0).restart();
		assertThat(arming.armDue(probe(Duration.ofSeconds(3)))).isEmpty();
		assertThat(other.armDue(probe(Duration.ofSeconds(3)))).isEmpty();
		return new Arming[] { arming, other };
	}

	/**
	 * Two engines arm the same restarted node at once: B's ticket replaces A's, so A's last step
	 * fails, and B gives up (too few sources answered it). B ends its ticket, so that neither waits
	 * for an arming nobody is doing: the node is armed at the next look, not when the ticket
	 * expires.
	 */
	@Test
	void armingAbandonedByAnotherEngineShouldNotKeepTheNodeWaiting() {
		Arming[] engines = twoEnginesSawNodeZeroRestart();
		Arming arming = engines[0];
		Arming other = engines[1];
		FakeNode restarted = this.nodes.get(0);
		advance(HOLD_OUT);
		restarted.afterBeginArming = () -> {
			// B decides before A records, then two sources stop answering B's restore
			List<NodeStatus> probed = probe(Duration.ofSeconds(13));
			this.nodes.get(2).reachable = false;
			this.nodes.get(3).reachable = false;
			assertThat(other.armDue(probed)).isEmpty();
			assertThat(other.waiting(0).reason()).contains("restored its fencing counters from 2 of the 3");
			this.nodes.get(2).reachable = true;
			this.nodes.get(3).reachable = true;
		};
		assertThat(arming.armDue(probe(Duration.ofSeconds(13)))).as("B's ticket replaced A's").isEmpty();
		assertThat(restarted.ticket).as("ended by the engine that gave up").isNull();
		assertThat(arming.armDue(probe(Duration.ofSeconds(13)))).containsExactly(0);
		assertThat(restarted.marker).isEqualTo(restarted.runId);
	}

	/**
	 * Two engines probe a restarted node at once; one arms it while the other still decides on
	 * its probe. The other finds the incarnation recorded and no ticket: the node is armed, not
	 * flushed, and it is not armed again (which, two hold-outs after it was first seen unarmed and
	 * with sources gone meanwhile, warned that fencing tokens may repeat).
	 */
	@Test
	void nodeArmedByAnotherEngineSinceTheProbeShouldNotBeArmedAgain() {
		Arming[] engines = twoEnginesSawNodeZeroRestart();
		Arming arming = engines[0];
		Arming other = engines[1];
		FakeNode restarted = this.nodes.get(0);
		advance(HOLD_OUT.multipliedBy(2));
		List<NodeStatus> sameProbe = probe(Duration.ofSeconds(23));
		assertThat(other.armDue(sameProbe)).containsExactly(0);
		int armings = restarted.armingsBegun;
		this.nodes.get(2).reachable = false;
		this.nodes.get(3).reachable = false;
		assertThat(arming.armDue(sameProbe)).as("armed meanwhile").containsExactly(0);
		assertThat(arming.waiting(0)).isNull();
		assertThat(restarted.armingsBegun).as("not armed again").isEqualTo(armings);
		assertThat(arming.armDue(probe(Duration.ofSeconds(23)))).as("seen armed, as armed").isEmpty();
	}

	@Test
	void tooFewArmedNodesToRestoreFromShouldKeepARestartedNodeWaiting() {
		Arming arming = arming(5);
		arming.armDue(probe(Duration.ZERO));
		this.nodes.get(0).restart();
		this.nodes.get(2).reachable = false;
		this.nodes.get(3).reachable = false;
		assertThat(arming.armDue(probe(Duration.ofSeconds(2)))).as("seen just restarted").isEmpty();
		assertThat(arming.armDue(probe(Duration.ofSeconds(12)))).isEmpty();
		assertThat(arming.waiting(0).reason()).contains("waits for 3 armed nodes").contains("2 answered");
		assertThat(arming.armDue(probe(Duration.ofSeconds(21)))).as("after one more hold-out: armed as it is")
			.containsExactly(0);
	}

	/** An armable node in memory. */
	private static final class FakeNode implements AgreeingNode, ArmableNode {

		private static int runs;

		private final String name;

		String runId = "run-" + (++runs);

		String marker;

		String ticket;

		boolean reachable = true;

		int armingsBegun;

		/** Runs once, when {@link #beginArming} has set its ticket. */
		Runnable afterBeginArming;

		final Map<String, String> registry = new LinkedHashMap<>();

		final Map<String, Long> counters = new HashMap<>();

		FakeNode(String name) {
			this.name = name;
		}

		void restart() {
			this.runId = "run-" + (++runs);
			this.marker = null;
			this.ticket = null;
			this.registry.clear();
			this.counters.clear();
		}

		void restartWithoutRecord() {
			restart();
		}

		NodeStatus status(Duration uptime) {
			if (!this.reachable) {
				return NodeStatus.unreachable(this.name, "down");
			}
			boolean armed = this.runId.equals(this.marker);
			return new NodeStatus(this.name, true, armed, Duration.ZERO, "7.0", "master", uptime, this.runId, "", false,
					null, armed);
		}

		@Override
		public String name() {
			return this.name;
		}

		@Override
		public void requireArming(Keys keys) {
		}

		@Override
		public String beginArming() {
			this.armingsBegun++;
			this.ticket = "t-" + this.runId + "-" + this.armingsBegun;
			String ticket = this.ticket;
			Runnable hook = this.afterBeginArming;
			this.afterBeginArming = null;
			if (hook != null) {
				hook.run();
			}
			return ticket;
		}

		@Override
		public void abandonArming(String ticket) {
			if (ticket.equals(this.ticket)) {
				this.ticket = null;
			}
		}

		@Override
		public String armedIncarnation() {
			return this.marker;
		}

		@Override
		public boolean isBeingArmed() {
			return this.ticket != null;
		}

		@Override
		public boolean arm(String ticket, String runId) {
			if (!ticket.equals(this.ticket)) {
				return false;
			}
			this.ticket = null;
			this.marker = runId;
			return true;
		}

		@Override
		public Map<String, String> readRegistry() {
			requireReachable();
			return new LinkedHashMap<>(this.registry);
		}

		@Override
		public void writeRegistry(Map<String, String> entries, boolean overwrite) {
			requireReachable();
			entries.forEach((name, runId) -> {
				if (overwrite) {
					this.registry.put(name, runId);
				}
				else {
					this.registry.putIfAbsent(name, runId);
				}
			});
		}

		@Override
		public boolean readFencingCounters(String prefix, String suffix, Consumer<Map<String, Long>> batch) {
			requireReachable();
			batch.accept(new HashMap<>(this.counters));
			return this.marker != null;
		}

		@Override
		public void raiseFencingCounters(Map<String, Long> counters) {
			counters.forEach((key, value) -> this.counters.merge(key, value, Math::max));
		}

		private void requireReachable() {
			if (!this.reachable) {
				throw new NodeFailure(NodeFailure.Kind.REFUSED, "down", null);
			}
		}

	}

}
