package dev.redlock.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The engine's tunables. Every default lives in {@link #defaults()}.
 *
 * @param leaseTime how long a lock lives on a node before Redis expires it, unless released or
 * extended; the default for acquisitions that do not name one
 * @param waitTime how long an acquisition keeps retrying before it gives up; zero means one
 * attempt
 * @param retryDelay the pause between two attempts
 * @param retryJitter the upper bound of a random delay added to {@code retryDelay}, so that
 * contending clients do not retry in lock step
 * @param nodeTimeout how long one node may take to answer one command; far below the lease time
 * @param driftFactor the share of the lease time assumed lost to clock drift between client and
 * nodes, in {@code [0, 1)}
 * @param keyPrefix the prefix of every lock key in Redis
 * @param renewal whether leases are renewed while held (requests may opt out, not in)
 * @param maxHoldTime the default longest time a lease is renewed
 * @param interruptOnLoss whether the thread that acquired a lock is interrupted when the lock is
 * lost while held
 */
public record RedlockSettings(Duration leaseTime, Duration waitTime, Duration retryDelay, Duration retryJitter,
		Duration nodeTimeout, double driftFactor, String keyPrefix, boolean renewal, Duration maxHoldTime,
		boolean interruptOnLoss) {

	/** The default longest time a lease is renewed. */
	public static final Duration DEFAULT_MAX_HOLD_TIME = Duration.ofMinutes(30);

	/** Added to the drift of every validity computation, as in the Redlock specification. */
	static final long FIXED_DRIFT_NANOS = Duration.ofMillis(2).toNanos();

	/**
	 * Validates every setting.
	 * @param leaseTime the lease time
	 * @param waitTime the wait time
	 * @param retryDelay the retry delay
	 * @param retryJitter the retry jitter
	 * @param nodeTimeout the node timeout
	 * @param driftFactor the drift factor
	 * @param keyPrefix the key prefix
	 * @param renewal whether leases are renewed
	 * @param maxHoldTime the default longest renewal
	 * @param interruptOnLoss whether holders are interrupted when their lock is lost
	 * @throws InvalidSettingException naming the first setting at fault
	 */
	public RedlockSettings {
		requirePositive("leaseTime", leaseTime);
		requireNotNegative("waitTime", waitTime);
		requireNotNegative("retryDelay", retryDelay);
		requireNotNegative("retryJitter", retryJitter);
		requirePositive("nodeTimeout", nodeTimeout);
		if (nodeTimeout.compareTo(leaseTime) >= 0) {
			throw new InvalidSettingException("nodeTimeout", nodeTimeout,
					"must be far below the lease time (" + leaseTime + "), e.g. 50ms for a 30s lease");
		}
		if (!(driftFactor >= 0 && driftFactor < 1)) {
			throw new InvalidSettingException("driftFactor", driftFactor,
					"must be at least 0 and below 1; 0.01 assumes clocks drift by at most 1% of the lease time");
		}
		Objects.requireNonNull(keyPrefix, "keyPrefix");
		requirePositive("maxHoldTime", maxHoldTime);
	}

	/**
	 * Settings with renewal on, a 30 minute maximum hold time and no interruption on loss.
	 * @param leaseTime the lease time
	 * @param waitTime the wait time
	 * @param retryDelay the retry delay
	 * @param retryJitter the retry jitter
	 * @param nodeTimeout the node timeout
	 * @param driftFactor the drift factor
	 * @param keyPrefix the key prefix
	 */
	public RedlockSettings(Duration leaseTime, Duration waitTime, Duration retryDelay, Duration retryJitter,
			Duration nodeTimeout, double driftFactor, String keyPrefix) {
		this(leaseTime, waitTime, retryDelay, retryJitter, nodeTimeout, driftFactor, keyPrefix, true,
				DEFAULT_MAX_HOLD_TIME, false);
	}

	/**
	 * The defaults: 30 s lease, 3 s wait, 50 ms retry delay plus up to 50 ms jitter, 100 ms node
	 * timeout, 1% drift, key prefix {@code redlock:}, renewal on for at most 30 minutes, no
	 * interruption on loss.
	 * @return the default settings
	 */
	public static RedlockSettings defaults() {
		return new RedlockSettings(Duration.ofSeconds(30), Duration.ofSeconds(3), Duration.ofMillis(50),
				Duration.ofMillis(50), Duration.ofMillis(100), 0.01, "redlock:");
	}

	/**
	 * Checks a lease time given for one acquisition.
	 * @param name the name to report, such as {@code leaseTime}
	 * @param leaseTime the lease time
	 * @return the lease time
	 */
	public static Duration requirePositive(String name, Duration leaseTime) {
		if (leaseTime == null || leaseTime.isNegative() || leaseTime.isZero()) {
			throw new InvalidSettingException(name, leaseTime, "must be a positive duration, such as 30s");
		}
		return leaseTime;
	}

	/**
	 * Checks a wait time or delay given for one acquisition.
	 * @param name the name to report, such as {@code waitTime}
	 * @param duration the duration
	 * @return the duration
	 */
	public static Duration requireNotNegative(String name, Duration duration) {
		if (duration == null || duration.isNegative()) {
			throw new InvalidSettingException(name, duration, "must be zero or a positive duration, such as 5s");
		}
		return duration;
	}

	/**
	 * The validity drift for a lease: {@code lease × driftFactor + 2 ms}.
	 * @param leaseNanos the lease in nanoseconds
	 * @return the drift in nanoseconds
	 */
	long driftNanos(long leaseNanos) {
		return (long) (leaseNanos * this.driftFactor) + FIXED_DRIFT_NANOS;
	}

}
