package dev.redlock.core;

import java.util.concurrent.TimeUnit;

/**
 * A held lock's validity through its extension rounds, as decisions only: before a round, none if
 * no validity is left, else the validity cut to what the new lease gives if that is shorter (a node
 * may apply it before the round ends); after the round, the verdict ({@link LeaseMath#judge}) and
 * the validity it leaves. It reads no clock and waits for nothing: {@link RedlockHandle} drives it
 * on the calling thread, the simulation on virtual time. One extension at a time changes it (the
 * handle's lease lock); any thread may read it.
 */
final class Validity {

	private volatile long validUntil;

	/** When the lease a quorum was last told ends on the nodes. */
	private volatile long toldUntil;

	private long start;

	private long leaseNanos;

	private long candidate;

	/**
	 * @param validUntil when the acquisition's validity ends
	 * @param toldUntil when the lease the acquisition told the nodes ends
	 */
	Validity(long validUntil, long toldUntil) {
		this.validUntil = validUntil;
		this.toldUntil = toldUntil;
	}

	long validUntil() {
		return this.validUntil;
	}

	long toldUntil() {
		return this.toldUntil;
	}

	/**
	 * An extension round is about to be sent.
	 * @param now the time
	 * @param leaseMillis the lease it asks for
	 * @param nodeTimeoutNanos the node timeout
	 * @param settings the drift factor
	 * @return how long the round may take (the validity left, at most the node timeout), or
	 * {@code -1} if no validity is left: then no round is sent, and the extension failed
	 */
	long beginExtension(long now, long leaseMillis, long nodeTimeoutNanos, RedlockSettings settings) {
		long left = this.validUntil - now;
		if (left <= 0) {
			return -1;
		}
		this.start = now;
		this.leaseNanos = TimeUnit.MILLISECONDS.toNanos(leaseMillis);
		this.candidate = LeaseMath.validUntil(now, this.leaseNanos, settings);
		// a node may apply a shorter lease before the round ends: the holder must not outlast it meanwhile
		this.validUntil = LeaseMath.afterFailedExtension(this.validUntil, this.candidate);
		return Math.min(left, nodeTimeoutNanos);
	}

	/**
	 * The extension round begun last is decided.
	 * @param extended nodes that set the new lease
	 * @param refused nodes that answered that the key is absent or another's
	 * @param quorum how many must agree
	 * @param nodes how many there are
	 * @param now the time
	 * @return the verdict; the validity is the new lease's if {@link LeaseMath.Extended#YES}
	 */
	LeaseMath.Extended extensionDecided(int extended, int refused, int quorum, int nodes, long now) {
		LeaseMath.Extended verdict = LeaseMath.judge(extended, refused, quorum, nodes, now, this.validUntil,
				this.candidate);
		if (verdict == LeaseMath.Extended.YES) {
			this.validUntil = this.candidate;
			this.toldUntil = this.start + this.leaseNanos;
		}
		else {
			this.validUntil = LeaseMath.afterFailedExtension(this.validUntil, this.candidate);
		}
		return verdict;
	}

}
