package dev.redlock.core;

/**
 * Tells from readings of each node's wall clock ({@code TIME}, placed on this process's monotonic
 * clock) whether the node's clock moved other than ours since an earlier look, beyond the drift
 * budget ({@code driftFactor} of the time between the looks, plus the fixed 2 ms) and half of
 * each look's round trip (the node read its clock somewhere within the call).
 *
 * <p>A clock that advanced faster (a jump forward, or a clock running fast) expires keys early:
 * the node may have lost locks it granted while their holders still count on them. A clock that
 * fell behind (a jump back, or a slow clock) expires keys late, which costs availability after a
 * holder dies but never lets two holders in. A look is compared with an anchor kept for at least
 * {@code anchorNanos}, so that a clock running a little fast cannot slip through between looks
 * that come close together; after a jump either way the new reading becomes the anchor.
 *
 * <p>Pure decision logic: no clock reads, no logging; one caller at a time.
 */
final class ClockWatch {

	/**
	 * A clock that moved other than ours.
	 * @param nanos how far it moved beyond ours: positive ahead, negative behind
	 * @param overNanos over how much of our time
	 */
	record Jump(long nanos, long overNanos) {

		boolean forward() {
			return this.nanos > 0;
		}

	}

	private final double driftFactor;

	private final long anchorNanos;

	private final NodeStatus.Clock[] anchors;

	/**
	 * @param nodes how many nodes there are
	 * @param driftFactor the share of elapsed time clocks may drift apart
	 * @param anchorNanos how long an anchor is kept at least
	 */
	ClockWatch(int nodes, double driftFactor, long anchorNanos) {
		this.driftFactor = driftFactor;
		this.anchorNanos = anchorNanos;
		this.anchors = new NodeStatus.Clock[nodes];
	}

	/**
	 * Takes a look at node {@code index}'s clock.
	 * @param index the node
	 * @param reading what {@code TIME} said, or {@code null} if the node did not tell
	 * @return the jump since the anchor, or {@code null} if the clock kept time (or this is the
	 * first look: with nothing to compare, nothing can be told)
	 */
	Jump look(int index, NodeStatus.Clock reading) {
		if (reading == null) {
			return null;
		}
		NodeStatus.Clock anchor = this.anchors[index];
		long ours = (anchor != null) ? reading.readNanos() - anchor.readNanos() : 0;
		if (anchor == null || ours <= 0) {
			this.anchors[index] = (anchor == null) ? reading : anchor;
			return null;
		}
		long theirs = (reading.serverMicros() - anchor.serverMicros()) * 1000;
		long allowed = (long) (ours * this.driftFactor) + RedlockSettings.FIXED_DRIFT_NANOS
				+ (anchor.roundTripNanos() + reading.roundTripNanos()) / 2;
		long deviation = theirs - ours;
		if (Math.abs(deviation) > allowed) {
			this.anchors[index] = reading;
			return new Jump(deviation, ours);
		}
		if (ours >= this.anchorNanos) {
			this.anchors[index] = reading;
		}
		return null;
	}

}
