package dev.redlock.core;

/**
 * The arithmetic of a lease, on the engine's monotonic clock: how long a lock is valid, whether an
 * extension counts, and when and for how long a held lock is renewed. Pure functions, so each rule
 * is tested on its own with made-up times.
 */
final class LeaseMath {

	private static final long MILLI = 1_000_000L;

	private LeaseMath() {
	}

	/** What an extension round achieved. */
	enum Extended {

		/** A quorum set the new lease in time: the validity is the new one. */
		YES,

		/** Not enough nodes answered in time; the lock may still be held. */
		NO,

		/** A majority answered that the key is gone or another's: the lock is lost. */
		REFUSED

	}

	/**
	 * The validity deadline of a lease taken at {@code startNanos}:
	 * {@code start + lease − (lease × driftFactor + 2 ms)}.
	 */
	static long validUntil(long startNanos, long leaseNanos, RedlockSettings settings) {
		return startNanos + leaseNanos - settings.driftNanos(leaseNanos);
	}

	/**
	 * Judges an extension round.
	 * @param extended nodes that set the new lease
	 * @param refused nodes that answered that the key is absent or another's
	 * @param quorum how many must agree
	 * @param nodes how many there are
	 * @param now when the round ended
	 * @param validUntil the validity before the round
	 * @param candidate the validity the new lease gives, measured from the round's start
	 * @return the verdict
	 */
	static Extended judge(int extended, int refused, int quorum, int nodes, long now, long validUntil, long candidate) {
		if (extended >= quorum && now - validUntil < 0 && now - candidate < 0) {
			return Extended.YES;
		}
		return (refused > nodes - quorum) ? Extended.REFUSED : Extended.NO;
	}

	/**
	 * The validity after a failed extension: cut to what the new lease would give if that is
	 * shorter, since some nodes may have applied it.
	 */
	static long afterFailedExtension(long validUntil, long candidate) {
		return (candidate - validUntil < 0) ? candidate : validUntil;
	}

	/**
	 * The lease of the next renewal step of a lock renewed while its work runs.
	 * @param now the time now
	 * @param validUntil the validity deadline
	 * @param acquiredAt when the lock was taken
	 * @param maxHoldNanos the longest it is renewed
	 * @param renewalLeaseNanos the lease renewals ask for
	 * @return the lease to ask for; {@code 0} if the validity has ended (the lock is lost);
	 * {@code -1} if the maximum hold time is reached (no more renewals)
	 */
	static long renewalLease(long now, long validUntil, long acquiredAt, long maxHoldNanos, long renewalLeaseNanos) {
		long validLeft = validUntil - now;
		if (validLeft <= 0) {
			return 0;
		}
		long holdLeft = acquiredAt + maxHoldNanos - now;
		if (holdLeft <= validLeft) {
			return -1;
		}
		return Math.min(renewalLeaseNanos, holdLeft);
	}

	/**
	 * The lease of the next step of a lock kept alive because the lease asked for is longer than
	 * the TTL a node may be told.
	 * @param now the time now
	 * @param validUntil the validity deadline
	 * @param toldUntil when the last lease a quorum was told ends on the nodes (its round's start
	 * plus the lease)
	 * @param holdUntil until when the lock is to be held ({@link #holdUntil})
	 * @param stepNanos the longest lease one step asks for (the TTL a node may be told)
	 * @return the lease to ask for, the last one cut to end at {@code holdUntil}; {@code 0} if the
	 * validity has ended (the lock is lost); {@code -1} if the lease told already reaches
	 * {@code holdUntil} (no more steps)
	 */
	static long keptLease(long now, long validUntil, long toldUntil, long holdUntil, long stepNanos) {
		if (validUntil - now <= 0) {
			return 0;
		}
		// under a millisecond, Redis' resolution, is not worth a step (and a 0 ms lease would delete the key)
		if (holdUntil - toldUntil < MILLI) {
			return -1;
		}
		return Math.min(stepNanos, holdUntil - now);
	}

	/**
	 * Until when a lock is held: the end of the lease asked for, or for a lock renewed while its work
	 * runs, the end of its maximum hold time if that is later.
	 */
	static long holdUntil(long leaseEnd, boolean renewed, long maxHoldEnd) {
		return (renewed && maxHoldEnd - leaseEnd > 0) ? maxHoldEnd : leaseEnd;
	}

	/**
	 * When to try again after a renewal step that did not extend the lease: within what is left of
	 * the validity, at most a node timeout later.
	 * @return the delay, or {@code -1} if the validity has ended (the lock is lost)
	 */
	static long retryDelay(long now, long validUntil, long nodeTimeoutNanos) {
		long left = validUntil - now;
		return (left > 0) ? Math.min(left, nodeTimeoutNanos) : -1;
	}

}
