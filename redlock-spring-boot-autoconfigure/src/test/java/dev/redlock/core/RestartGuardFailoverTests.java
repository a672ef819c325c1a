package dev.redlock.core;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member whose run id changes to a process that was already up before the last probe (a replica
 * promoted by a failover) is held out for the whole hold-out from when the change is seen; a plain
 * restart is held out until it has been up for the hold-out. Made-up times.
 */
class RestartGuardFailoverTests {

	private static final long S = 1_000_000_000L;

	private final RestartGuard guard = new RestartGuard(Duration.ofSeconds(30), Duration.ofSeconds(1), 1, 0);

	private static NodeStatus status(String runId, Duration uptime) {
		return new NodeStatus("sentinel:orders", true, true, Duration.ZERO, "7.0", "master", uptime, runId, "", false,
				null, null);
	}

	@Test
	void failoverShouldBeHeldOutForTheHoldOutFromWhenItIsSeen() {
		this.guard.observe(0, status("master-run", Duration.ofHours(5)), false, 0, 100 * S, 0);
		assertThat(this.guard.heldOut(0, 100 * S)).as("up for hours, seen before: counts").isNull();
		this.guard.observe(0, status("replica-run", Duration.ofHours(3)), false, 0, 101 * S, 0);
		assertThat(this.guard.heldOut(0, 101 * S)).contains("held out of the quorum");
		assertThat(this.guard.heldOut(0, 130 * S)).isNotNull();
		assertThat(this.guard.heldOut(0, 131 * S)).isNull();
	}

	@Test
	void restartShouldBeHeldOutUntilItHasBeenUpForTheHoldOut() {
		this.guard.observe(0, status("first-run", Duration.ofHours(5)), false, 0, 100 * S, 0);
		this.guard.observe(0, status("second-run", Duration.ofSeconds(11)), false, 0, 112 * S, 0);
		// restarted 10 s ago (11 s reported, one less proven): 20 s left
		assertThat(this.guard.heldOut(0, 112 * S)).contains("20000ms more");
		assertThat(this.guard.heldOut(0, 132 * S)).isNull();
	}

}
