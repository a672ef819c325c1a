package dev.redlock.core;

/**
 * How one node's call of a round goes out: the decision a round takes for each node before it
 * sends anything. It reads no clock and waits for nothing, so the production fan-out
 * ({@link FanOut}) and the simulation on virtual time take it alike and only carry it out
 * differently.
 */
enum Dispatch {

	/** After the lock's earlier calls there have ended; then sent whatever they answered. */
	FOLLOW,

	/** Not sent, counted as a no: the lock's key was never set there. */
	SKIP,

	/** Not sent, failed at once: the node is slow and saturated ({@link NodeLoad#saturated}). */
	SHED,

	/** Not sent, failed at once: the node must not count now (restart guard, clock rule). */
	HOLD_OUT,

	/** Sent now (or, for the first node of a gated attempt, its answer already read counts now). */
	SEND;

	/**
	 * Decides node {@code index}'s call.
	 * @param after the calls this round follows, or {@code null}
	 * @param index the node
	 * @param sheddable whether a saturated node may be skipped (not for a release)
	 * @param answered whether the node has already answered this call (the gate's first node)
	 * @param heldOut why the node must not be sent this call, or {@code null}
	 * @param load the nodes' load
	 * @return how the call goes out
	 */
	static Dispatch of(Preceding after, int index, boolean sheddable, boolean answered, String heldOut,
			NodeLoad load) {
		if (after != null && !after.tail(index).isDone()) {
			return FOLLOW;
		}
		if (after != null && !after.needed(index)) {
			// never sent, or the node answered that another owner holds a key: it never took this token
			return SKIP;
		}
		if (answered) {
			return SEND;
		}
		if (sheddable && load.saturated(index)) {
			return SHED;
		}
		return (heldOut != null) ? HOLD_OUT : SEND;
	}

}
