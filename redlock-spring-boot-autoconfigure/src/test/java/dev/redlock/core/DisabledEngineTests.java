package dev.redlock.core;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.redlock.LockHandle;
import dev.redlock.LockRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * An engine with locking switched off takes no lock: two holders of one key run side by side, and
 * each handle stays usable until closed.
 */
class DisabledEngineTests {

	private final Redlock redlock = Redlock.disabled(RedlockSettings.defaults());

	@Test
	void twoHoldersOfOneKeyShouldBothGetAHandle() {
		assertThat(this.redlock.isEnabled()).isFalse();
		try (LockHandle first = this.redlock.acquire("k", Duration.ofSeconds(5), Duration.ZERO);
				LockHandle second = this.redlock.acquire("k", Duration.ofSeconds(5), Duration.ZERO)) {
			assertThat(first.isValid()).isTrue();
			assertThat(second.isValid()).isTrue();
			assertThat(first.key()).isEqualTo("redlock:k");
			assertThat(first.remaining()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(5));
			assertThat(first.extend(Duration.ofSeconds(20))).isTrue();
			assertThat(first.remaining()).isGreaterThan(Duration.ofSeconds(5));
			first.close();
			assertThat(first.isValid()).isFalse();
			assertThat(first.extend(Duration.ofSeconds(1))).isFalse();
		}
		assertThat(this.redlock.nodes()).isEmpty();
		assertThat(this.redlock.probe()).isEmpty();
		assertThat(this.redlock.heldLocks()).isEmpty();
	}

	@Test
	void fencingTokensShouldStillIncrease() {
		LockRequest fenced = LockRequest.of("k", Duration.ofSeconds(5), Duration.ZERO).withFencing(true);
		long first = this.redlock.acquire(fenced).fencingToken().getAsLong();
		long second = this.redlock.acquire(fenced).fencingToken().getAsLong();
		assertThat(second).isGreaterThan(first);
		assertThat(this.redlock.acquire("k", Duration.ofSeconds(5), Duration.ZERO).fencingToken()).isEmpty();
	}

	@Test
	void reservedKeyShouldStillBeRejected() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.redlock.acquire("k:fencing", Duration.ofSeconds(1), Duration.ZERO));
	}

}
