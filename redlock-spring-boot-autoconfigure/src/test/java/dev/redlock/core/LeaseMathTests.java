package dev.redlock.core;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lease arithmetic on made-up times (nanoseconds): validity, the verdict on an extension, and
 * the renewal plan.
 */
class LeaseMathTests {

	private static final long MS = 1_000_000L;

	private final RedlockSettings settings = new RedlockSettings(Duration.ofSeconds(10), Duration.ZERO, Duration.ZERO,
			Duration.ZERO, Duration.ofMillis(100), 0.01, "");

	@Test
	void validityShouldBeTheLeaseLessDriftAndTwoMilliseconds() {
		assertThat(LeaseMath.validUntil(1_000 * MS, 10_000 * MS, this.settings)).isEqualTo((1_000 + 10_000 - 100 - 2) * MS);
	}

	@Test
	void extensionShouldCountOnlyWithAQuorumBeforeBothDeadlines() {
		long validUntil = 5_000 * MS;
		long candidate = 9_000 * MS;
		assertThat(LeaseMath.judge(3, 0, 3, 5, 4_000 * MS, validUntil, candidate)).isEqualTo(LeaseMath.Extended.YES);
		assertThat(LeaseMath.judge(2, 0, 3, 5, 4_000 * MS, validUntil, candidate)).isEqualTo(LeaseMath.Extended.NO);
		assertThat(LeaseMath.judge(3, 0, 3, 5, 5_000 * MS, validUntil, candidate)).as("answered after the old validity")
			.isEqualTo(LeaseMath.Extended.NO);
		assertThat(LeaseMath.judge(3, 0, 3, 5, 9_500 * MS, 10_000 * MS, candidate)).as("after the new one")
			.isEqualTo(LeaseMath.Extended.NO);
		assertThat(LeaseMath.judge(2, 3, 3, 5, 4_000 * MS, validUntil, candidate)).as("a majority no longer holds it")
			.isEqualTo(LeaseMath.Extended.REFUSED);
		assertThat(LeaseMath.judge(2, 2, 3, 5, 4_000 * MS, validUntil, candidate)).as("a minority refused")
			.isEqualTo(LeaseMath.Extended.NO);
	}

	@Test
	void failedExtensionShouldOnlyEverShortenTheValidity() {
		assertThat(LeaseMath.afterFailedExtension(5_000 * MS, 3_000 * MS)).isEqualTo(3_000 * MS);
		assertThat(LeaseMath.afterFailedExtension(5_000 * MS, 9_000 * MS)).isEqualTo(5_000 * MS);
	}

	@Test
	void renewalShouldAskForTheLeaseUntilTheMaximumHoldTime() {
		long acquired = 0;
		long maxHold = 60_000 * MS;
		long lease = 30_000 * MS;
		assertThat(LeaseMath.renewalLease(10_000 * MS, 25_000 * MS, acquired, maxHold, lease)).isEqualTo(lease);
		assertThat(LeaseMath.renewalLease(40_000 * MS, 55_000 * MS, acquired, maxHold, lease)).as("capped at max hold")
			.isEqualTo(20_000 * MS);
		assertThat(LeaseMath.renewalLease(50_000 * MS, 65_000 * MS, acquired, maxHold, lease)).as("max hold reached")
			.isEqualTo(-1);
		assertThat(LeaseMath.renewalLease(30_000 * MS, 30_000 * MS, acquired, maxHold, lease)).as("validity over")
			.isZero();
	}

	@Test
	void aKeptLeaseShouldBeRenewedInStepsOfTheTtlUntilTheHoldEnds() {
		long holdUntil = 60_000 * MS;
		long step = 30_000 * MS;
		// told until: the last step's start plus its lease; valid until: a little earlier (drift)
		assertThat(LeaseMath.keptLease(10_000 * MS, 29_000 * MS, 30_000 * MS, holdUntil, step)).isEqualTo(step);
		assertThat(LeaseMath.keptLease(40_000 * MS, 54_000 * MS, 55_000 * MS, holdUntil, step))
			.as("the last step cut to end at the hold's end")
			.isEqualTo(20_000 * MS);
		assertThat(LeaseMath.keptLease(40_000 * MS, 59_000 * MS, 60_000 * MS - 1, holdUntil, step))
			.as("under a millisecond left to tell: no step")
			.isEqualTo(-1);
		assertThat(LeaseMath.keptLease(50_000 * MS, 64_000 * MS, 65_000 * MS, holdUntil, step))
			.as("the TTL told reaches the hold's end")
			.isEqualTo(-1);
		assertThat(LeaseMath.keptLease(30_000 * MS, 30_000 * MS, 31_000 * MS, holdUntil, step)).as("validity over")
			.isZero();
	}

	@Test
	void aRenewedLockShouldBeHeldToItsMaximumHoldTimeOrItsLeaseWhicheverIsLater() {
		assertThat(LeaseMath.holdUntil(10 * MS, true, 60 * MS)).isEqualTo(60 * MS);
		assertThat(LeaseMath.holdUntil(90 * MS, true, 60 * MS)).isEqualTo(90 * MS);
		assertThat(LeaseMath.holdUntil(10 * MS, false, 60 * MS)).as("not renewed: the lease asked for")
			.isEqualTo(10 * MS);
	}

	@Test
	void retryShouldComeWithinTheValidityAndANodeTimeout() {
		assertThat(LeaseMath.retryDelay(1_000 * MS, 5_000 * MS, 100 * MS)).isEqualTo(100 * MS);
		assertThat(LeaseMath.retryDelay(4_950 * MS, 5_000 * MS, 100 * MS)).isEqualTo(50 * MS);
		assertThat(LeaseMath.retryDelay(5_000 * MS, 5_000 * MS, 100 * MS)).isEqualTo(-1);
	}

}
