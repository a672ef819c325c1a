package dev.redlock.core;

/** One command on one node, as a round runs it; {@code true} means the node did what was asked. */
@FunctionalInterface
interface NodeCall {

	boolean call(int index, LockNode node);

	/**
	 * Sends the command without waiting for the answer, so that the calling thread can read the
	 * answers of all nodes as they come; {@code null} (the default) to have {@link #call} run on
	 * an I/O thread instead.
	 */
	default Exchange start(int index, LockNode node) {
		return null;
	}

	/**
	 * Whether node {@code index} has already answered this call (the first node of a gated
	 * attempt): then it is no new call, and a saturated node is not skipped for it.
	 */
	default boolean answered(int index) {
		return false;
	}

	/**
	 * Why node {@code index} must not be sent this call now (an acquisition to a node held out),
	 * or {@code null} (the default) if it may.
	 */
	default String heldOut(int index) {
		return null;
	}

}
