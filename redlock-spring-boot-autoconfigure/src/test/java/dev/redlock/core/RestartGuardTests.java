package dev.redlock.core;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The restart guard on made-up probes and times (nanoseconds): hold-outs after a restart, the
 * suspicion a failed call raises until the next probe, the soonest time a node counts
 * ({@code countsAt}), and the first sight of an armed node against a node that cannot be armed.
 * The same rules on real Redis: {@code RestartGuardArmingTests}.
 */
class RestartGuardTests {

	private static final long MS = 1_000_000L;

	private static final long SECOND = 1_000 * MS;

	private static final Duration HOLD_OUT = Duration.ofSeconds(10);

	private static final long INTERVAL = SECOND;

	private final long start = 7 * SECOND;

	private final RestartGuard guard = new RestartGuard(HOLD_OUT, Duration.ofNanos(INTERVAL), 3, this.start);

	private static NodeStatus up(String runId, long uptimeSeconds, Boolean armed) {
		return new NodeStatus("n", true, !Boolean.FALSE.equals(armed), Duration.ofMillis(1), "7.0", "master",
				Duration.ofSeconds(uptimeSeconds), runId, Boolean.FALSE.equals(armed) ? "not armed yet: waits" : "", false,
				null, armed);
	}

	private void observe(int index, NodeStatus status, boolean armable, long now) {
		this.guard.observe(index, status, armable, now, now, this.guard.failureCount(index));
	}

	@Test
	void nodeNotProbedYetShouldNotCountBeforeTheFirstProbe() {
		assertThat(this.guard.heldOut(0, this.start)).isEqualTo("not probed yet");
		assertThat(this.guard.countsAt(0, this.start)).isEqualTo(this.start + INTERVAL);
		assertThat(this.guard.countsAt(0, this.start + 5 * SECOND)).as("a probe is overdue: at the soonest now")
			.isEqualTo(this.start + 5 * SECOND);
	}

	@Test
	void firstSightOfAnArmedNodeShouldCountAtOnceWhateverItsUptime() {
		observe(0, up("a", 2, true), true, this.start);
		assertThat(this.guard.heldOut(0, this.start)).as("its marker says an engine judged it may count").isNull();
		assertThat(this.guard.countsAt(0, this.start)).isEqualTo(this.start);
	}

	@Test
	void firstSightOfANodeThatCannotBeArmedShouldHoldItOutUntilItIsProvenUpForTheHoldOut() {
		observe(0, up("a", 4, null), false, this.start);
		// 4 s reported proves 3 s: held out for 7 s more
		assertThat(this.guard.heldOut(0, this.start)).isEqualTo("restarted less than 10s ago; held out of the quorum "
				+ "for 7000ms more");
		assertThat(this.guard.countsAt(0, this.start)).isEqualTo(this.start + 7 * SECOND);
		assertThat(this.guard.heldOut(0, this.start + 7 * SECOND - 1)).isNotNull();
		assertThat(this.guard.heldOut(0, this.start + 7 * SECOND)).isNull();
		observe(1, up("b", 11, null), false, this.start);
		assertThat(this.guard.heldOut(1, this.start)).as("up long enough").isNull();
	}

	@Test
	void restartSeenAsANewRunIdShouldHoldOutEvenAnArmedNode() {
		observe(0, up("a", 100, true), true, this.start);
		long probe = this.start + SECOND;
		observe(0, up("a2", 1, true), true, probe);
		assertThat(this.guard.heldOut(0, probe)).startsWith("restarted less than 10s ago")
			.endsWith("for 10000ms more");
		long later = probe + 4 * SECOND;
		observe(0, up("a2", 5, true), true, later);
		assertThat(this.guard.heldOut(0, later)).as("the same run keeps its hold-out").endsWith("for 6000ms more");
		assertThat(this.guard.countsAt(0, later)).isEqualTo(probe + 10 * SECOND);
		assertThat(this.guard.heldOut(0, probe + 10 * SECOND)).isNull();
	}

	@Test
	void failedCallShouldHoldTheNodeOutUntilTheNextProbeHasSeenIt() {
		observe(0, up("a", 100, true), true, this.start);
		long failedAt = this.start + 300 * MS;
		this.guard.suspect(0);
		assertThat(this.guard.heldOut(0, failedAt)).isEqualTo("failed since its last probe; counts again once a probe "
				+ "has seen it");
		assertThat(this.guard.countsAt(0, failedAt)).as("the next probe").isEqualTo(this.start + INTERVAL);
		observe(0, up("a", 101, true), true, this.start + INTERVAL);
		assertThat(this.guard.heldOut(0, this.start + INTERVAL)).isNull();
	}

	@Test
	void failureWhileTheProbeRanShouldKeepTheNodeSuspect() {
		observe(0, up("a", 100, true), true, this.start);
		long before = this.guard.failureCount(0);
		this.guard.suspect(0);
		// the probe's answer may predate a restart that the failure reveals
		this.guard.observe(0, up("a", 101, true), true, this.start + INTERVAL, this.start + INTERVAL, before);
		assertThat(this.guard.heldOut(0, this.start + INTERVAL)).startsWith("failed since its last probe");
		observe(0, up("a", 102, true), true, this.start + 2 * INTERVAL);
		assertThat(this.guard.heldOut(0, this.start + 2 * INTERVAL)).isNull();
	}

	@Test
	void unreachableNodeShouldStaySuspectAndKeepItsRun() {
		observe(0, up("a", 100, true), true, this.start);
		observe(0, NodeStatus.unreachable("n", "refused"), true, this.start + INTERVAL);
		assertThat(this.guard.heldOut(0, this.start + INTERVAL)).startsWith("failed since its last probe");
		observe(0, up("a", 102, true), true, this.start + 2 * INTERVAL);
		assertThat(this.guard.heldOut(0, this.start + 2 * INTERVAL)).as("same run id: no restart").isNull();
		observe(1, NodeStatus.unreachable("n", "refused"), true, this.start);
		assertThat(this.guard.heldOut(1, this.start)).as("never seen up").startsWith("failed since its last probe");
	}

	@Test
	void unarmedNodeShouldBeHeldOutWithItsReasonUntilItMayBeArmed() {
		long armableAt = this.start + 4 * SECOND;
		this.guard.observe(0, up("a", 3, false), true, armableAt, this.start, this.guard.failureCount(0));
		assertThat(this.guard.heldOut(0, this.start)).isEqualTo("not armed yet: waits");
		assertThat(this.guard.countsAt(0, this.start)).isEqualTo(armableAt);
		this.guard.observe(0, up("a", 3, false), true, this.start, this.start, this.guard.failureCount(0));
		assertThat(this.guard.countsAt(0, this.start)).as("due now: armed at the next probe at the soonest")
			.isEqualTo(this.start + INTERVAL);
	}

	@Test
	void nodeThatDoesNotTellItsRunIdShouldCountUnlessItFailedMeanwhile() {
		NodeStatus silent = new NodeStatus("n", true, true, Duration.ofMillis(1), null, null, null, null, "", false,
				null, null);
		observe(0, silent, false, this.start);
		assertThat(this.guard.heldOut(0, this.start)).as("restarts cannot be seen").isNull();
		long before = this.guard.failureCount(0);
		this.guard.suspect(0);
		this.guard.observe(0, silent, false, this.start + INTERVAL, this.start + INTERVAL, before);
		assertThat(this.guard.heldOut(0, this.start + INTERVAL)).startsWith("failed since its last probe");
	}

	@Test
	void reasonsShouldBeListedPerNode() {
		observe(0, up("a", 100, true), true, this.start);
		observe(1, up("b", 2, null), false, this.start);
		assertThat(this.guard.heldOut(this.start)).hasSize(3).satisfiesExactly((first) -> assertThat(first).isNull(),
				(second) -> assertThat(second).startsWith("restarted less than 10s ago"),
				(third) -> assertThat(third).isEqualTo("not probed yet"));
	}

	@Test
	void reportedUptimeShouldProveOneSecondLess() {
		assertThat(RestartGuard.provenUptime(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(4));
		assertThat(RestartGuard.provenUptime(Duration.ofSeconds(1))).isZero();
		assertThat(RestartGuard.provenUptime(Duration.ZERO)).isZero();
	}

}
